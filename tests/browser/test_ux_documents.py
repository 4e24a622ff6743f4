"""Document rows and the insurer combobox in a real browser: the shared state as a badge and
labelled actions, a picture's thumbnail that actually loads, the combobox used by keyboard only
(ARIA 1.2 attributes following along), and axe clean on the contract form on a 390 px phone."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image

from tests.browser.conftest import MIA, log_in
from tests.browser.test_accessibility import axe_problems, report

async_api = pytest.importorskip("playwright.async_api")
expect = async_api.expect

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def png_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("upload") / "schaden.png"
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 60, 40)).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


async def _dana_folder(page) -> None:
    await page.goto("/staff/contacts")
    await page.get_by_role("link", name="Datenfrei, Dana").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Dana Datenfrei")
    await page.get_by_role("link", name=re.compile(r"^Versicherungen\b")).first.click()
    await expect(page.get_by_role("heading", level=1, name="Versicherungen")).to_be_visible()


async def test_document_rows_badge_actions_and_thumbnail(contexts, png_file) -> None:
    page = await contexts.page()
    await log_in(page, *MIA)
    await _dana_folder(page)
    section = page.locator("#folder-documents")
    await section.locator("summary").first.click()
    await section.locator("input[type=file]").first.set_input_files(png_file)
    await section.get_by_label(re.compile(r"^\s*Titel")).fill("Schadenfoto UX")
    await section.get_by_role("button", name="Hochladen", exact=True).click()
    await expect(page.get_by_role("status")).to_contain_text("Das Dokument wurde hochgeladen")

    row = page.locator(".document-row", has_text="Schadenfoto UX")
    await expect(
        row.locator(".chip", has_text=re.compile("Für Kunden sichtbar|Intern"))
    ).to_be_visible()
    await expect(
        row.get_by_role("button", name=re.compile("^(Für Kunden freigeben|Nicht mehr freigeben)"))
    ).to_be_visible()
    await expect(
        row.get_by_role("button", name=re.compile("^Löschen Schadenfoto UX"))
    ).to_be_visible()
    await expect(row.get_by_role("link", name=re.compile("^Herunterladen"))).to_be_visible()
    thumb = row.locator("img")
    await expect(thumb).to_have_attribute("src", re.compile(r"/staff/documents/\d+/thumbnail$"))
    await thumb.scroll_into_view_if_needed()
    loaded = "img => img.complete && img.naturalWidth > 0"
    await page.wait_for_function(loaded, arg=await thumb.element_handle())

    # the badge and its action change together
    was_shared = await row.locator(".chip", has_text="Für Kunden sichtbar").count() == 1
    label = "Nicht mehr freigeben" if was_shared else "Für Kunden freigeben"
    await row.get_by_role("button", name=re.compile(f"^{label}")).click()
    row = page.locator(".document-row", has_text="Schadenfoto UX")
    badge = "Intern" if was_shared else "Für Kunden sichtbar"
    await expect(row.locator(".chip", has_text=badge)).to_be_visible()


async def test_insurer_combobox_by_keyboard_and_axe_on_a_phone(contexts) -> None:
    page = await contexts.page(viewport=PHONE, bypass_csp=True)
    await log_in(page, *MIA)
    await _dana_folder(page)
    await page.get_by_role("main").get_by_role("link", name="Vertrag hinzufügen").first.click()
    await expect(page.get_by_role("heading", level=1, name="Vertrag hinzufügen")).to_be_visible()

    insurer = page.get_by_role("combobox", name=re.compile("^Versicherer"))
    await expect(insurer).to_have_attribute("aria-expanded", "false")
    listbox_id = await insurer.get_attribute("aria-controls")
    listbox = page.locator(f"#{listbox_id}")
    await insurer.focus()
    await page.keyboard.type("Con")
    await expect(listbox).to_be_visible()
    await expect(insurer).to_have_attribute("aria-expanded", "true")
    first = listbox.get_by_role("option").first
    await expect(first).to_have_text(re.compile("^Con"))
    await page.keyboard.press("ArrowDown")
    first_id = await first.get_attribute("id")
    await expect(insurer).to_have_attribute("aria-activedescendant", first_id or "?")
    await expect(first).to_have_attribute("aria-selected", "true")
    chosen = await first.text_content()
    await page.keyboard.press("Enter")
    await expect(insurer).to_have_value(chosen or "?")
    await expect(insurer).to_have_attribute("aria-expanded", "false")
    await expect(listbox).to_be_hidden()
    await expect(page.get_by_role("heading", level=1, name="Vertrag hinzufügen")).to_be_visible()

    # Escape closes the list again without touching the value
    await page.keyboard.press("ArrowDown")
    await expect(listbox).to_be_visible()
    await page.keyboard.press("Escape")
    await expect(listbox).to_be_hidden()
    await expect(insurer).to_have_value(chosen or "?")

    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the form is {width}px wide on a {PHONE['width']}px screen"
    problems = await axe_problems(page, "contract form (390 px)")
    assert not problems, report(problems)
