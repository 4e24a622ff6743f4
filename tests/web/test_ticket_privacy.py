"""What stays inside the office: forward comments, internal notes and staff reading never reach
the customer's pages, list or mail; the customer's badge counts what their list shows; filing an
attachment into a contract is an explicit choice."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from tenant_app.models.activity import Notification
from tenant_app.models.contacts import ContactResponsible
from tenant_app.models.conversations import ConversationEvent
from tenant_app.models.folders import Document
from tenant_app.models.scoping import tenant_scope
from tenant_app.services.events import TICKET_FORWARDED, TICKET_OPENED, TICKET_REPLY
from tests.conftest import CUSTOMER_PASSWORD, make_customer
from tests.folder_helpers import PDF_BYTES, add_contract
from tests.notification_helpers import mail_unread, told
from tests.web.test_tickets import make_staff

ORIGIN = {"Origin": "http://alpha.localhost"}
FORWARD_COMMENT = "Vorsicht, ruft gern dreimal am Tag an"
NOTE = "Kulanz mit der Versicherung klären, nicht zusagen"


@pytest.fixture
async def office(tenant, passwords, client_for) -> SimpleNamespace:
    """Kai (customer, communication on), Anna (his responsible) and Ben, all logged in."""
    anna = await make_staff(
        tenant, passwords, "anna", "Anna", handles_tickets=True, access_insurance="write"
    )
    ben = await make_staff(tenant, passwords, "ben", "Ben", handles_tickets=True)
    contact = await make_customer(tenant, passwords, communication=True)
    with tenant_scope(tenant.tenant.id):
        await ContactResponsible.create(contact_id=contact.id, user_id=anna.id)
    kai, a, b = (client_for(tenant.hostname) for _ in range(3))
    await kai.log_in("kai", CUSTOMER_PASSWORD)
    await a.log_in("anna")
    await b.log_in("ben")
    return SimpleNamespace(anna=anna, ben=ben, contact=contact, kai=kai, a=a, b=b)


async def _open(office: SimpleNamespace, subject: str = "Schaden am Auto", *, file: bool = False):
    """Kai writes to Anna; the ticket's id."""
    token = await office.kai.csrf("/portal/tickets/new")
    fields = {
        "csrf_token": (None, token),
        "staff_id": (None, str(office.anna.id)),
        "subject": (None, subject),
        "body": (None, "Mein Auto hat eine Beule."),
    }
    if file:
        fields["file"] = ("foto.pdf", PDF_BYTES, "application/pdf")
    created = await office.kai.post("/portal/tickets", files=fields, headers=ORIGIN)
    assert created.status_code == 303
    return int(created.headers["location"].split("?")[0].rsplit("/", 1)[1])


async def _read(client, path: str) -> None:
    response = await client.submit(f"{path}/read", form_page=path)
    assert response.status_code == 204


async def _reply(client, path: str, body: str) -> None:
    token = await client.csrf(path)
    response = await client.post(
        f"{path}/reply", files={"csrf_token": (None, token), "body": (None, body)}, headers=ORIGIN
    )
    assert response.status_code == 303


async def _badge(client) -> int:
    text = (await client.get("/portal/badge", headers={"HX-Request": "true"})).text
    match = re.search(r'id="unread-count"[^>]*>(\d+)<', text)
    return int(match.group(1)) if match else 0


async def test_forward_comment_notes_and_staff_reading_stay_internal(
    office, tenant, settings, deliver
) -> None:
    ticket_id = await _open(office)
    staff_path, portal_path = f"/staff/tickets/{ticket_id}", f"/portal/tickets/{ticket_id}"
    await _read(office.a, staff_path)
    forwarded = await office.a.submit(
        f"{staff_path}/forward",
        {"to_user_id": str(office.ben.id), "comment": FORWARD_COMMENT},
        form_page=staff_path,
    )
    assert forwarded.status_code == 303
    await _read(office.b, staff_path)
    noted = await office.b.submit(f"{staff_path}/note", {"note": NOTE}, form_page=staff_path)
    assert noted.status_code == 303
    # Anna was told of the new ticket, Ben of the forward; the note tells nobody.
    assert await told(tenant, TICKET_OPENED) == ["anna"]
    assert await told(tenant, TICKET_FORWARDED) == ["ben"]
    with tenant_scope(tenant.tenant.id):
        assert await Notification.all().count() == 2
    assert await _badge(office.kai) == 0  # a note is no entry for Kai

    customer_page = (await office.kai.get(portal_path)).text
    for secret in (FORWARD_COMMENT, NOTE, "Ben Team", "weitergeleitet", "gelesen", "Interne Notiz"):
        assert secret not in customer_page, secret
    assert "Kai Kunde hat das Ticket eröffnet" in customer_page
    customer_list = (await office.kai.get("/portal/tickets")).text
    assert "Anna Team" in customer_list and "Ben Team" not in customer_list  # not who holds it

    staff_page = (await office.a.get(staff_path)).text
    thread = staff_page.split('id="thread"')[1].split("</ol>")[0]
    assert "Interne Notiz" in thread and NOTE in thread  # in the thread, marked as such
    history = staff_page.split('id="history"')[1]
    assert f"Anna Team hat das Ticket an Ben Team weitergeleitet: „{FORWARD_COMMENT}“" in history
    assert "Ben Team hat eine interne Notiz hinzugefügt" in history
    assert "Anna Team hat das Ticket gelesen" in history

    await _reply(office.b, staff_path, "Wir melden uns morgen.")
    assert await _badge(office.kai) == 1  # the reply counts, the note before it did not
    assert await told(tenant, TICKET_REPLY) == ["kai"]
    with tenant_scope(tenant.tenant.id):  # Kai hears of the reply only
        assert await Notification.filter(user__username="kai").count() == 1
    await mail_unread(settings)
    kai_mail = await deliver()  # Anna and Ben read theirs in time (opening the ticket)
    assert [m["To"] for m in kai_mail] == ["kai@kunde.example"]
    for secret in (NOTE, FORWARD_COMMENT, "Ben Team", "weitergeleitet", "Wir melden uns"):
        assert secret not in kai_mail[0].as_string(), secret
    customer_page = (await office.kai.get(portal_path)).text
    assert "Ben Team hat geantwortet" in customer_page and NOTE not in customer_page

    with tenant_scope(tenant.tenant.id):
        internal = {
            (e.kind, e.actor_name): e.internal
            for e in await ConversationEvent.filter(conversation_id=ticket_id)
        }
    assert internal == {
        ("created", "Kai Kunde"): False,
        ("read", "Anna Team"): True,
        ("forwarded", "Anna Team"): True,
        ("read", "Ben Team"): True,
        ("note", "Ben Team"): True,
        ("replied", "Ben Team"): False,
    }


