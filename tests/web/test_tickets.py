"""Tickets between a customer and staff: round trip, unread counts, history, rules, isolation."""

from __future__ import annotations

import re

import pytest

from tenant_app.models.accounts import User
from tenant_app.models.activity import Notification
from tenant_app.models.contacts import ContactResponsible
from tenant_app.models.conversations import Conversation, ConversationEvent
from tenant_app.models.folders import CustomerAccess, Document
from tenant_app.models.scoping import tenant_scope
from tenant_app.services.events import (
    TICKET_CLOSED,
    TICKET_FORWARDED,
    TICKET_OPENED,
    TICKET_REPLY,
)
from tests.conftest import ADMIN_PASSWORD, CUSTOMER_PASSWORD, count_queries, make_customer, text_of
from tests.folder_helpers import PDF_BYTES
from tests.notification_helpers import mail_unread, told


async def make_staff(tenant, passwords, username: str, first_name: str, **rights) -> User:
    with tenant_scope(tenant.tenant.id):
        return await User.create(
            kind="staff",
            role="mitarbeiter",
            username=username,
            email=f"{username}@alpha.example",
            first_name=first_name,
            last_name="Team",
            password_hash=await passwords.hash(ADMIN_PASSWORD),
            **rights,
        )


@pytest.fixture
async def people(tenant, passwords, client_for):
    anna = await make_staff(
        tenant, passwords, "anna", "Anna", handles_tickets=True, access_insurance="write"
    )
    ben = await make_staff(tenant, passwords, "ben", "Ben", handles_tickets=True)
    contact = await make_customer(tenant, passwords, communication=True)
    with tenant_scope(tenant.tenant.id):
        await ContactResponsible.create(contact_id=contact.id, user_id=anna.id)
    customer = client_for(tenant.hostname)
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    staff_a, staff_b = client_for(tenant.hostname), client_for(tenant.hostname)
    await staff_a.log_in("anna")
    await staff_b.log_in("ben")
    return {
        "anna": anna,
        "ben": ben,
        "contact": contact,
        "customer": customer,
        "a": staff_a,
        "b": staff_b,
    }


async def _badge(client, path: str) -> str:
    text = (await client.get(path, headers={"HX-Request": "true"})).text
    match = re.search(r'id="unread-count"[^>]*>(\d+)<', text)
    return match.group(1) if match else "0"


async def _read(client, ticket_path: str) -> None:
    """What the ticket page does once loaded: tell the server it was read (htmx POST)."""
    response = await client.submit(f"{ticket_path}/read", form_page=ticket_path)
    assert response.status_code == 204 and response.headers["hx-trigger"] == "unread-changed"


async def _open_ticket(
    customer,
    anna,
    subject="Schaden am Auto",
    body="Bitte melden Sie sich.\nDanke!",
    attachment=True,
):
    token = await customer.csrf("/portal/tickets/new")
    files = {
        "csrf_token": (None, token),
        "staff_id": (None, str(anna.id)),
        "subject": (None, subject),
        "body": (None, body),
    }
    if attachment:
        files["file"] = ("foto.pdf", PDF_BYTES, "application/pdf")
    return await customer.post(
        "/portal/tickets", files=files, headers={"Origin": "http://alpha.localhost"}
    )


