"""The notification centre: the list by day, reading, where each entry leads its reader (staff,
customer, household login), the mail choice, tenant isolation and the bell in the header."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tenant_app.actors import CurrentUser, actor_from
from tenant_app.models.accounts import User
from tenant_app.models.activity import Notification
from tenant_app.models.contacts import Contact
from tenant_app.models.folders import CustomerAccess
from tenant_app.models.households import ContactLink
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant
from tenant_app.services import events
from tests.conftest import CUSTOMER_PASSWORD, make_customer

LIST = "/account/notifications"
BERLIN = ZoneInfo("Europe/Berlin")
FOLDER_RIGHTS = {"insurance_unlock": True, "insurance_share": True, "communication": True}


def actor(user: User) -> CurrentUser:
    """The account as a use case sees it."""
    return actor_from(user)


async def tell(
    tenant: Any,
    who: User,
    kind: str,
    *,
    contact_id: int,
    ago: timedelta | None = None,
    **event: Any,
) -> list[int]:
    """`who` does something (events.record, as the use cases call it); the notifications it
    gave, optionally dated back by `ago`."""
    with tenant_scope(tenant.tenant.id):
        recorded = await events.record(actor(who), kind, contact_id=contact_id, **event)
        told = Notification.filter(event_id=recorded.id)
        if ago is not None:
            await told.update(created_at=datetime.now(UTC) - ago)
        return [row.id for row in await told]


@pytest.fixture
async def office(tenant, passwords, client_for) -> SimpleNamespace:
    """The admin (told of customer actions: no one is responsible), Kai with his own contact
    and, as a household login, his daughter Emma's."""
    kai_contact = await make_customer(tenant, passwords, **FOLDER_RIGHTS)
    with tenant_scope(tenant.tenant.id):
        admin = await User.get(username="alpha-admin")
        kai = await User.get(username="kai")
        emma = await Contact.create(
            first_name="Emma",
            last_name="Kunde",
            email="emma@kunde.example",
            birthdate=date(2012, 5, 6),
        )
        await CustomerAccess.create(contact_id=emma.id, **FOLDER_RIGHTS)
        await ContactLink.create(user_id=kai.id, contact_id=emma.id, consent="Vater")
    staff = client_for(tenant.hostname)
    await staff.log_in("alpha-admin")
    customer = client_for(tenant.hostname)
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    return SimpleNamespace(
        admin=admin, kai=kai, contact=kai_contact, emma=emma, staff=staff, customer=customer
    )


def bell(html: str) -> str:
    """What the header's bell says (its text without tags)."""
    match = re.search(r'<a [^>]*id="bell"[^>]*>(.*?)</a>', html, re.S)
    assert match, "no bell on the page"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


