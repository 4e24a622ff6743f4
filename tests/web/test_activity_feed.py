"""The staff's activity feed: a customer's edit in the portal reaches the responsible member's
feed with old → new values; "geprüft" by whom and when; filters; who may see and check what;
restoring a contract the customer deleted; the same number of queries however long the feed."""

from __future__ import annotations

import re
from typing import Any

from tenant_app.models.accounts import User
from tenant_app.models.activity import Event, Notification
from tenant_app.models.contacts import ContactResponsible
from tenant_app.models.folders import Contract
from tenant_app.models.scoping import tenant_scope
from tests.conftest import ADMIN_PASSWORD, CUSTOMER_PASSWORD, make_customer, page_queries
from tests.folder_helpers import add_contract
from tests.html_forms import form_fields
from tests.web.test_notifications import bell

FEED = "/staff/activity"
COUNT_RE = re.compile(r'<span id="activity-count"(?: class="badge")?>(\d*)')
HTMX = {"HX-Request": "true"}


async def _staff(tenant: Any, passwords: Any, username: str, **rights: Any) -> User:
    with tenant_scope(tenant.tenant.id):
        return await User.create(
            kind="staff",
            role="mitarbeiter",
            username=username,
            email=f"{username}@alpha.example",
            first_name=username.capitalize(),
            last_name="Makler",
            password_hash=await passwords.hash(ADMIN_PASSWORD),
            **rights,
        )


async def _responsible(tenant: Any, contact: Any, user: User) -> None:
    with tenant_scope(tenant.tenant.id):
        await ContactResponsible.create(contact_id=contact.id, user_id=user.id)


async def _logged_in(client_for: Any, tenant: Any, username: str, password: str) -> Any:
    client = client_for(tenant.hostname)
    await client.log_in(username, password)
    return client


async def _edit(customer: Any, contract_id: int, **changes: str) -> None:
    """The customer changes fields through the portal's edit form, as a browser would."""
    path = f"/portal/contracts/{contract_id}"
    fields = form_fields((await customer.get(path)).text, path)
    response = await customer.submit(path, {**fields, **changes}, form_page=path)
    assert response.status_code == 303, response.text[:500]


def _sidebar_count(html: str) -> str:
    match = COUNT_RE.search(html)
    assert match, "no activity count in the sidebar"
    return match.group(1)


async def _event(tenant: Any, kind: str = "contract_edited") -> Event:
    with tenant_scope(tenant.tenant.id):
        return await Event.filter(kind=kind).order_by("-id").first()


async def _setup(client_for: Any, tenant: Any, passwords: Any) -> dict[str, Any]:
    """Kai (insurance: data share) with a broker contract; Mia is responsible for him."""
    contact = await make_customer(tenant, passwords, insurance_share=True)
    mia = await _staff(tenant, passwords, "mia", access_insurance="write")
    await _responsible(tenant, contact, mia)
    contract = await add_contract(tenant, contact, number="V-1")
    customer = await _logged_in(client_for, tenant, "kai", CUSTOMER_PASSWORD)
    return {"contact": contact, "mia": mia, "contract": contract, "customer": customer}


async def test_a_customers_edit_reaches_the_responsible_member_with_old_and_new_values(
    client_for, tenant, passwords
) -> None:
    world = await _setup(client_for, tenant, passwords)
    await _edit(world["customer"], world["contract"].id, gross_premium="45,90")
    mia = await _logged_in(client_for, tenant, "mia", ADMIN_PASSWORD)
    page = await mia.get(FEED)
    assert page.status_code == 200
    event = await _event(tenant)
    entry = page.text[page.text.index(f'id="activity-{event.id}"') :]
    assert "Kai Kunde hat den Vertrag Hausrat" in entry
    assert "Bruttobeitrag je Zahlungsperiode (€):" in entry
    assert "<del>12,50\xa0€</del>" in entry and "<ins>45,90\xa0€</ins>" in entry
    assert f'href="/staff/contacts/{world["contact"].id}"' in entry  # who: to the contact
    assert "Als geprüft markieren" in entry
    assert _sidebar_count(page.text) == "1"
    # the contact's own page shows it too, and its whole feed is a page of its own
    detail = await mia.get(f"/staff/contacts/{world['contact'].id}")
    assert f'id="activity-{event.id}"' in detail.text
    own = await mia.get(f"/staff/contacts/{world['contact'].id}/activity")
    assert own.status_code == 200 and "<ins>45,90\xa0€</ins>" in own.text
    # and the home's card of customers' changes names the values
    home = await mia.get("/staff")
    card = home.text[home.text.index('id="card-activity"') :]
    assert "<del>12,50\xa0€</del>" in card and "<ins>45,90\xa0€</ins>" in card


