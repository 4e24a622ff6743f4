"""Requests an open page makes by itself (the live stream, the badges' fallback poll) read the
session but never keep it alive: an unattended tab still times out. And one account's open
streams are bounded."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.routing import Route

from tenant_app.live.broker import broker
from tenant_app.models.accounts import Session, User
from tenant_app.models.scoping import tenant_scope
from tenant_app.security.sessions import UNATTENDED_PATHS
from tenant_app.web.notifications import MAX_STREAMS
from tests.conftest import CUSTOMER_PASSWORD, make_customer


async def _last_seen(tenant: Any, username: str) -> datetime:
    with tenant_scope(tenant.tenant.id):
        user = await User.get(username=username)
        session = await Session.filter(user_id=user.id).order_by("-created_at").first()
        assert session is not None
        return session.last_seen_at


async def _ten_minutes_idle(tenant: Any, username: str) -> datetime:
    back = datetime.now(UTC) - timedelta(minutes=10)
    with tenant_scope(tenant.tenant.id):
        user = await User.get(username=username)
        await Session.filter(user_id=user.id).update(last_seen_at=back)
    return await _last_seen(tenant, username)


async def test_the_badge_poll_does_not_count_as_the_user_being_there(
    tenant, passwords, client_for
) -> None:
    await make_customer(tenant, passwords, communication=True)
    staff = client_for(tenant.hostname)
    await staff.log_in("alpha-admin")
    customer = client_for(tenant.hostname)
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    for client, username, badge, page in (
        (staff, "alpha-admin", "/staff/badge", "/staff"),
        (customer, "kai", "/portal/badge", "/portal"),
    ):
        idle_since = await _ten_minutes_idle(tenant, username)
        assert (await client.get(badge)).status_code == 200
        assert await _last_seen(tenant, username) == idle_since
        assert (await client.get(page)).status_code == 200
        assert await _last_seen(tenant, username) > idle_since


def test_every_unattended_path_is_a_route(app) -> None:
    paths = {route.path for route in app.routes if isinstance(route, Route)}
    assert UNATTENDED_PATHS <= paths


async def test_an_account_streams_to_at_most_so_many_pages_per_process(tenant, client_for) -> None:
    staff = client_for(tenant.hostname)
    await staff.log_in("alpha-admin")
    with tenant_scope(tenant.tenant.id):
        admin = await User.get(username="alpha-admin")
    with contextlib.ExitStack() as open_pages:
        for _ in range(MAX_STREAMS):
            open_pages.enter_context(broker.subscribe(tenant.tenant.id, admin.id))
        # one more page: nothing to stream now (its bell stays a link; it tries again later)
        answer = await staff.get("/account/notifications/stream")
        assert answer.status_code == 204
    assert broker.streams_of(tenant.tenant.id, admin.id) == 0
