"""Issue 24 in a real browser: the product's confirmation dialog (Escape cancels, confirm
performs, focus comes back), the ticket page's action panel beside the thread on a desktop
and below it on a phone, and the file picker (chosen names, drag and drop, camera on phones)."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import KARLA, MIA, field, log_in, screenshot_path
from tests.browser.test_branding_journey import logo_file

SUBJECT = "Fragen zum Umzug (UX)"

# A file dropped on the picker the way a desktop browser delivers it: a drop event whose
# DataTransfer carries a File.
DROP_JS = """([selector, name]) => {
  const target = document.querySelector(selector);
  const transfer = new DataTransfer();
  transfer.items.add(new File(["%PDF-1.4\\n% dropped\\n"], name, { type: "application/pdf" }));
  for (const type of ["dragenter", "dragover", "drop"]) {
    const init = { bubbles: true, cancelable: true, dataTransfer: transfer };
    target.dispatchEvent(new DragEvent(type, init));
  }
}"""


def _expect() -> Any:
    from playwright.async_api import expect

    return expect


async def _box(page: Any, selector: str) -> dict[str, float]:
    box = await page.locator(selector).bounding_box()
    assert box, selector
    return dict(box)


async def test_dropped_file_ticket_panel_and_close_dialog(contexts, pdf_file, tmp_path) -> None:
    """Karla writes with a dropped file; Mia sees the panel and closes only when confirmed."""
    await _karla_writes_with_a_dropped_file(contexts, pdf_file)
    await _mia_closes_it_after_a_dialog(contexts, tmp_path)


async def _karla_writes_with_a_dropped_file(contexts: Any, pdf_file: Any) -> None:
    expect = _expect()
    karla = await contexts.page()
    await log_in(karla, *KARLA)
    await karla.goto("/portal/tickets/new")
    picker = karla.locator("[data-file-picker]")
    await expect(picker.get_by_text("Datei auswählen")).to_be_visible()
    await expect(karla.locator("#f-file-chosen")).to_have_text("Keine Datei ausgewählt")
    await expect(picker.get_by_text("Foto aufnehmen")).to_be_hidden()  # a desktop: no camera
    await field(karla, "Anhang (optional)").set_input_files(pdf_file)
    await expect(karla.locator("#f-file-chosen")).to_have_text("police.pdf")

    await karla.evaluate(DROP_JS, [".file-picker__zone", "umzug-dropped.pdf"])
    await expect(karla.locator("#f-file-chosen")).to_have_text("umzug-dropped.pdf")
    await field(karla, "An").select_option(label="Mia Mitarbeiterin")
    await field(karla, "Betreff").fill(SUBJECT)
    await field(karla, "Nachricht").fill("Ich ziehe um, die Meldebescheinigung liegt bei.")
    await karla.get_by_role("button", name="Senden").click()
    await expect(karla).to_have_url(re.compile(r"/portal/tickets/\d+\?created=1$"))
    await expect(karla.locator("#thread")).to_contain_text("umzug-dropped.pdf")


async def _mia_closes_it_after_a_dialog(contexts: Any, tmp_path: Any) -> None:
    expect = _expect()
    mia = await contexts.page()
    await log_in(mia, *MIA)
    await mia.goto("/staff/tickets")
    await mia.get_by_role("link", name=SUBJECT).click()
    await expect(mia.get_by_role("heading", level=1)).to_have_text(SUBJECT)

    # Desktop: the panel stands beside the thread.
    thread, panel = await _box(mia, "#thread"), await _box(mia, "#ticket-actions")
    assert panel["x"] >= thread["x"] + thread["width"], (thread, panel)
    assert abs(panel["y"] - thread["y"]) < thread["height"]
    await mia.screenshot(path=screenshot_path("ticket-staff.png"), full_page=True)

    # Escape cancels: nothing happens, focus goes back to the button.
    close = mia.locator("#close-form").get_by_role("button", name="Ticket schließen")
    await close.click()
    dialog = mia.get_by_role("dialog", name="Ticket schließen")
    await expect(dialog).to_be_visible()
    await expect(dialog).to_contain_text(SUBJECT)  # the object named
    await expect(dialog).to_contain_text("Der Kunde kann dann nicht mehr antworten")
    await mia.screenshot(path=screenshot_path("confirm-dialog.png"))
    cancel = dialog.get_by_role("button", name="Abbrechen")
    confirm = dialog.get_by_role("button", name="Ticket schließen")
    await expect(cancel).to_be_focused()
    await mia.keyboard.press("Tab")
    await expect(confirm).to_be_focused()
    await mia.keyboard.press("Tab")  # trapped: back to the first button, not the page
    await expect(cancel).to_be_focused()
    await mia.keyboard.press("Escape")
    await expect(dialog).to_be_hidden()
    await expect(close).to_be_focused()
    await expect(mia.locator("#ticket-status")).to_have_text("Offen")
    assert "closed=" not in mia.url

    # The cancel button cancels too.
    await close.click()
    await dialog.get_by_role("button", name="Abbrechen").click()
    await expect(dialog).to_be_hidden()
    await expect(close).to_be_focused()

    # Phone width, same session: the panel follows the thread; the camera is offered.
    phone = await contexts.new(
        storage_state=await mia.context.storage_state(),
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    small = await phone.new_page()
    await small.goto(mia.url)
    thread, panel = await _box(small, "#thread"), await _box(small, "#ticket-actions")
    assert panel["y"] >= thread["y"] + thread["height"], (thread, panel)
    reply = small.locator("#reply-form")
    await expect(reply.get_by_text("Foto aufnehmen")).to_be_visible()
    await reply.locator("input[data-camera-for]").set_input_files(logo_file(tmp_path))
    await expect(small.locator("#f-file-chosen")).to_have_text("logo.png")  # in the main input
    await small.screenshot(path=screenshot_path("ticket-staff-phone.png"), full_page=True)

    # Confirmed: the ticket is closed.
    contact_url = await mia.get_by_role("link", name="Karla Kontakt").get_attribute("href")
    await close.click()
    await dialog.get_by_role("button", name="Ticket schließen").click()
    await expect(mia).to_have_url(re.compile(r"/staff/tickets\?closed=1$"))

    # A typed confirmation still holds the button until the name is typed (not sent here).
    await mia.goto(f"{contact_url}/delete")
    typed = mia.locator("form[data-confirm-typed]")
    await expect(typed.locator("button[type=submit]")).to_be_disabled()
    await typed.locator("[name=confirm_text]").fill("Kontakt")
    await expect(typed.locator("button[type=submit]")).to_be_enabled()
