"""Issue 24 in a real browser: several files in one upload form. The picker lists what was
chosen or dropped (name and size), refuses too many before anything is sent, and one upload
adds a document per file, named after its file, on the staff side and in the portal."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tenant_app.demo.pdf import text_pdf
from tests.browser.conftest import FELIX, MIA, field, log_in
from tests.browser.test_branding_journey import logo_file

async_api = pytest.importorskip("playwright.async_api")
expect = async_api.expect

pytestmark = pytest.mark.browser

# Files dropped on the picker the way a desktop browser delivers them: one drop event whose
# DataTransfer carries several Files.
DROP_JS = """([selector, names]) => {
  const target = document.querySelector(selector);
  const transfer = new DataTransfer();
  for (const name of names) {
    transfer.items.add(new File(["%PDF-1.4\\n% dropped\\n"], name, { type: "application/pdf" }));
  }
  for (const type of ["dragenter", "dragover", "drop"]) {
    const init = { bubbles: true, cancelable: true, dataTransfer: transfer };
    target.dispatchEvent(new DragEvent(type, init));
  }
}"""


def _files(tmp_path: Path, prefix: str) -> list[str]:
    """A PDF and a PNG named for this test (their titles are their names, unique per run)."""
    pdf = tmp_path / f"{prefix}-Police.pdf"
    pdf.write_bytes(text_pdf("Versicherungsschein", ["Mehrere Dateien auf einmal."]))
    png = tmp_path / f"{prefix}-Foto.png"
    png.write_bytes(Path(logo_file(tmp_path)).read_bytes())
    return [str(pdf), str(png)]


async def test_staff_choose_two_files_and_get_two_documents(contexts, tmp_path) -> None:
    page = await contexts.page()
    await log_in(page, *MIA)
    await page.goto("/staff/contacts")
    await page.get_by_role("link", name="Datenfrei, Dana").click()
    await page.get_by_role("link", name=re.compile(r"^Versicherungen\b")).first.click()
    section = page.locator("#folder-documents")
    await section.locator("summary").first.click()
    chosen = section.locator("#file-folder-chosen")
    problem = section.locator("#file-folder-problem")
    await expect(chosen).to_have_text("Keine Datei ausgewählt")

    # Dropped: both files go into the input and are listed.
    await page.evaluate(DROP_JS, ["#folder-documents .file-picker__zone", ["a.pdf", "b.pdf"]])
    await expect(chosen.locator("li")).to_have_count(2)
    await expect(chosen.locator("li").first).to_contain_text("a.pdf")

    # Too many: said at once, and nothing is sent.
    many = []
    for n in range(21):
        path = tmp_path / f"seite-{n}.pdf"
        path.write_bytes(b"%PDF-1.4\n%%EOF\n")
        many.append(str(path))
    await field(section, "Datei").set_input_files(many)
    await expect(problem).to_have_text(
        "Bitte höchstens 20 Dateien auf einmal wählen (gewählt: 21)."
    )
    address = page.url
    await section.get_by_role("button", name="Hochladen", exact=True).click()
    await expect(field(section, "Datei")).to_be_focused()
    assert page.url == address

    # Two files, no title: one document each, named after its file.
    police, foto = _files(tmp_path, "Mehrfach")
    await field(section, "Datei").set_input_files([police, foto])
    await expect(problem).to_have_text("")
    items = chosen.locator("li")
    await expect(items).to_have_count(2)
    await expect(items.nth(0)).to_contain_text("Mehrfach-Police.pdf")
    await expect(items.nth(1)).to_contain_text("Mehrfach-Foto.png")
    await expect(items.nth(0).locator(".file-picker__size")).to_have_text(
        re.compile(r"^\d+(,\d)?\s(KB|Byte)$")
    )
    await expect(chosen).to_contain_text(re.compile(r"2 Dateien, zusammen \d+(,\d)?\s(KB|Byte)"))
    await expect(section.locator('label[for="title-folder"] .required')).to_be_hidden()
    await section.get_by_role("button", name="Hochladen", exact=True).click()
    await expect(page.get_by_role("status")).to_contain_text("2 Dokumente wurden hochgeladen.")
    rows = page.locator("#folder-documents .document-row")
    await expect(rows.filter(has_text="Mehrfach-Police")).to_have_count(1)
    await expect(rows.filter(has_text="Mehrfach-Foto")).to_have_count(1)


async def test_the_customer_uploads_two_files_in_the_portal(contexts, tmp_path) -> None:
    page: Any = await contexts.page()
    await log_in(page, *FELIX)
    await page.goto("/portal/folders/other")
    section = page.locator("#folder-documents")
    await section.get_by_text("Dokument hochladen oder Foto aufnehmen", exact=True).click()
    police, foto = _files(tmp_path, "Kundin")
    await field(section, "Datei").set_input_files([police, foto])
    await expect(section.locator(".file-picker__chosen li")).to_have_count(2)
    await section.get_by_role("button", name="Hochladen", exact=True).click()
    await expect(page).to_have_url(re.compile(r"/portal/folders/other\?uploaded=2$"))
    rows = page.locator("#folder-documents .document-row")
    await expect(rows.filter(has_text="Kundin-Police")).to_have_count(1)
    await expect(rows.filter(has_text="Kundin-Foto")).to_have_count(1)
