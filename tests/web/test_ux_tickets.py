"""Issue 24, tickets and uploads as HTML: the staff ticket page's action panel, confirmations
that name their object, and file pickers with a German button, labels and a camera choice."""

from __future__ import annotations

import re
from pathlib import Path

from tenant_app.models.folders import Document
from tenant_app.models.scoping import tenant_scope
from tests.folder_helpers import add_contract
from tests.web import test_ticket_privacy as privacy

office = privacy.office  # the fixture: Kai (customer), Anna and Ben (staff), all logged in
_open = privacy._open

REPO = Path(__file__).resolve().parents[2]
MAIN_INPUT = re.compile(r'<input[^>]*name="file"[^>]*>')


def _panel(page: str) -> str:
    return page.split('id="ticket-actions"')[1].split("</aside>")[0]


def _picker_checks(form: str, input_id: str, label: str) -> None:
    """One named file input, labelled by its field label alone, with the German button, the
    chosen-files line and a nameless camera input (capture) that only phones see."""
    (main,) = MAIN_INPUT.findall(form)
    assert f'id="{input_id}"' in main and "capture" not in main
    assert f'aria-labelledby="{input_id}-label"' in main and f"{input_id}-chosen" in main
    assert re.search(rf'<label for="{input_id}" id="{input_id}-label">{re.escape(label)}', form)
    assert re.search(rf'<label for="{input_id}" class="btn[^"]*">.*Datei auswählen</label>', form)
    assert f'id="{input_id}-chosen"' in form and "Keine Datei ausgewählt" in form
    camera = re.search(rf'<input id="{input_id}-camera"[^>]*>', form)
    assert camera and 'capture="environment"' in camera[0] and 'accept="image/*"' in camera[0]
    assert "name=" not in camera[0] and "disabled" in camera[0]
    assert f'<label for="{input_id}-camera"' in form and "Foto aufnehmen" in form
    assert (
        '<progress class="progress"' in form and 'aria-label="Fortschritt des Hochladens"' in form
    )


async def test_staff_ticket_page_puts_the_actions_in_a_side_panel(office, tenant) -> None:
    ticket_id = await _open(office, file=True)
    await add_contract(tenant, office.contact, number="HR-1")
    with tenant_scope(tenant.tenant.id):
        document = await Document.get(contact_id=office.contact.id)
    page = (await office.a.get(f"/staff/tickets/{ticket_id}")).text
    main = page.split('class="ticket-layout__main')[1].split('id="ticket-actions"')[0]
    assert 'id="thread"' in main and 'id="reply-form"' in main and 'id="history"' in main
    panel = _panel(page)
    for part in ('id="forward-form"', 'id="note-form"', f'id="file-{document.id}"', "close-form"):
        assert part in panel, part
    assert 'class="page-actions"' not in page  # no floating close button in the header
    # Filing: an explicit choice, then a confirmation that names the file.
    filing = panel.split(f'id="file-{document.id}"')[1].split("</form>")[0]
    assert '<option value="" selected>Bitte Vertrag wählen</option>' in filing
    assert 'data-confirm="Diesen Anhang im gewählten Vertrag ablegen?"' in filing
    assert 'data-confirm-object="foto.pdf"' in filing
    closing = panel.split('id="close-form"')[1].split("</form>")[0]
    assert 'data-confirm-object="Schaden am Auto"' in closing and "Ticket schließen" in closing


async def test_closed_ticket_panel_offers_only_the_note(office) -> None:
    ticket_id = await _open(office)
    path = f"/staff/tickets/{ticket_id}"
    assert (await office.a.submit(f"{path}/close", {}, form_page=path)).status_code == 303
    panel = _panel((await office.a.get(path)).text)
    assert 'id="note-form"' in panel
    assert 'id="forward-form"' not in panel and 'id="close-form"' not in panel


async def test_reply_and_new_message_forms_have_the_file_picker(office) -> None:
    ticket_page = (await office.kai.get(f"/portal/tickets/{await _open(office)}")).text
    reply = ticket_page.split('id="reply-form"')[1].split("</form>")[0]
    _picker_checks(reply, "f-file", "Anhang (optional)")
    new = (await office.kai.get("/portal/tickets/new")).text
    _picker_checks(new.split("<form")[-1], "f-file", "Anhang (optional)")
    staff_page = (await office.a.get(f"/staff/tickets/{await _open(office, 'Zweiter')}")).text
    _picker_checks(staff_page.split('id="reply-form"')[1].split("</form>")[0], "f-file", "Anhang")


async def test_document_upload_form_has_the_file_picker(office, tenant) -> None:
    contract = await add_contract(tenant, office.contact, number="HR-7")
    path = f"/staff/contacts/{office.contact.id}/folders/insurance"
    page = (await office.a.get(path)).text
    assert page.count('type="file"') >= 2  # the contract's form and the folder's
    deleting = page.split(f"/contracts/{contract.id}/delete")[1].split(">")[0]
    assert 'data-confirm-object="' in deleting and "HR-7" in deleting  # the dialog names it
    start = page.index(f'<label for="file-{contract.id}" id="file-{contract.id}-label">')
    upload = page[page.rindex("<form", 0, start) : page.index("</form>", start)]
    _picker_checks(upload, f"file-{contract.id}", "Datei")


def test_confirmations_use_the_product_dialog_not_the_browser() -> None:
    """app.js asks through dialog.js; the browser's confirm() stays only as the fallback for a
    browser without <dialog>. Both scripts (and upload.js) are loaded on every page."""
    app = (REPO / "static/js/app.js").read_text(encoding="utf-8")
    assert app.count("window.confirm(") == 1 and "AppDialog.supported" in app
    dialog = (REPO / "static/js/dialog.js").read_text(encoding="utf-8")
    assert "showModal" in dialog and 'addEventListener("close"' in dialog
    base = (REPO / "templates/base.html").read_text(encoding="utf-8")
    assert "/static/js/dialog.js" in base and "/static/js/upload.js" in base
