"""Fixed-window rate limits kept in the database, so every app process sees one count.

An attempt is claimed (counted) before the work it guards, in one atomic statement, so
parallel requests cannot slip past the limit; one that turns out right is released again,
so only failures add up. Windows are timed by the database's clock, the one every host
shares: a host whose clock ran ahead by more than a window would otherwise start a fresh
count at each of its requests, and the limit would do nothing there.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from tenant_app.queries.sql import db_now, unscoped


@dataclass(frozen=True)
class Limit:
    name: str
    attempts: int
    window: int  # seconds


# Failed logins per account *from one client*: a stranger failing on someone's username
# blocks only their own client, never the owner signing in from theirs.
LOGIN_PER_ACCOUNT = Limit("login-account", 10, 15 * 60)
LOGIN_PER_CLIENT = Limit("login-client", 30, 15 * 60)  # failures only: an office shares one

# Counters are no tenant's rows: keys embed the tenant id where they need one. The clock is
# read once, for the row offered (`excluded`), so both columns decide on the same moment.
_HIT_SQL = (
    "INSERT INTO rate_counter (key, count, window_start) VALUES (:key, 1, {now})"
    " ON CONFLICT (key) DO UPDATE SET"
    " count = CASE WHEN rate_counter.window_start <= excluded.window_start - :window THEN 1"
    " ELSE rate_counter.count + 1 END,"
    " window_start = CASE WHEN rate_counter.window_start <= excluded.window_start - :window"
    " THEN excluded.window_start ELSE rate_counter.window_start END"
    " RETURNING count"
)
_RELEASE_SQL = "UPDATE rate_counter SET count = count - 1 WHERE key = :key AND count > 0"
_RESET_SQL = "DELETE FROM rate_counter WHERE key = :key"
KEY_CHARS = 200  # the column's size


def _key(limit: Limit, subject: str) -> str:
    """One key per subject; a long one is hashed rather than cut, so two never share a count."""
    key = f"{limit.name}:{subject}"
    if len(key) <= KEY_CHARS:
        return key
    return f"{limit.name}:sha256:{hashlib.sha256(subject.encode()).hexdigest()}"


async def hit(limit: Limit, subject: str) -> bool:
    """Count one attempt; True while the subject stays within the limit."""
    return await counted(limit, subject) <= limit.attempts


async def counted(limit: Limit, subject: str) -> int:
    """Count one event; how many the subject has in the current window (for a warning at a
    threshold rather than a refusal)."""
    row = await unscoped.fetch_one(
        _HIT_SQL.format(now=db_now()), key=_key(limit, subject), window=limit.window
    )
    return int(row["count"]) if row is not None else limit.attempts + 1  # none: refuse


async def reset(limit: Limit, subject: str) -> None:
    """Forget the subject's count (a run of failures ended by a success)."""
    await unscoped.execute(_RESET_SQL, key=_key(limit, subject))


async def release(limit: Limit, subject: str) -> None:
    """Give back an attempt that `hit` counted and that turned out right."""
    await unscoped.execute(_RELEASE_SQL, key=_key(limit, subject))


async def all_allowed(*checks: tuple[Limit, str]) -> bool:
    """Count an attempt against every limit (all of them, so none can be dodged)."""
    results = [await hit(limit, subject) for limit, subject in checks]
    return all(results)


async def release_all(*checks: tuple[Limit, str]) -> None:
    for limit, subject in checks:
        await release(limit, subject)
