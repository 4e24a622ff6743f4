"""What several hosts decide together is timed by the database's clock, not by theirs.

Each "host" here is the same app answering with its own clock: `host_clock` moves the wall
clock every app module reads (time.time and datetime.now) for the requests inside it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest

from tenant_app.models.accounts import Session
from tenant_app.models.scoping import tenant_scope
from tenant_app.queries.sql import unscoped
from tenant_app.security import cookies, ratelimit, sessions
from tenant_app.services import accounts, auth, registration
from tests.conftest import ADMIN_PASSWORD, link_in
from tests.web.test_registration import STAFF

AHEAD = 2 * 3600  # seconds: far more than a login window or the idle timeout
CLOCK_READERS = (sessions, cookies, accounts, auth, registration)  # modules with datetime.now
WRONG = "not the password"


@contextmanager
def host_clock(offset: float) -> Iterator[None]:
    """Answer as a host whose clock runs `offset` seconds ahead of the database's."""
    real_time = time.time

    class HostDatetime(datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[no-untyped-def, override]
            return datetime.now(tz) + timedelta(seconds=offset)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(time, "time", lambda: real_time() + offset)
        for module in CLOCK_READERS:
            patch.setattr(module, "datetime", HostDatetime, raising=False)
        yield


async def _attempt(client, password: str, *, offset: float) -> int:
    """One login from a fresh browser, answered by the host with this clock."""
    client.cookies.clear()
    with host_clock(offset):
        response = await client.submit(
            "/login", {"identifier": "alpha-admin", "password": password}
        )
    return response.status_code


async def _age_rate_windows(seconds: int) -> None:
    """Let `seconds` pass for every counting window (the database's clock cannot be moved)."""
    await unscoped.execute(
        "UPDATE rate_counter SET window_start = window_start - :seconds", seconds=seconds
    )


async def test_two_hosts_share_one_count(client) -> None:
    # The requests alternate between a host on time and one running two hours ahead. On
    # the hosts' clocks the fast one saw the window as long over and started it afresh.
    limit = ratelimit.LOGIN_PER_ACCOUNT.attempts
    for number in range(limit):
        assert await _attempt(client, WRONG, offset=AHEAD * (number % 2)) == 401
    assert await _attempt(client, ADMIN_PASSWORD, offset=0) == 429
    assert await _attempt(client, ADMIN_PASSWORD, offset=AHEAD) == 429


async def test_a_window_counted_by_a_fast_host_ends_on_time(client) -> None:
    # Stamped with the fast host's clock, the window lasted two hours longer for the others.
    for _ in range(ratelimit.LOGIN_PER_ACCOUNT.attempts):
        assert await _attempt(client, WRONG, offset=AHEAD) == 401
    assert await _attempt(client, ADMIN_PASSWORD, offset=0) == 429
    await _age_rate_windows(ratelimit.LOGIN_PER_ACCOUNT.window)
    assert await _attempt(client, ADMIN_PASSWORD, offset=0) == 303


async def test_the_window_resets_after_its_length() -> None:
    limit = ratelimit.Limit("test", 2, 60)
    assert await ratelimit.hit(limit, "k")
    assert await ratelimit.hit(limit, "k")
    assert not await ratelimit.hit(limit, "k")
    await _age_rate_windows(59)
    assert not await ratelimit.hit(limit, "k")
    await _age_rate_windows(1)
    assert await ratelimit.hit(limit, "k")


async def test_a_session_lives_on_a_host_whose_clock_runs_ahead(client) -> None:
    await client.log_in("alpha-admin")
    with host_clock(AHEAD):
        assert (await client.get("/staff")).status_code == 200
    assert (await client.get("/staff")).status_code == 200


async def test_a_session_started_on_a_fast_host_works_and_idles_out_on_time(
    client, tenant, settings
) -> None:
    with host_clock(AHEAD):
        await client.log_in("alpha-admin")
    assert (await client.get("/staff")).status_code == 200  # its cookie, too, is good here
    idle = timedelta(minutes=settings.session_idle_minutes + 1)
    with tenant_scope(tenant.tenant.id):
        session = await Session.get(user_id=tenant.admin.id)
        await Session.filter(id=session.id).update(
            last_seen_at=session.last_seen_at - idle, created_at=session.created_at - idle
        )
    assert (await client.get("/staff")).status_code == 303  # idle for too long, on any host


async def test_a_link_sent_by_a_slow_host_is_not_expired(
    client, client_for, tenant, settings, deliver
) -> None:
    # A host behind by more than a link's validity stamped its expiry in the past.
    behind = -(settings.link_valid_hours + 8) * 3600
    with host_clock(behind):
        await client.log_in("alpha-admin")
        created = await client.submit("/staff/users", STAFF, form_page="/staff/users/new")
    assert created.status_code == 303
    path = urlsplit(link_in((await deliver())[0])).path
    page = await client_for(tenant.hostname).get(path)
    assert page.status_code == 200 and "abgelaufen" not in page.text
