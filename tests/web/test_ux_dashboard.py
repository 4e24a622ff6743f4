"""The staff home lists what needs attention, card by card, each with a count and links, and
only on the contacts (and folders, and tickets) the member may see."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from tenant_app.models.accounts import User
from tenant_app.models.contacts import ContactNotice, ContactResponsible
from tenant_app.models.conversations import Conversation
from tenant_app.models.folders import Contract
from tenant_app.models.scoping import tenant_scope
from tests.conftest import make_customer
from tests.folder_helpers import add_contract, add_document
from tests.web.test_tickets import make_staff


def count_of(page: str, card: str) -> int | None:
    found = re.search(rf'id="{card}-count">(\d+)<', page)
    return int(found.group(1)) if found else None


async def _work_for(tenant, passwords, settings, contact) -> dict[str, int]:
    """One item for every card on this contact; the ids to find their links."""
    to_check = await add_contract(tenant, contact, by_customer=True, number="K-1")
    deleted = await add_contract(tenant, contact, by_customer=True, number="K-2")
    upload = await add_document(tenant, settings, contact, title="Scan", by_customer=True)
    await add_contract(tenant, contact, "finance", by_customer=True, number="F-1")
    with tenant_scope(tenant.tenant.id):
        await Contract.filter(id=deleted.id).update(deleted_at=datetime.now(UTC))
        ticket = await Conversation.create(
            contact_id=contact.id,
            subject="Frage zur Police",
            last_entry_by_customer=True,
            last_entry_at=datetime.now(UTC),
            entry_count=1,
        )
        await Conversation.create(  # answered: not waiting
            contact_id=contact.id, subject="Erledigt", last_entry_at=datetime.now(UTC)
        )
        await User.filter(contact_id=contact.id).update(
            password_hash=None, registration_sent_at=datetime.now(UTC)
        )
        await ContactNotice.create(contact_id=contact.id, kind="mail_failed")
    return {
        "to_check": to_check.id,
        "deleted": deleted.id,
        "upload": upload.id,
        "ticket": ticket.id,
    }


async def test_every_card_counts_and_links(client, tenant, passwords, settings) -> None:
    contact = await make_customer(tenant, passwords)
    ids = await _work_for(tenant, passwords, settings, contact)
    await client.log_in("alpha-admin")
    page = (await client.get("/staff")).text

    assert count_of(page, "to-check") == 2  # the insurance and the finance one
    assert count_of(page, "card-deleted") == 1
    assert count_of(page, "card-uploads") == 1
    assert count_of(page, "card-tickets") == 1  # the answered ticket does not count
    assert count_of(page, "card-registrations") == 1
    assert count_of(page, "open-notices") == 1
    base = f"/staff/contacts/{contact.id}"
    assert f'href="{base}/folders/insurance#contract-{ids["to_check"]}"' in page
    assert f'href="{base}/folders/insurance#contract-{ids["deleted"]}"' in page
    assert f'href="/staff/tickets/{ids["ticket"]}"' in page
    assert 'href="/staff/tickets?status=open&amp;scope=all"' in page
    assert f'href="{base}"' in page  # the registration
    assert f'href="{base}#notices"' in page
    assert 'id="nothing-to-do"' not in page


async def test_a_quiet_day_shows_a_calm_empty_state(client, tenant, passwords) -> None:
    await make_customer(tenant, passwords)
    await client.log_in("alpha-admin")
    page = (await client.get("/staff")).text
    assert 'id="nothing-to-do"' in page
    assert "Gerade gibt es nichts zu tun." in page
    assert 'id="card-' not in page


async def test_cards_show_only_what_the_member_may_see(
    client, client_for, tenant, passwords, settings
) -> None:
    # Nina reads insurance only, handles no tickets, sees only her own contacts.
    nina = await make_staff(tenant, passwords, "nina", "Nina", access_insurance="read")
    mine = await make_customer(tenant, passwords, email="mia@kunde.example", first_name="Mia")
    other = await make_customer(tenant, passwords, email="olaf@kunde.example", first_name="Olaf")
    for contact in (mine, other):
        await _work_for(tenant, passwords, settings, contact)
    with tenant_scope(tenant.tenant.id):
        await ContactResponsible.create(contact_id=mine.id, user_id=nina.id)
    staff = client_for(tenant.hostname)
    await staff.log_in("nina")
    page = (await staff.get("/staff")).text

    assert 'id="contacts-count">1<' in page
    assert count_of(page, "to-check") == 1  # not the finance one, not Olaf's
    assert count_of(page, "card-deleted") == 1
    assert count_of(page, "card-uploads") == 1
    assert count_of(page, "card-registrations") == 1
    assert count_of(page, "open-notices") == 1
    assert 'id="card-tickets"' not in page  # no ticket rights
    assert "Olaf" not in page
    assert f"/staff/contacts/{other.id}" not in page

    # Ben handles tickets of his own contacts only: Olaf's waiting ticket is not his.
    await make_staff(tenant, passwords, "ben", "Ben", handles_tickets=True)
    ben = client_for(tenant.hostname)
    await ben.log_in("ben")
    page = (await ben.get("/staff")).text
    assert 'id="card-tickets"' not in page
    assert 'id="to-check"' not in page  # no folder rights
    with tenant_scope(tenant.tenant.id):
        ben_id = (await User.get(username="ben")).id
        await Conversation.filter(contact_id=other.id).update(responsible_id=ben_id)
    page = (await ben.get("/staff")).text
    assert count_of(page, "card-tickets") == 1
    assert 'href="/staff/tickets?status=open"' in page


async def test_more_than_a_card_lists_is_counted(client, tenant, passwords) -> None:
    contact = await make_customer(tenant, passwords)
    for number in range(7):
        await add_contract(tenant, contact, by_customer=True, number=f"K-{number}")
    await client.log_in("alpha-admin")
    page = (await client.get("/staff")).text
    assert count_of(page, "to-check") == 7
    assert page.count("#contract-") == 5
    assert "und 2 weitere" in page