async def test_checked_by_whom_and_when_and_unchecked_again(client_for, tenant, passwords) -> None:
    world = await _setup(client_for, tenant, passwords)
    await _edit(world["customer"], world["contract"].id, insurance_number="V-2")
    event = await _event(tenant)
    mia = await _logged_in(client_for, tenant, "mia", ADMIN_PASSWORD)
    check = f"{FEED}/{event.id}/check"
    assert bell((await mia.get(FEED)).text) == "Benachrichtigungen 1 ungelesen"  # it rings

    done = await mia.submit(check, {"checked": "1", "next": FEED}, form_page=FEED)
    assert done.status_code == 303
    assert done.headers["location"] == f"{FEED}?checked=1#activity-{event.id}"
    with tenant_scope(tenant.tenant.id):
        stored = await Event.get(id=event.id)
    assert stored.checked_by_id == world["mia"].id and stored.checked_at is not None
    everything = await mia.get(f"{FEED}?filter=all&checked=1")
    assert "Als geprüft markiert." in everything.text
    assert re.search(r"Geprüft von Mia Makler am \d\d\.\d\d\.\d{4} \d\d:\d\d", everything.text)
    assert _sidebar_count(everything.text) == ""  # nothing left to check
    assert bell(everything.text) == "Benachrichtigungen"  # checked is read: quiet, no mail
    with tenant_scope(tenant.tenant.id):
        told = await Notification.get(event_id=event.id, user_id=world["mia"].id)
    assert told.read_at is not None
    assert f'id="activity-{event.id}"' not in (await mia.get(FEED)).text  # unchecked only

    # with HTMX: the entry comes back unchecked, with the sidebar's count out of band
    headers = {**HTMX, "X-CSRF-Token": await mia.csrf(FEED), "Origin": f"http://{mia.host}"}
    again = await mia.post(check, data={"next": FEED}, headers=headers)
    assert again.status_code == 200
    swapped = f'<article class="activity-entry" id="activity-{event.id}"'
    assert again.text.lstrip().startswith(swapped)
    assert "Als geprüft markieren" in again.text
    assert re.search(r'<span id="activity-count" class="badge" hx-swap-oob="true">1<', again.text)
    with tenant_scope(tenant.tenant.id):
        assert (await Event.get(id=event.id)).checked_at is None
    assert _sidebar_count((await mia.get(FEED)).text) == "1"


async def test_filters_unchecked_mine_and_all(client_for, tenant, passwords) -> None:
    """Clara (admin, sees all) was not told of Kai's edit (Mia is responsible): it is in her
    unchecked and all lists, not in "mine"; once checked, only in "all"."""
    world = await _setup(client_for, tenant, passwords)
    await _edit(world["customer"], world["contract"].id, note="Bitte prüfen")
    event = await _event(tenant)
    marker = f'id="activity-{event.id}"'
    clara = await _logged_in(client_for, tenant, "alpha-admin", ADMIN_PASSWORD)
    assert marker in (await clara.get(FEED)).text
    assert marker in (await clara.get(f"{FEED}?filter=all")).text
    mine = await clara.get(f"{FEED}?filter=mine")
    assert marker not in mine.text and 'id="no-activity"' in mine.text
    mia = await _logged_in(client_for, tenant, "mia", ADMIN_PASSWORD)
    assert marker in (await mia.get(f"{FEED}?filter=mine")).text
    await clara.submit(f"{FEED}/{event.id}/check", {"checked": "1"}, form_page=FEED)
    assert marker not in (await mia.get(FEED)).text
    assert marker in (await mia.get(f"{FEED}?filter=mine")).text  # told to her, checked
    assert "Geprüft von Clara Chef" in (await mia.get(f"{FEED}?filter=all")).text


async def test_members_who_may_not_see_it_neither_see_nor_check_it(
    client_for, tenant, passwords, other_tenant
) -> None:
    world = await _setup(client_for, tenant, passwords)
    await _edit(world["customer"], world["contract"].id, note="Neu")
    event = await _event(tenant)
    marker = f'id="activity-{event.id}"'
    # Otto reads insurance but sees only his own contacts; Fritz is responsible for Kai but
    # may not read the insurance folder
    await _staff(tenant, passwords, "otto", access_insurance="write")
    fritz = await _staff(tenant, passwords, "fritz", access_finance="write")
    await _responsible(tenant, world["contact"], fritz)
    for username in ("otto", "fritz"):
        member = await _logged_in(client_for, tenant, username, ADMIN_PASSWORD)
        for filter_name in ("unchecked", "mine", "all"):
            assert marker not in (await member.get(f"{FEED}?filter={filter_name}")).text
        refused = await member.submit(f"{FEED}/{event.id}/check", {"checked": "1"}, form_page=FEED)
        assert refused.status_code == 404, username
    own_page = await member.get(f"/staff/contacts/{world['contact'].id}/activity?filter=all")
    assert own_page.status_code == 200 and marker not in own_page.text  # Fritz sees Kai, not it
    # another tenant's admin: the event does not exist for them
    beta = await _logged_in(client_for, other_tenant, "beta-admin", ADMIN_PASSWORD)
    assert marker not in (await beta.get(f"{FEED}?filter=all")).text
    refused = await beta.submit(f"{FEED}/{event.id}/check", {"checked": "1"}, form_page=FEED)
    assert refused.status_code == 404
    with tenant_scope(tenant.tenant.id):
        assert (await Event.get(id=event.id)).checked_at is None


