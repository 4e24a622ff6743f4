"""`events.record()`: who hears of what (the edge cases the pages rarely reach), and the live
signal it sends: on SQLite straight to the broker's subscriptions, on PostgreSQL as a NOTIFY
that leaves with the commit and never with a rollback."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import asyncpg
import pytest
from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser, actor_from
from tenant_app.live.broker import CHANNEL, broker, publish
from tenant_app.live.postgres import asyncpg_dsn
from tenant_app.models.accounts import User
from tenant_app.models.activity import Event, Notification
from tenant_app.models.contacts import ContactResponsible
from tenant_app.models.households import ContactLink
from tenant_app.models.scoping import tenant_scope
from tenant_app.services import events
from tests.conftest import make_customer, make_tenant

WAIT = 10.0  # seconds: only ever reached when a signal that must come never does


def _actor(user: User) -> CurrentUser:
    return actor_from(user)


async def _staff(username: str, **rights: Any) -> User:
    return await User.create(
        kind="staff",
        username=username,
        email=f"{username}@alpha.example",
        first_name=username.capitalize(),
        last_name="Staff",
        password_hash="x",
        **rights,
    )


async def _told(event: Event) -> list[str]:
    users = await Notification.filter(event_id=event.id).values_list("user__username", flat=True)
    return sorted(str(user) for user in users)


@pytest.fixture
async def people(tenant, passwords) -> dict[str, Any]:
    """Kai (insurance: data share) and his login; Clara the admin; Rita reads insurance."""
    contact = await make_customer(tenant, passwords, insurance_share=True)
    with tenant_scope(tenant.tenant.id):
        rita = await _staff("rita", access_insurance="read")
        return {
            "contact": contact,
            "kai": await User.get(contact_id=contact.id),
            "clara": await User.get(username="alpha-admin"),
            "rita": rita,
        }


async def test_unknown_kinds_and_staff_viewing_as_the_customer_record_nothing(
    tenant, people
) -> None:
    kai = _actor(people["kai"])
    with tenant_scope(tenant.tenant.id):
        with pytest.raises(ValueError, match="unknown event kind"):
            await events.record(kai, "contract_eaten", contact_id=people["contact"].id)
        viewing = replace(kai, viewing_staff_id=people["clara"].id)
        with pytest.raises(ValueError, match="viewing as the customer"):
            await events.record(viewing, events.CONTRACT_EDITED, contact_id=people["contact"].id)
        assert await Event.all().count() == 0


async def test_default_audiences_and_the_actor_never_told(tenant, people) -> None:
    contact_id = people["contact"].id
    with tenant_scope(tenant.tenant.id):
        by_customer = await events.record(
            _actor(people["kai"]), events.DOCUMENT_ADDED, contact_id=contact_id, folder="insurance"
        )
        by_staff = await events.record(
            _actor(people["clara"]), events.DOCUMENT_ADDED, contact_id=contact_id
        )
        by_system = await events.record(None, events.CONTRACT_EDITED, contact_id=contact_id)
        explicit = await events.record(
            _actor(people["rita"]),
            events.TICKET_REPLY,
            contact_id=contact_id,
            tell=[people["rita"].id, people["kai"].id],
        )
        # no responsible: those who manage contacts (Rita only reads insurance)
        assert await _told(by_customer) == ["alpha-admin"]
        assert await _told(by_staff) == []  # a staff action: nobody unless told
        assert (by_system.actor_kind, by_system.actor_name) == ("system", "")
        assert await _told(by_system) == []
        assert await _told(explicit) == ["kai"]  # Rita is the actor


async def test_staff_routing_leaves_out_the_inactive_and_those_without_the_folder(
    tenant, people
) -> None:
    kai, contact_id = _actor(people["kai"]), people["contact"].id
    with tenant_scope(tenant.tenant.id):
        gone = await _staff("gone", access_insurance="write", is_active=False)
        blind = await _staff("blind", access_finance="write")
        # manages contacts, but sees only his own: Kai is not one of them
        await _staff("sam", access_insurance="write", manages_contacts=True)
        for user in (gone, blind):
            await ContactResponsible.create(contact_id=contact_id, user_id=user.id)
        fallback = await events.record(
            kai, events.CONTRACT_EDITED, contact_id=contact_id, folder="insurance"
        )
        outside = await events.record(kai, events.PROFILE_CHANGED, contact_id=contact_id)
        await ContactResponsible.create(contact_id=contact_id, user_id=people["rita"].id)
        rita = await events.record(
            kai, events.CONTRACT_EDITED, contact_id=contact_id, folder="insurance"
        )
        # no responsible left who is active and may read insurance: those who manage contacts
        # and see every contact hear of it (not Sam, who may not even open Kai's page)
        assert await _told(fallback) == ["alpha-admin"]
        assert await _told(outside) == ["blind"]
        assert await _told(rita) == ["rita"]
        no_contact = await events.record(kai, events.TICKET_OPENED, contact_id=None)
        assert await _told(no_contact) == ["alpha-admin"]


async def test_customer_routing_needs_a_registered_active_login_or_a_household_link(
    tenant, passwords, people
) -> None:
    clara, contact_id = _actor(people["clara"]), people["contact"].id
    other = await make_customer(tenant, passwords, email="max@kunde.example", first_name="Max")
    with tenant_scope(tenant.tenant.id):
        max_login = await User.get(contact_id=other.id)
        await ContactLink.create(user_id=max_login.id, contact_id=contact_id)
        told = await events.record(
            clara,
            events.DOCUMENT_SHARED,
            contact_id=contact_id,
            folder="insurance",
            tell="customer",
        )
        assert await _told(told) == ["kai", "max"]
        await User.filter(id=people["kai"].id).update(password_hash=None)  # not registered
        await User.filter(id=max_login.id).update(is_active=False)  # a link still counts
        again = await events.record(
            clara, events.TICKET_REPLY, contact_id=contact_id, tell=events.CUSTOMER
        )
        assert await _told(again) == ["max"]
        hidden = await events.record(
            clara, events.DOCUMENT_SHARED, contact_id=contact_id, folder="finance", tell="customer"
        )
        assert await _told(hidden) == []
        assert (
            await _told(
                await events.record(clara, events.TICKET_REPLY, contact_id=None, tell="customer")
            )
            == []
        )


async def test_changes_between_keeps_only_changed_columns_as_json_values() -> None:
    before = {"note": "", "premium": Decimal("12.50"), "start": date(2024, 1, 1), "city": None}
    after = {"note": None, "premium": Decimal("15.00"), "start": date(2024, 2, 1), "city": "Köln"}
    found = events.changes_between(before, after, ["note", "premium", "start", "city", "phone"])
    assert found == {
        "premium": ["12.50", "15.00"],
        "start": ["2024-01-01", "2024-02-01"],
        "city": [None, "Köln"],
    }
    json.dumps(found)  # stored as JSON as it is
    assert events.changes_between({"a": Decimal("1.0")}, {"a": Decimal("1.00")}, ["a"]) == {}


async def test_notifications_stay_in_their_tenant(tenant, passwords, people) -> None:
    beta = await make_tenant(passwords, "beta", "Beta Finanz KG")
    with tenant_scope(tenant.tenant.id):
        event = await events.record(
            _actor(people["kai"]), events.PROFILE_CHANGED, contact_id=people["contact"].id
        )
        rows = await Notification.filter(event_id=event.id).values_list("tenant_id", flat=True)
    assert rows and set(rows) == {tenant.tenant.id}
    with tenant_scope(beta.tenant.id):
        assert await Notification.all().count() == 0


# --- the live signal --------------------------------------------------------------------------


def _on_postgres(settings: Any) -> bool:
    return str(settings.database_url).startswith(("postgres", "asyncpg"))


async def test_on_sqlite_publish_wakes_exactly_the_accounts_subscriptions(
    settings, tenant, people
) -> None:
    if _on_postgres(settings):
        pytest.skip("on PostgreSQL the signal goes through NOTIFY (tested below)")
    rita, kai, clara = people["rita"].id, people["kai"].id, people["clara"].id
    with (
        broker.subscribe(tenant.tenant.id, rita) as woken,
        broker.subscribe(tenant.tenant.id, kai) as own,
        broker.subscribe(tenant.tenant.id + 1000, rita) as elsewhere,
        broker.subscribe(tenant.tenant.id, clara) as admin,
    ):
        await publish(tenant.tenant.id, [rita])
        await asyncio.wait_for(woken.get(), WAIT)
        assert own.empty() and elsewhere.empty() and admin.empty()
        with tenant_scope(tenant.tenant.id):
            await events.record(
                _actor(people["kai"]),
                events.CONTRACT_EDITED,
                contact_id=people["contact"].id,
                folder="insurance",
            )
        await asyncio.wait_for(admin.get(), WAIT)  # no responsible: the admin hears of it
        # delivered at once on SQLite: those not told are not woken, nor the actor's own page
        assert woken.empty() and own.empty() and elsewhere.empty()


async def _listener(settings: Any) -> tuple[asyncpg.Connection, asyncio.Queue[str]]:
    heard: asyncio.Queue[str] = asyncio.Queue()
    connection = await asyncpg.connect(asyncpg_dsn(settings.database_url))
    await connection.add_listener(CHANNEL, lambda _c, _p, _ch, payload: heard.put_nowait(payload))
    return connection, heard


async def _sentinel(settings: Any, heard: asyncio.Queue[str], marker: str) -> list[str]:
    """Send a marker from a connection of its own and return what was heard before it: all
    signals committed earlier arrive first (PostgreSQL delivers in commit order)."""
    sender = await asyncpg.connect(asyncpg_dsn(settings.database_url))
    try:
        await sender.execute("SELECT pg_notify($1, $2)", CHANNEL, marker)
    finally:
        await sender.close()
    before: list[str] = []
    while (payload := await asyncio.wait_for(heard.get(), WAIT)) != marker:
        before.append(payload)
    return before


async def test_on_postgres_the_notify_leaves_with_the_commit_never_with_a_rollback(
    settings, tenant, people
) -> None:
    if not _on_postgres(settings):
        pytest.skip("NOTIFY needs PostgreSQL")
    connection, heard = await _listener(settings)
    kai, contact_id = _actor(people["kai"]), people["contact"].id
    try:
        with tenant_scope(tenant.tenant.id):
            async with in_transaction():
                await events.record(
                    kai, events.CONTRACT_EDITED, contact_id=contact_id, folder="insurance"
                )
                assert await _sentinel(settings, heard, "inside") == []  # not before the commit
            committed = json.loads(await asyncio.wait_for(heard.get(), WAIT))
            assert committed == {"t": tenant.tenant.id, "u": [people["clara"].id]}

            with pytest.raises(RuntimeError):
                async with in_transaction():
                    await events.record(
                        kai, events.CONTRACT_EDITED, contact_id=contact_id, folder="insurance"
                    )
                    raise RuntimeError("the request failed")
            assert await _sentinel(settings, heard, "after-rollback") == []
            assert await Event.all().count() == 1
    finally:
        await connection.close()