def entries(html: str) -> list[str]:
    """The list's lines, top to bottom, as text."""
    found = re.findall(r'<a class="notification__text"[^>]*>(.*?)</a>', html, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", line)).strip() for line in found]


def unread_ids(html: str) -> set[int]:
    return {int(n) for n in re.findall(r'notification--unread" id="notification-(\d+)"', html)}


async def test_the_list_is_newest_first_and_grouped_by_day(office, tenant) -> None:
    c = office
    contract = {"object_type": "contract", "object_id": 1, "folder": "insurance"}
    await tell(
        tenant,
        c.kai,
        events.CONTRACT_EDITED,
        contact_id=c.contact.id,
        ago=timedelta(days=3),
        title="Hausrat",
        **contract,
    )
    await tell(
        tenant,
        c.kai,
        events.CONTRACT_ADDED,
        contact_id=c.contact.id,
        ago=timedelta(days=1),
        title="Kfz",
        **contract,
    )
    await tell(
        tenant,
        c.kai,
        events.PROFILE_CHANGED,
        contact_id=c.contact.id,
        object_type="contact",
        object_id=c.contact.id,
    )
    page = await c.staff.get(LIST)
    assert page.status_code == 200
    assert entries(page.text) == [
        "Ungelesen: Kai Kunde hat die persönlichen Daten geändert",
        "Ungelesen: Kai Kunde hat den Vertrag Kfz hinzugefügt",
        "Ungelesen: Kai Kunde hat den Vertrag Hausrat geändert",
    ]
    days = re.findall(r'<h3 class="notifications__day">([^<]+)</h3>', page.text)
    three_days_ago = (datetime.now(BERLIN) - timedelta(days=3)).strftime("%d.%m.%Y")
    assert days == ["Heute", "Gestern", three_days_ago]  # days in Berlin, as the pages show
    assert bell(page.text) == "Benachrichtigungen 3 ungelesen"
    # the customer was told nothing: an empty list that says what will show up
    mine = await c.customer.get(LIST)
    assert 'id="no-notifications"' in mine.text and bell(mine.text) == "Benachrichtigungen"


async def test_pages_of_thirty_newest_first(office, tenant) -> None:
    c = office
    for n in range(31):
        await tell(
            tenant, c.kai, events.DOCUMENT_ADDED, contact_id=c.contact.id, title=f"Beleg {n}"
        )
    first = await c.staff.get(LIST)
    assert len(entries(first.text)) == 30 and "Beleg 30" in entries(first.text)[0]
    assert 'rel="next"' in first.text and 'rel="prev"' not in first.text
    second = await c.staff.get(LIST + "?page=2")
    assert [line.split(" das Dokument ")[1] for line in entries(second.text)] == [
        "Beleg 0 hochgeladen"
    ]
    assert (await c.staff.get(LIST + "?page=abc")).status_code == 200  # taken as page 1


async def test_marking_one_and_then_all_read(office, tenant) -> None:
    c = office
    first, second, third = [
        (
            await tell(
                tenant, c.kai, events.DOCUMENT_ADDED, contact_id=c.contact.id, title=f"Nr {n}"
            )
        )[0]
        for n in range(3)
    ]
    done = await c.staff.submit(f"{LIST}/{second}/read", {"page": "1"}, form_page=LIST)
    assert done.status_code == 303 and done.headers["location"] == LIST
    page = await c.staff.get(LIST)
    assert unread_ids(page.text) == {first, third}
    assert bell(page.text) == "Benachrichtigungen 2 ungelesen"
    # htmx: the answer the redirect leads to is the list alone, for the swap
    done = await c.staff.submit(f"{LIST}/read", form_page=LIST, headers={"HX-Request": "true"})
    assert done.status_code == 303
    fragment = await c.staff.get(done.headers["location"], headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith(
        '<section class="card stack notifications" id="notifications"'
    )
    assert "Alle Benachrichtigungen sind als gelesen markiert." in fragment.text
    assert unread_ids(fragment.text) == set() and 'id="read-all"' not in fragment.text
    assert bell((await c.staff.get("/staff")).text) == "Benachrichtigungen"
    with tenant_scope(tenant.tenant.id):
        assert await Notification.filter(read_at__isnull=True).count() == 0


async def test_the_bell_stops_counting_at_99_plus(office, tenant) -> None:
    c = office
    with tenant_scope(tenant.tenant.id):
        for _ in range(100):
            await events.record(None, events.DOCUMENT_ADDED, contact_id=None, tell=[c.admin.id])
    assert bell((await c.staff.get("/staff")).text) == "Benachrichtigungen 99+ ungelesen"


async def _follow(client: Any, notification_id: int) -> str:
    answer = await client.get(f"{LIST}/{notification_id}")
    assert answer.status_code == 303
    return str(answer.headers["location"])


async def test_each_entry_leads_staff_to_the_object_and_is_read(office, tenant) -> None:
    c, contact_id = office, office.contact.id
    contract = await tell(
        tenant,
        c.kai,
        events.CONTRACT_EDITED,
        contact_id=contact_id,
        object_type="contract",
        object_id=5,
        folder="insurance",
    )
    document = await tell(
        tenant,
        c.kai,
        events.DOCUMENT_ADDED,
        contact_id=contact_id,
        object_type="document",
        object_id=6,
        folder="finance",
    )
    profile = await tell(
        tenant,
        c.kai,
        events.PROFILE_CHANGED,
        contact_id=contact_id,
        object_type="contact",
        object_id=contact_id,
    )
    ticket = await tell(
        tenant,
        c.kai,
        events.TICKET_OPENED,
        contact_id=contact_id,
        object_type="ticket",
        object_id=9,
        tell=[c.admin.id],
    )
    assert await _follow(c.staff, contract[0]) == f"/staff/contacts/{contact_id}/folders/insurance"
    assert await _follow(c.staff, document[0]) == f"/staff/contacts/{contact_id}/folders/finance"
    assert await _follow(c.staff, profile[0]) == f"/staff/contacts/{contact_id}"
    assert await _follow(c.staff, ticket[0]) == "/staff/tickets/9"
    with tenant_scope(tenant.tenant.id):
        assert await Notification.filter(read_at__isnull=True).count() == 0
    assert unread_ids((await c.staff.get(LIST)).text) == set()


async def test_each_entry_leads_the_customer_to_their_portal_page(office, tenant) -> None:
    c, contact_id = office, office.contact.id
    shared = await tell(
        tenant,
        c.admin,
        events.DOCUMENT_SHARED,
        contact_id=contact_id,
        object_type="document",
        object_id=3,
        folder="insurance",
        title="Police",
        tell=events.CUSTOMER,
    )
    reply = await tell(
        tenant,
        c.admin,
        events.TICKET_REPLY,
        contact_id=contact_id,
        object_type="ticket",
        object_id=4,
        title="Frage",
        tell=[c.kai.id],
    )
    profile = await tell(
        tenant,
        c.admin,
        events.PROFILE_CHANGED,
        contact_id=contact_id,
        object_type="contact",
        object_id=contact_id,
        tell=events.CUSTOMER,
    )
    page = await c.customer.get(LIST)
    assert (
        entries(page.text)[2] == "Ungelesen: Clara Chef hat das Dokument Police für Sie freigegeben"
    )
    assert bell(page.text) == "Benachrichtigungen 3 ungelesen"
    assert await _follow(c.customer, shared[0]) == "/portal/folders/insurance"
    assert await _follow(c.customer, reply[0]) == "/portal/tickets/4"
    assert await _follow(c.customer, profile[0]) == "/portal/profile"
    assert bell((await c.customer.get("/portal")).text) == "Benachrichtigungen"


async def test_a_household_login_is_led_through_choosing_the_contact(office, tenant) -> None:
    c = office
    emma = await tell(
        tenant,
        c.admin,
        events.DOCUMENT_SHARED,
        contact_id=c.emma.id,
        object_type="document",
        object_id=3,
        folder="insurance",
        title="Zeugnis",
        tell=events.CUSTOMER,
    )
    target = await _follow(c.customer, emma[0])
    assert target == f"/portal/household?contact={c.emma.id}&next=%2Fportal%2Ffolders%2Finsurance"
    offer = await c.customer.get(target)
    assert offer.status_code == 200 and "Emma" in offer.text
    with tenant_scope(tenant.tenant.id):
        assert (await Notification.get(id=emma[0])).read_at is not None
    # once Emma's folders are shown, her entries lead straight there
    await c.customer.submit(
        "/portal/household", {"contact_id": str(c.emma.id)}, form_page="/portal"
    )
    again = await tell(
        tenant,
        c.admin,
        events.DOCUMENT_SHARED,
        contact_id=c.emma.id,
        object_type="document",
        object_id=4,
        folder="insurance",
        tell=events.CUSTOMER,
    )
    assert await _follow(c.customer, again[0]) == "/portal/folders/insurance"


async def test_customers_read_the_office_instead_of_staff_names_if_the_broker_says_so(
    office, tenant
) -> None:
    c = office
    await tell(
        tenant,
        c.admin,
        events.DOCUMENT_SHARED,
        contact_id=c.contact.id,
        folder="insurance",
        title="Police",
        tell=events.CUSTOMER,
    )
    await Tenant.filter(id=tenant.tenant.id).update(trail_shows_staff_names=False)
    assert entries((await c.customer.get(LIST)).text) == [
        "Ungelesen: Ihr Maklerbüro hat das Dokument Police für Sie freigegeben"
    ]
    await tell(tenant, c.kai, events.DOCUMENT_ADDED, contact_id=c.contact.id, title="Beleg")
    assert entries((await c.staff.get(LIST)).text) == [
        "Ungelesen: Kai Kunde hat das Dokument Beleg hochgeladen"
    ]


async def test_the_mail_choice_is_saved_and_a_wrong_one_changes_nothing(office, tenant) -> None:
    c = office
    page = await c.customer.get(LIST)
    assert 'value="delayed" id="f-notification_mail-delayed" checked' in page.text
    saved = await c.customer.submit(LIST + "/mail", {"notification_mail": "daily"}, form_page=LIST)
    assert saved.status_code == 303 and saved.headers["location"] == LIST + "?mail_saved=1"
    page = await c.customer.get(saved.headers["location"])
    assert "Ihre Auswahl wurde gespeichert." in page.text
    assert 'value="daily" id="f-notification_mail-daily" checked' in page.text
    for wrong in ({"notification_mail": "sometimes"}, {}):
        refused = await c.customer.submit(LIST + "/mail", wrong, form_page=LIST)
        assert refused.status_code == 422
        error = "Bitte wählen Sie eine der Möglichkeiten."
        assert f'<p class="field__error" id="f-notification_mail-error">{error}</p>' in refused.text
        assert 'aria-describedby="f-notification_mail-error"' in refused.text
    with tenant_scope(tenant.tenant.id):
        assert (await User.get(id=c.kai.id)).notification_mail == "daily"
        assert (await User.get(id=c.admin.id)).notification_mail == "delayed"
    await c.staff.submit(LIST + "/mail", {"notification_mail": "never"}, form_page=LIST)
    with tenant_scope(tenant.tenant.id):
        assert (await User.get(id=c.admin.id)).notification_mail == "never"
        assert (await User.get(id=c.kai.id)).notification_mail == "daily"


async def test_another_account_or_tenant_can_neither_read_nor_mark_a_notification(
    office, tenant, other_tenant, client_for
) -> None:
    c = office
    staff_told = (await tell(tenant, c.kai, events.DOCUMENT_ADDED, contact_id=c.contact.id))[0]
    other = client_for(other_tenant.hostname)
    await other.log_in("beta-admin")
    for client, form_page in ((other, LIST), (c.customer, LIST)):
        assert (await client.get(f"{LIST}/{staff_told}")).status_code == 404
        marked = await client.submit(f"{LIST}/{staff_told}/read", form_page=form_page)
        assert marked.status_code == 404
        await client.submit(f"{LIST}/read", form_page=form_page)  # their own: none
    for missing in (10**9, 0):
        assert (await c.staff.get(f"{LIST}/{missing}")).status_code == 404
    with tenant_scope(tenant.tenant.id):
        assert (await Notification.get(id=staff_told)).read_at is None
    assert bell((await c.staff.get("/staff")).text) == "Benachrichtigungen 1 ungelesen"


async def test_the_pages_need_a_login_and_the_stream_says_nothing_without_one(client) -> None:
    answer = await client.get(LIST)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    stream = await client.get(LIST + "/stream")
    assert stream.status_code == 204


async def test_the_layouts_connect_once_and_the_badges_wait_for_the_stream(office) -> None:
    for client, home in ((office.staff, "/staff"), (office.customer, "/portal")):
        page = (await client.get(home)).text
        assert page.count('sse-connect="/account/notifications/stream"') == 1
        assert page.count('sse-swap="bell"') == 1
        assert "/static/js/sse-2.2.4.min.js" in page
        badges = re.findall(r'hx-trigger="([^"]*)"', page)
        # the stream's wrapper relays the ticket and chat nudges to the body
        assert "sse:tickets, sse:chats" in badges
        assert all("every 30s" not in trigger for trigger in badges)
        assert any("sse:tickets from:body" in trigger for trigger in badges)