async def test_round_trip_with_forward_reply_history_and_close(
    people, tenant, settings, deliver
) -> None:
    customer, a, b, anna, ben = (
        people["customer"],
        people["a"],
        people["b"],
        people["anna"],
        people["ben"],
    )
    new_page = await customer.get("/portal/tickets/new")
    assert (
        f'<option value="{anna.id}" selected>' in new_page.text
    )  # the responsible person is preselected
    created = await _open_ticket(customer, anna)
    assert created.status_code == 303
    ticket_path = created.headers["location"].split("?")[0]
    ticket_id = int(ticket_path.rsplit("/", 1)[1])

    assert await told(tenant, TICKET_OPENED) == ["anna"]
    await mail_unread(settings)  # still unread after five minutes: mailed
    mails = await deliver()
    assert [m["To"] for m in mails] == ["anna@alpha.example"]
    assert "http://alpha.localhost/account/notifications" in text_of(mails[0])
    assert "Eine neue Anfrage" in text_of(mails[0])
    for secret in ("Bitte melden Sie sich", "Schaden am Auto"):  # no message text, no subject
        assert secret not in mails[0].as_string()
    assert await _badge(a, "/staff/badge") == "1"

    page = await a.get(f"/staff/tickets/{ticket_id}")
    with tenant_scope(tenant.tenant.id):  # a GET changes nothing ...
        assert not await ConversationEvent.filter(conversation_id=ticket_id, kind="read").exists()
    await _read(a, f"/staff/tickets/{ticket_id}")  # ... until the page reports it was read
    assert "Bitte melden Sie sich.<br>" in page.text and "foto.pdf" in page.text
    forwarded = await a.submit(
        f"/staff/tickets/{ticket_id}/forward",
        {"to_user_id": str(ben.id), "comment": "Bitte übernehmen"},
        form_page=f"/staff/tickets/{ticket_id}",
    )
    assert forwarded.status_code == 303
    assert await _badge(a, "/staff/badge") == "0"
    assert await _badge(b, "/staff/badge") == "1"
    assert await told(tenant, TICKET_FORWARDED) == ["ben"]
    await mail_unread(settings)
    forward_mail = [m for m in await deliver() if m["To"] == "ben@alpha.example"]
    assert len(forward_mail) == 1 and "Eine Anfrage wurde weitergeleitet" in text_of(
        forward_mail[0]
    )
    assert "Bitte übernehmen" not in forward_mail[0].as_string()

    await _read(b, f"/staff/tickets/{ticket_id}")
    token = await b.csrf(f"/staff/tickets/{ticket_id}")
    replied = await b.post(
        f"/staff/tickets/{ticket_id}/reply",
        files={"csrf_token": (None, token), "body": (None, "Wir kümmern uns darum.")},
        headers={"Origin": "http://alpha.localhost"},
    )
    assert replied.status_code == 303
    assert await _badge(b, "/staff/badge") == "0"  # answered
    assert await told(tenant, TICKET_REPLY) == ["kai"]
    await mail_unread(settings)
    customer_mail = [m for m in await deliver() if m["To"] == "kai@kunde.example"]
    assert len(customer_mail) == 1 and "Wir kümmern uns" not in customer_mail[0].as_string()
    assert await _badge(customer, "/portal/badge") == "1"

    thread = await customer.get(ticket_path)
    await _read(customer, ticket_path)  # reading the thread reads its notifications too
    assert "Wir kümmern uns darum." in thread.text and 'id="history"' in thread.text
    assert await _badge(customer, "/portal/badge") == "0"
    with tenant_scope(tenant.tenant.id):
        assert not await Notification.filter(user__username="kai", read_at=None).exists()

    closed = await b.submit(
        f"/staff/tickets/{ticket_id}/close", form_page=f"/staff/tickets/{ticket_id}"
    )
    assert closed.status_code == 303
    assert await told(tenant, TICKET_CLOSED) == ["kai"]  # the customer hears of it
    after = await customer.get(ticket_path)
    assert 'id="ticket-closed"' in after.text and 'id="reply-form"' not in after.text
    token = await customer.csrf(ticket_path)
    late = await customer.post(
        f"{ticket_path}/reply",
        files={"csrf_token": (None, token), "body": (None, "Noch was")},
        headers={"Origin": "http://alpha.localhost"},
    )
    assert late.status_code == 422
    assert "Noch was" not in (await customer.get(ticket_path)).text
    assert "Schaden am Auto" in (await customer.get("/portal/tickets?status=closed")).text

    with tenant_scope(tenant.tenant.id):
        events = [
            (e.kind, e.actor_name, e.target_name)
            for e in await ConversationEvent.filter(conversation_id=ticket_id).order_by("id")
        ]
    assert events == [
        ("created", "Kai Kunde", ""),
        ("read", "Anna Team", ""),
        ("forwarded", "Anna Team", "Ben Team"),
        ("read", "Ben Team", ""),
        ("replied", "Ben Team", ""),
        ("read", "Kai Kunde", ""),
        ("closed", "Ben Team", ""),
    ]
    history = (await a.get(f"/staff/tickets/{ticket_id}")).text
    assert "Anna Team hat das Ticket an Ben Team weitergeleitet" in history


async def test_customer_cannot_close(people) -> None:
    customer, anna = people["customer"], people["anna"]
    ticket_path = (
        (await _open_ticket(customer, anna, attachment=False)).headers["location"].split("?")[0]
    )
    response = await customer.submit(f"{ticket_path}/close", form_page=ticket_path)
    assert response.status_code == 403