async def test_a_note_on_a_closed_ticket_and_its_rules(office) -> None:
    ticket_id = await _open(office)
    path = f"/staff/tickets/{ticket_id}"
    await office.a.submit(f"{path}/close", form_page=path)
    blank = await office.a.submit(f"{path}/note", {"note": "   "}, form_page=path)
    assert blank.status_code == 422 and 'id="f-note-error"' in blank.text
    too_long = await office.a.submit(f"{path}/note", {"note": "x" * 10_001}, form_page=path)
    assert too_long.status_code == 422 and "x" * 10_001 in too_long.text  # what was typed stays
    noted = await office.a.submit(f"{path}/note", {"note": NOTE}, form_page=path)
    assert noted.status_code == 303 and NOTE in (await office.a.get(path)).text
    refused = await office.kai.submit(f"{path}/note", {"note": "Ich auch"}, form_page="/portal")
    assert refused.status_code in (403, 404)
    assert NOTE not in (await office.kai.get(f"/portal/tickets/{ticket_id}")).text


async def test_customer_badge_counts_what_the_open_list_marks_as_new(office) -> None:
    closed_id = await _open(office, "Adressänderung")
    open_id = await _open(office, "Frage zur Hausrat")
    closed_path = f"/staff/tickets/{closed_id}"
    await _reply(office.a, closed_path, "Erledigt.")
    await office.a.submit(f"{closed_path}/close", form_page=closed_path)
    # An unread reply in a closed ticket: the open list shows nothing new, nor does the badge.
    open_list = (await office.kai.get("/portal/tickets")).text
    assert "neue Antwort" not in open_list and "Frage zur Hausrat" in open_list
    assert await _badge(office.kai) == 0
    await _reply(office.a, f"/staff/tickets/{open_id}", "Ja, ist versichert.")
    open_list = (await office.kai.get("/portal/tickets")).text
    assert open_list.count("neue Antwort") == 1 and await _badge(office.kai) == 1
    await _read(office.kai, f"/portal/tickets/{open_id}")
    assert await _badge(office.kai) == 0


async def test_filing_an_attachment_needs_an_explicit_contract(office, tenant) -> None:
    ticket_id = await _open(office, file=True)
    await add_contract(tenant, office.contact, number="HR-1")
    second = await add_contract(tenant, office.contact, number="HR-2")
    with tenant_scope(tenant.tenant.id):
        document = await Document.get(contact_id=office.contact.id)
    path = f"/staff/tickets/{ticket_id}"
    page = (await office.a.get(path)).text
    form = page.split(f'id="file-{document.id}"')[1].split("</form>")[0]
    assert '<option value="" selected>Bitte Vertrag wählen</option>' in form
    assert "required" in form and "In Vertrag ablegen" in form and 'data-confirm="' in page
    action = f"{path}/attachments/{document.id}/file"
    for choice in ({}, {"contract_id": ""}):
        refused = await office.a.submit(action, choice, form_page=path)
        assert refused.status_code == 422
        assert f'id="file-into-{document.id}-error"' in refused.text
        with tenant_scope(tenant.tenant.id):
            unfiled = await Document.get(id=document.id)
        assert (unfiled.contract_id, unfiled.folder) == (None, "")
    filed = await office.a.submit(action, {"contract_id": str(second.id)}, form_page=path)
    assert filed.status_code == 303
    with tenant_scope(tenant.tenant.id):
        assert (await Document.get(id=document.id)).contract_id == second.id


async def test_customer_can_attach_an_existing_file_on_a_phone(office) -> None:
    """No `capture` on the reply's file input: it would open only the camera on phones. The
    camera is a second, nameless input ("Foto aufnehmen") beside it."""
    page = (await office.kai.get(f"/portal/tickets/{await _open(office)}")).text
    form = page.split('id="reply-form"')[1].split("</form>")[0]
    files = re.findall(r'<input[^>]*name="file"[^>]*>', form)
    assert len(files) == 1 and "capture" not in files[0]
    assert 'capture="environment"' in form and "Foto aufnehmen" in form
