"""Fixed-window rate limits kept in the database, so every app process sees one count."""

from __future__ import annotations

import time
from dataclasses import dataclass

from tenant_app.queries.sql import unscoped


@dataclass(frozen=True)
class Limit:
    name: str
    attempts: int
    window: int  # seconds


LOGIN_PER_ACCOUNT = Limit("login-account", 10, 15 * 60)
LOGIN_PER_CLIENT = Limit("login-client", 30, 15 * 60)

# Counters are no tenant's rows: keys embed the tenant id where they need one.
_HIT_SQL = (
    "INSERT INTO rate_counter (key, count, window_start) VALUES (:key, 1, :now)"
    " ON CONFLICT (key) DO UPDATE SET"
    " count = CASE WHEN rate_counter.window_start <= :expired THEN 1"
    " ELSE rate_counter.count + 1 END,"
    " window_start = CASE WHEN rate_counter.window_start <= :expired THEN :now"
    " ELSE rate_counter.window_start END"
    " RETURNING count"
)


async def hit(limit: Limit, subject: str, *, now: float | None = None) -> bool:
    """Count one attempt; True while the subject stays within the limit."""
    moment = int(now if now is not None else time.time())
    key = f"{limit.name}:{subject}"[:200]
    row = await unscoped.fetch_one(_HIT_SQL, key=key, now=moment, expired=moment - limit.window)
    return row is not None and int(row["count"]) <= limit.attempts


async def all_allowed(*checks: tuple[Limit, str]) -> bool:
    """Count an attempt against every limit (all of them, so none can be dodged)."""
    results = [await hit(limit, subject) for limit, subject in checks]
    return all(results)