async def test_attachment_is_a_document_of_the_contact_and_can_be_filed(people, tenant) -> None:
    from tests.folder_helpers import add_contract

    customer, a, anna, contact = people["customer"], people["a"], people["anna"], people["contact"]
    ticket_path = (await _open_ticket(customer, anna)).headers["location"].split("?")[0]
    with tenant_scope(tenant.tenant.id):
        document = await Document.get(contact_id=contact.id)
    assert (document.folder, document.uploaded_by_customer) == ("", True)
    uploaded = document
    download = await customer.get(f"{ticket_path}/attachments/{document.id}")
    assert download.status_code == 200 and download.content == PDF_BYTES
    contract = await add_contract(tenant, contact)
    staff_path = ticket_path.replace("/portal/", "/staff/")
    filed = await a.submit(
        f"{staff_path}/attachments/{document.id}/file",
        {"contract_id": str(contract.id)},
        form_page=staff_path,
    )
    assert filed.status_code == 303
    with tenant_scope(tenant.tenant.id):
        document = await Document.get(id=document.id)
    assert (document.contract_id, document.folder) == (contract.id, "insurance")
    # a sync by the API sees the move (updated_since), and an ETag read before it is stale
    assert document.version == uploaded.version + 1
    assert document.updated_at is not None and document.updated_at > uploaded.updated_at


async def test_staff_starts_a_ticket_to_a_customer(people, tenant, settings, deliver) -> None:
    a, contact, customer = people["a"], people["contact"], people["customer"]
    token = await a.csrf(f"/staff/contacts/{contact.id}/tickets/new")
    response = await a.post(
        f"/staff/contacts/{contact.id}/tickets",
        files={
            "csrf_token": (None, token),
            "subject": (None, "Ihre neue Police"),
            "body": (None, "Anbei die Police."),
        },
        headers={"Origin": "http://alpha.localhost"},
    )
    assert response.status_code == 303
    assert await told(tenant, TICKET_OPENED) == ["kai"]
    await mail_unread(settings)
    assert [m["To"] for m in await deliver()] == ["kai@kunde.example"]
    assert "Ihre neue Police" in (await customer.get("/portal/tickets")).text


@pytest.mark.parametrize(
    ("subject", "body", "field"),
    [
        ("", "Text", "subject"),
        ("Betreff", "   ", "body"),
        ("x" * 201, "Text", "subject"),
        ("Betreff", "x" * 10_001, "body"),
    ],
)
async def test_empty_and_oversize_input(people, tenant, subject, body, field) -> None:
    response = await _open_ticket(
        people["customer"], people["anna"], subject=subject, body=body, attachment=False
    )
    assert response.status_code == 422 and f'id="f-{field}-error"' in response.text
    with tenant_scope(tenant.tenant.id):
        assert await Conversation.all().count() == 0


async def test_script_in_a_message_shows_as_text(people) -> None:
    customer, a, anna = people["customer"], people["a"], people["anna"]
    path = (
        (
            await _open_ticket(
                customer,
                anna,
                body="<script>alert(1)</script> https://example.com/x",
                attachment=False,
            )
        )
        .headers["location"]
        .split("?")[0]
    )
    page = await a.get(path.replace("/portal/", "/staff/"))
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text and "<script>alert(1)" not in page.text
    )
    assert '<a href="https://example.com/x" rel="noopener noreferrer nofollow"' in page.text


async def test_customer_without_communication_is_refused(client_for, tenant, passwords) -> None:
    await make_customer(tenant, passwords, email="ohne@kunde.example", insurance_unlock=True)
    customer = client_for(tenant.hostname)
    await customer.log_in("ohne", CUSTOMER_PASSWORD)
    assert (await customer.get("/portal/tickets")).status_code == 404
    assert (await customer.get("/portal/tickets/new")).status_code == 404
    assert "Kommunikation" not in (await customer.get("/portal")).text


async def test_switching_communication_off_closes_the_ticket_at_the_next_request(
    people, tenant
) -> None:
    path = (
        (await _open_ticket(people["customer"], people["anna"], attachment=False))
        .headers["location"]
        .split("?")[0]
    )
    assert (await people["customer"].get(path)).status_code == 200
    with tenant_scope(tenant.tenant.id):
        await CustomerAccess.filter(contact__email="kai@kunde.example").update(
            communication=False, insurance_unlock=True
        )
    refused = await people["customer"].get(path)
    assert refused.status_code == 404 and "Schaden am Auto" not in refused.text


async def test_staff_without_ticket_rights_are_refused(
    people, tenant, passwords, client_for
) -> None:
    await make_staff(tenant, passwords, "carl", "Carl")
    carl = client_for(tenant.hostname)
    await carl.log_in("carl")
    path = (await _open_ticket(people["customer"], people["anna"], attachment=False)).headers[
        "location"
    ]
    staff_path = path.split("?")[0].replace("/portal/", "/staff/")
    assert (await carl.get("/staff/tickets")).status_code == 403
    assert (await carl.get(staff_path)).status_code == 403


