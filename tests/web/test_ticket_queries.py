"""The two ticket pages send the same few queries for 2 entries or 200, and still show it all."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from tenant_app.models.accounts import User
from tenant_app.models.conversations import (
    Conversation,
    ConversationEntry,
    ConversationEvent,
    ConversationParticipant,
)
from tenant_app.models.folders import Document
from tenant_app.models.scoping import tenant_scope
from tests.conftest import CUSTOMER_PASSWORD, make_customer, page_queries
from tests.folder_helpers import add_contract
from tests.web.test_tickets import make_staff

STAFF_PAGE_QUERIES = 4  # session; ticket with contact and contracts; thread; colleagues
CUSTOMER_PAGE_QUERIES = 3  # session; permissions with the ticket; thread


@pytest.fixture
async def ticket(tenant, passwords, client_for) -> SimpleNamespace:
    """An open ticket from Kai to Anna (responsible), Kai and Anna logged in."""
    anna = await make_staff(
        tenant, passwords, "anna", "Anna", handles_tickets=True, access_insurance="write"
    )
    await make_staff(tenant, passwords, "ben", "Ben", handles_tickets=True)
    contact = await make_customer(tenant, passwords, communication=True)
    await add_contract(tenant, contact, number="HR-4711")
    with tenant_scope(tenant.tenant.id):
        kai = await User.get(contact_id=contact.id)
        conversation = await Conversation.create(
            contact_id=contact.id, subject="Schaden am Auto", responsible_id=anna.id
        )
        for user, role in ((kai, "customer"), (anna, "staff")):
            await ConversationParticipant.create(
                conversation_id=conversation.id, user_id=user.id, role=role
            )
    customer, staff = client_for(tenant.hostname), client_for(tenant.hostname)
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    await staff.log_in("anna")
    return SimpleNamespace(
        id=conversation.id,
        contact=contact,
        kai=kai,
        anna=anna,
        customer=customer,
        staff=staff,
        portal_path=f"/portal/tickets/{conversation.id}",
        staff_path=f"/staff/tickets/{conversation.id}",
    )


async def _fill(tenant: Any, ticket: SimpleNamespace, count: int) -> None:
    """Replace the thread by `count` entries (every tenth with an attachment) and their history."""
    tenant_id = tenant.tenant.id
    with tenant_scope(tenant_id):
        await ConversationEntry.filter(conversation_id=ticket.id).delete()
        await ConversationEvent.filter(conversation_id=ticket.id).delete()
        await Document.filter(contact_id=ticket.contact.id).delete()
        await Document.bulk_create(
            [
                Document(
                    tenant_id=tenant_id,
                    contact_id=ticket.contact.id,
                    title=f"Anhang {n}",
                    filename=f"foto-{n}.pdf",
                    storage_key=f"{tenant_id}/ticket-{ticket.id}-{n}",
                    content_type="application/pdf",
                    size=1,
                    sha256="0" * 64,
                    uploaded_by_customer=True,
                )
                for n in range(0, count, 10)
            ]
        )
        documents = {d.filename: d.id for d in await Document.filter(contact_id=ticket.contact.id)}
        authors = (ticket.kai, ticket.anna)
        await ConversationEntry.bulk_create(
            [
                ConversationEntry(
                    tenant_id=tenant_id,
                    conversation_id=ticket.id,
                    author_id=authors[n % 2].id,
                    by_customer=n % 2 == 0,
                    body=f"Nachricht {n}",
                    document_id=documents.get(f"foto-{n}.pdf"),
                )
                for n in range(count)
            ]
        )
        await ConversationEvent.bulk_create(
            [
                ConversationEvent(
                    tenant_id=tenant_id,
                    conversation_id=ticket.id,
                    kind="created" if n == 0 else "replied",
                    actor_id=authors[n % 2].id,
                    actor_name=authors[n % 2].full_name,
                )
                for n in range(count)
            ]
        )
        await Conversation.filter(id=ticket.id).update(entry_count=count)


@pytest.mark.parametrize(
    ("who", "path", "limit"),
    [
        ("staff", "staff_path", STAFF_PAGE_QUERIES),
        ("customer", "portal_path", CUSTOMER_PAGE_QUERIES),
    ],
)
async def test_ticket_page_query_count(tenant, ticket, who: str, path: str, limit: int) -> None:
    client, url = getattr(ticket, who), getattr(ticket, path)
    await _fill(tenant, ticket, 2)
    few = await page_queries(client, url)
    await _fill(tenant, ticket, 200)
    many = await page_queries(client, url)
    assert few == many <= limit


async def test_pages_show_every_entry_its_author_and_the_history(tenant, ticket) -> None:
    await _fill(tenant, ticket, 3)
    with tenant_scope(tenant.tenant.id):
        await ConversationEvent.create(
            conversation_id=ticket.id,
            kind="forwarded",
            actor_id=ticket.anna.id,
            actor_name="Anna Team",
            target_name="Ben Team",
            comment="Bitte übernehmen",
        )
        await ConversationEntry.filter(conversation_id=ticket.id, body="Nachricht 2").update(
            author_id=None  # the author's account was deleted
        )
    staff_page = (await ticket.staff.get(ticket.staff_path)).text
    customer_page = (await ticket.customer.get(ticket.portal_path)).text
    for page in (staff_page, customer_page):
        entries = page.split('id="thread"')[1].split("</ol>")[0]
        assert entries.count("<li ") == 3
        for author, body in (
            ("Kai Kunde", "Nachricht 0"),
            ("Anna Team", "Nachricht 1"),
            ("Ehemaliger Benutzer", "Nachricht 2"),
        ):
            assert f"<strong>{author}</strong>" in entries and body in entries
        assert "foto-0.pdf" in entries  # the attachment of the first entry
        history = page.split('id="history"')[1]
        assert "Kai Kunde hat das Ticket eröffnet" in history
        assert "Anna Team hat geantwortet" in history
        forward = "Anna Team hat das Ticket an Ben Team weitergeleitet: „Bitte übernehmen“"
        assert (forward in history) is (page is staff_page)  # a forward is the office's business
    contact_link = f'<a href="/staff/contacts/{ticket.contact.id}">Kai Kunde</a>'
    assert "Schaden am Auto" in staff_page and contact_link in staff_page
    assert "Hausrat · HR-4711</option>" in staff_page  # where the attachment may be filed
    forward_to = staff_page.split('id="f-to_user_id"')[1].split("</select>")[0]
    assert "Ben Team</option>" in forward_to and "Anna Team" not in forward_to  # not to herself


async def test_a_customer_cannot_open_another_customers_ticket(
    tenant, other_tenant, passwords, client_for, ticket
) -> None:
    await make_customer(
        tenant, passwords, email="nina@nachbar.example", first_name="Nina", communication=True
    )
    nina = client_for(tenant.hostname)
    await nina.log_in("nina", CUSTOMER_PASSWORD)
    await make_customer(other_tenant, passwords, email="fritz@fremd.example", communication=True)
    fritz = client_for(other_tenant.hostname)
    await fritz.log_in("fritz", CUSTOMER_PASSWORD)
    assert (await ticket.customer.get(ticket.portal_path)).status_code == 200
    assert (await nina.get(ticket.portal_path)).status_code == 404
    assert (await fritz.get(ticket.portal_path)).status_code == 404


async def test_staff_see_only_the_tickets_their_rights_allow(
    tenant, other_tenant, passwords, client_for, ticket
) -> None:
    await make_staff(tenant, passwords, "dora", "Dora", handles_tickets=True)
    await make_staff(
        tenant, passwords, "emil", "Emil", handles_tickets=True, sees_all_contacts=True
    )
    dora, emil = client_for(tenant.hostname), client_for(tenant.hostname)
    await dora.log_in("dora")  # neither responsible nor taking part
    await emil.log_in("emil")
    beta_admin = client_for(other_tenant.hostname)
    await beta_admin.log_in("beta-admin")
    assert (await dora.get(ticket.staff_path)).status_code == 404
    assert (await beta_admin.get(ticket.staff_path)).status_code == 404
    assert "Schaden am Auto" in (await emil.get(ticket.staff_path)).text
    with tenant_scope(tenant.tenant.id):
        dora_id = (await User.get(username="dora")).id
        await ConversationParticipant.create(
            conversation_id=ticket.id, user_id=dora_id, role="staff"
        )
    assert "Schaden am Auto" in (await dora.get(ticket.staff_path)).text
