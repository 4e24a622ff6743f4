"""Login limits count failures only, and a stranger cannot lock the owner out."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tenant_app.models.accounts import LoginRecord, User
from tenant_app.models.scoping import tenant_scope
from tenant_app.security import ratelimit
from tests.conftest import ADMIN_PASSWORD, Client

WRONG = "not the password"


class ClientFrom(Client):
    """A browser on another network address (the ASGI scope's client, as uvicorn sets it)."""

    def __init__(self, app: Any, host: str, address: str) -> None:
        httpx.AsyncClient.__init__(
            self,
            transport=httpx.ASGITransport(app=app, client=(address, 50123)),
            base_url=f"http://{host}",
            follow_redirects=False,
        )
        self.host = host


async def _attempt(client, identifier: str, password: str) -> int:
    """One login from a fresh browser on the client's address."""
    client.cookies.clear()
    response = await client.submit("/login", {"identifier": identifier, "password": password})
    return response.status_code


async def test_correct_logins_never_use_up_a_limit(client) -> None:
    # More than either limit: the account's (10) and the client's (30), as an office behind
    # one address logs in all day long.
    total = ratelimit.LOGIN_PER_CLIENT.attempts + 5
    statuses = [await _attempt(client, "alpha-admin", ADMIN_PASSWORD) for _ in range(total)]
    assert statuses == [303] * total


async def test_failures_still_count_and_a_success_does_not_reset_them(client) -> None:
    for _ in range(ratelimit.LOGIN_PER_ACCOUNT.attempts - 1):
        assert await _attempt(client, "alpha-admin", WRONG) == 401
    assert await _attempt(client, "alpha-admin", ADMIN_PASSWORD) == 303
    assert await _attempt(client, "alpha-admin", WRONG) == 401  # the tenth failure
    assert await _attempt(client, "alpha-admin", ADMIN_PASSWORD) == 429


async def test_a_stranger_cannot_lock_the_owner_out(app, tenant) -> None:
    async with (
        ClientFrom(app, tenant.hostname, "203.0.113.66") as stranger,
        ClientFrom(app, tenant.hostname, "198.51.100.7") as owner,
    ):
        for _ in range(ratelimit.LOGIN_PER_ACCOUNT.attempts + 3):
            assert await _attempt(stranger, "alpha-admin", WRONG) in (401, 429)
        # the stranger's client is stopped, even with the right password ...
        assert await _attempt(stranger, "alpha-admin", ADMIN_PASSWORD) == 429
        assert await _attempt(stranger, "chef@alpha.example", ADMIN_PASSWORD) == 429
        # ... while the owner, on their own client, signs in as always
        assert await _attempt(owner, "alpha-admin", ADMIN_PASSWORD) == 303
        assert (await owner.get("/staff")).status_code == 200


async def test_parallel_guesses_cannot_overrun_the_limit(client) -> None:
    token = await client.csrf()
    form = {"identifier": "alpha-admin", "password": WRONG, "csrf_token": token}
    headers = {"Origin": f"http://{client.host}"}
    answers = await asyncio.gather(
        *(client.post("/login", data=form, headers=headers) for _ in range(15))
    )
    statuses = sorted(answer.status_code for answer in answers)
    limit = ratelimit.LOGIN_PER_ACCOUNT.attempts
    assert statuses == [401] * limit + [429] * (15 - limit)


async def test_a_login_is_recorded_with_client_and_browser(app, tenant) -> None:
    async with ClientFrom(app, tenant.hostname, "192.0.2.10") as browser:
        await browser.submit(
            "/login",
            {"identifier": "alpha-admin", "password": ADMIN_PASSWORD},
            headers={"User-Agent": "Firefox/140 (test)"},
        )
        await _attempt(browser, "alpha-admin", WRONG)  # failures are no logins
    with tenant_scope(tenant.tenant.id):
        records = await LoginRecord.filter(user_id=tenant.admin.id)
        admin = await User.get(id=tenant.admin.id)
    assert [(r.client, r.user_agent) for r in records] == [("192.0.2.10", "Firefox/140 (test)")]
    assert admin.last_login_at is not None