async def test_ticket_events_only_for_members_who_handle_tickets(
    client_for, tenant, passwords
) -> None:
    world = await _setup(client_for, tenant, passwords)
    with tenant_scope(tenant.tenant.id):
        event = await Event.create(
            kind="ticket_opened",
            actor_kind="customer",
            actor_name="Kai Kunde",
            contact_id=world["contact"].id,
            object_type="ticket",
            object_id=None,
            title="Umzug",
        )
        await Notification.create(user_id=world["mia"].id, event_id=event.id)
    mia = await _logged_in(client_for, tenant, "mia", ADMIN_PASSWORD)
    assert "Umzug" not in (await mia.get(f"{FEED}?filter=all")).text
    refused = await mia.submit(f"{FEED}/{event.id}/check", {"checked": "1"}, form_page=FEED)
    assert refused.status_code == 404
    clara = await _logged_in(client_for, tenant, "alpha-admin", ADMIN_PASSWORD)
    assert "Kai Kunde hat die Anfrage Umzug gestellt" in (await clara.get(FEED)).text


async def test_restoring_a_contract_the_customer_deleted(client_for, tenant, passwords) -> None:
    world = await _setup(client_for, tenant, passwords)
    contract = world["contract"]
    deleted = await world["customer"].submit(
        f"/portal/contracts/{contract.id}/delete", form_page="/portal/folders/insurance"
    )
    assert deleted.status_code == 303
    event = await _event(tenant, "contract_deleted")
    restore = f"{FEED}/{event.id}/restore"
    # Rita reads the insurance folder only: she sees the entry but cannot restore
    rita = await _staff(tenant, passwords, "rita", access_insurance="read")
    await _responsible(tenant, world["contact"], rita)
    reader = await _logged_in(client_for, tenant, "rita", ADMIN_PASSWORD)
    page = (await reader.get(FEED)).text
    assert f'id="activity-{event.id}"' in page and restore not in page
    assert (await reader.submit(restore, form_page=FEED)).status_code == 403

    mia = await _logged_in(client_for, tenant, "mia", ADMIN_PASSWORD)
    page = (await mia.get(FEED)).text
    assert "Kai Kunde hat den Vertrag Hausrat" in page and f'action="{restore}"' in page
    done = await mia.submit(restore, {"next": FEED}, form_page=FEED)
    assert done.status_code == 303 and "restored=1" in done.headers["location"]
    with tenant_scope(tenant.tenant.id):
        assert (await Contract.get(id=contract.id)).deleted_at is None
        assert (await Event.get(id=event.id)).checked_by_id == world["mia"].id
    after = (await mia.get(f"{FEED}?filter=all")).text
    assert restore not in after and f'id="activity-{event.id}-restored"' in after
    assert "Der Vertrag wurde wiederhergestellt." in (await mia.get(f"{FEED}?restored=1")).text


async def test_the_feed_costs_the_same_queries_however_many_entries(
    client_for, tenant, passwords
) -> None:
    world = await _setup(client_for, tenant, passwords)
    mia = await _logged_in(client_for, tenant, "mia", ADMIN_PASSWORD)

    async def events(count: int) -> None:
        with tenant_scope(tenant.tenant.id):
            await Event.all().delete()
            for number in range(count):
                event = await Event.create(
                    kind="contract_edited",
                    actor_kind="customer",
                    actor_name="Kai Kunde",
                    contact_id=world["contact"].id,
                    object_type="contract",
                    object_id=world["contract"].id,
                    folder="insurance",
                    title="Hausrat",
                    changes={"insurance_number": [f"V-{number}", f"V-{number + 1}"]},
                    checked_at=None,
                )
                await Notification.create(user_id=world["mia"].id, event_id=event.id)

    await events(3)
    few = await page_queries(mia, FEED)
    await events(60)
    many = await page_queries(mia, FEED)
    assert few == many <= 2  # the session (with the sidebar's count), the page of entries
    second = await mia.get(f"{FEED}?page=2")
    assert second.text.count('class="activity-entry"') == 10 and 'rel="prev"' in second.text
