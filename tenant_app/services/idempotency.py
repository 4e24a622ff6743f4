"""Idempotency keys of API POSTs: the first request with a key runs and its answer is kept,
a retry with the same key and body gets that answer again, the same key with another body is
refused. Kept a day; a first request that died without an answer frees its key after a while.
That while is timed by the database's clock, stamped and compared: an app process whose clock
runs ahead would otherwise run a retry beside a first request that is still working."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from tenant_app.models.integration import IdempotentRequest
from tenant_app.queries.sql import database_time
from tenant_app.settings import Settings

KEEP = timedelta(hours=24)
ABANDONED = timedelta(minutes=2)  # a first request without an answer by then has died
MAX_KEY_CHARS = 200


@dataclass(frozen=True)
class Stored:
    status_code: int
    body: str
    headers: dict[str, str]


class KeyReused(Exception):
    """The key was used with another request body."""


class StillRunning(Exception):
    """The first request with this key has not answered yet."""


def request_hash(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + body).hexdigest()


async def begin(token_id: int, key: str, digest: str) -> Stored | None:
    """The kept answer of an earlier request with `key`, or None: this request goes first
    (its claim is written now, so a parallel retry waits for it)."""
    now = await database_time()
    try:
        async with in_transaction():
            await IdempotentRequest.create(
                token_id=token_id, key=key, request_hash=digest, created_at=now
            )
        return None
    except IntegrityError:
        pass
    found = await IdempotentRequest.filter(token_id=token_id, key=key).first()
    if found is None:  # removed in between: try once more as the first
        return await begin(token_id, key, digest)
    if found.request_hash != digest:
        raise KeyReused
    if found.status_code == 0:
        if found.created_at > now - ABANDONED:
            raise StillRunning
        await IdempotentRequest.filter(id=found.id, status_code=0).update(created_at=now)
        return None
    return Stored(found.status_code, found.response_body, dict(found.response_headers))


async def finish(token_id: int, key: str, answer: Stored) -> None:
    await IdempotentRequest.filter(token_id=token_id, key=key).update(
        status_code=answer.status_code,
        response_body=answer.body,
        response_headers=answer.headers,
    )


async def forget(token_id: int, key: str) -> None:
    """The first request failed without an answer worth keeping (a server error): free the
    key, so that a retry runs again."""
    await IdempotentRequest.filter(token_id=token_id, key=key, status_code=0).delete()


async def expire_old(settings: Settings, *, now: datetime | None = None) -> int:
    """Housekeeping of the background loop: keys older than a day are forgotten, in every
    tenant."""
    cutoff = (now or datetime.now(UTC)) - KEEP
    removed: int = await IdempotentRequest.unscoped.filter(created_at__lt=cutoff).delete()
    return removed