async def test_other_customers_and_tenants_cannot_reach_a_ticket(
    people, tenant, other_tenant, passwords, client_for
) -> None:
    path = (
        (await _open_ticket(people["customer"], people["anna"])).headers["location"].split("?")[0]
    )
    await make_customer(
        tenant, passwords, email="nina@nachbar.example", first_name="Nina", communication=True
    )
    nina = client_for(tenant.hostname)
    await nina.log_in("nina", CUSTOMER_PASSWORD)
    assert (await nina.get(path)).status_code == 404
    await make_customer(other_tenant, passwords, email="fritz@fremd.example", communication=True)
    fritz = client_for(other_tenant.hostname)
    await fritz.log_in("fritz", CUSTOMER_PASSWORD)
    assert (await fritz.get(path)).status_code == 404
    beta_admin = client_for(other_tenant.hostname)
    await beta_admin.log_in("beta-admin")
    assert (await beta_admin.get(path.replace("/portal/", "/staff/"))).status_code == 404
    reply = await nina.submit(f"{path}/reply", {"body": "Hallo"}, form_page="/portal")
    assert reply.status_code == 404


async def test_ticket_list_query_count_stays_constant(people, tenant) -> None:
    a, anna, contact = people["a"], people["anna"], people["contact"]

    async def tickets(count: int) -> None:
        with tenant_scope(tenant.tenant.id):
            await Conversation.all().delete()
            await Conversation.bulk_create(
                [
                    Conversation(
                        tenant_id=tenant.tenant.id,
                        contact_id=contact.id,
                        subject=f"T{n}",
                        responsible_id=anna.id,
                        entry_count=1,
                    )
                    for n in range(count)
                ]
            )

    async def queries() -> int:
        with count_queries() as counter:
            page = await a.get("/staff/tickets")
        assert page.status_code == 200
        return counter.count

    await tickets(5)
    few = await queries()
    await tickets(150)
    assert await queries() == few
    assert few <= 3


async def test_what_was_typed_survives_a_failed_reply_or_forward(people) -> None:
    customer, a, anna = people["customer"], people["a"], people["anna"]
    ticket_path = (
        (await _open_ticket(customer, anna, attachment=False)).headers["location"].split("?")[0]
    )
    ticket_id = int(ticket_path.rstrip("/").split("/")[-1])
    staff_path = f"/staff/tickets/{ticket_id}"
    token = await a.csrf(staff_path)
    bad_file = await a.post(
        f"{staff_path}/reply",
        files={
            "csrf_token": (None, token),
            "body": (None, "Lange Antwort, die nicht verloren gehen darf"),
            "file": ("virus.exe", b"MZ\x90\x00" * 20, "application/octet-stream"),
        },
        headers={"Origin": "http://alpha.localhost"},
    )
    assert bad_file.status_code == 422
    assert "Lange Antwort, die nicht verloren gehen darf</textarea>" in bad_file.text
    forward = await a.submit(
        f"{staff_path}/forward",
        {"to_user_id": "999999", "comment": "Bitte übernehmen"},
        form_page=staff_path,
    )
    assert forward.status_code == 422 and "Bitte übernehmen</textarea>" in forward.text


async def test_a_reply_to_a_ticket_closed_meanwhile_goes_on_as_a_new_message(people) -> None:
    customer, a, anna = people["customer"], people["a"], people["anna"]
    ticket_path = (
        (await _open_ticket(customer, anna, attachment=False)).headers["location"].split("?")[0]
    )
    token = await customer.csrf(ticket_path)  # the customer starts writing ...
    ticket_id = int(ticket_path.rstrip("/").split("/")[-1])
    closed = await a.submit(
        f"/staff/tickets/{ticket_id}/close", form_page=f"/staff/tickets/{ticket_id}"
    )
    assert closed.status_code == 303  # ... while staff close the ticket
    late = await customer.post(
        f"{ticket_path}/reply",
        files={"csrf_token": (None, token), "body": (None, "Noch eine Frage zur Police")},
        headers={"Origin": "http://alpha.localhost"},
    )
    assert late.status_code == 422
    assert "geschlossen" in late.text and "Noch eine Frage zur Police</textarea>" in late.text
    carried = await customer.submit(
        "/portal/tickets/new",
        {"subject": "Schaden am Auto", "body": "Noch eine Frage zur Police"},
        form_page=ticket_path,
    )
    assert carried.status_code == 200
    assert 'value="Schaden am Auto"' in carried.text
    assert "Noch eine Frage zur Police</textarea>" in carried.text
