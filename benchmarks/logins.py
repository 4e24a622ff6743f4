"""Fresh login sessions for the measured users, made for every run.

Inserted like a login would insert them and signed with the app's own cookie signer (no
password hashing in the run, and no login rate limit to trip over). Each bench customer
gets a session of its own; the admin gets one session per bench customer of its tenant, so
the staff pages can rotate over sessions as well as over contacts and tickets.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import asyncpg
from dataset import Dataset

SESSION_COOKIE = "__Host-session"  # the cookie name with APP_ENV=production
USER_AGENT = "benchmark"  # marks this run's sessions (removed at the start of the next one)


@dataclass(frozen=True)
class Login:
    cookie: str  # the Cookie header's value
    csrf_token: str


@dataclass
class Logins:
    """Per tenant key: one login per bench customer (in order), and the admin's logins."""

    customers: dict[str, list[Login]] = field(default_factory=dict)
    staff: dict[str, list[Login]] = field(default_factory=dict)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def create(
    conn: asyncpg.Connection, dataset: Dataset, sign: Callable[[int, str], str]
) -> Logins:
    """`sign(tenant_id, secret)` is the app's cookie signer, so the app accepts the cookie
    like one it issued at login."""
    await conn.execute("DELETE FROM login_session WHERE user_agent = $1", USER_AGENT)
    now = datetime.now(UTC)
    logins = Logins()
    records = []

    def login(tenant_id: int, user_id: int) -> Login:
        secret, csrf_token = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        records.append((_digest(secret), tenant_id, user_id, csrf_token, now, now, USER_AGENT))
        return Login(f"{SESSION_COOKIE}={sign(tenant_id, secret)}", csrf_token)

    for key, tenant in dataset.tenants.items():
        logins.customers[key] = [login(tenant.tenant_id, c.user_id) for c in tenant.customers]
        logins.staff[key] = [login(tenant.tenant_id, tenant.admin_id) for _ in tenant.customers]
    await conn.copy_records_to_table(
        "login_session",
        records=records,
        columns=("id", "tenant_id", "user_id", "csrf_token", "created_at", "last_seen_at")
        + ("user_agent",),
    )
    return logins


REFRESH_EVERY = 20.0  # seconds; the app writes a session seen over a minute ago


class Refresher:
    """`refresh` before a measurement when the last was REFRESH_EVERY seconds ago or more:
    a measurement of the quick run takes a second, and the refresh's connection and update
    cost a tenth of that."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.last = -REFRESH_EVERY

    def __call__(self) -> None:
        if time.monotonic() - self.last >= REFRESH_EVERY:
            asyncio.run(refresh(self.database_url))
            self.last = time.monotonic()


async def refresh(database_url: str) -> None:
    """Mark this run's sessions as seen just now (the database's clock).

    The app writes a session's `last_seen_at` when it was last written over a minute ago
    (tenant_app/security/sessions.py). In the rotating mode every session comes round about
    once per pass, so without this most requests of a long run would also write, unlike
    the requests captured for the limits (and unlike a customer clicking through pages).
    Run before a measurement (`Refresher`), so no session is older than a minute meanwhile.
    """
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(
            "UPDATE login_session SET last_seen_at = now() WHERE user_agent = $1", USER_AGENT
        )
    finally:
        await conn.close()
