"""The platform's queues at a glance, across tenants: what waits, since when, what failed.

Each read is one small statement that the status indexes answer (pending and failed rows are
few; the many sent mails and delivered webhooks are not read), cheap enough for every scrape.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tenant_app.queries.sql import as_datetime, unscoped
from tenant_app.queries.webhooks import PARKED


@dataclass(frozen=True)
class Queue:
    waiting: int  # rows not done yet
    oldest_seconds: float  # age of the oldest waiting row; 0 when none waits
    failed: int  # rows given up and still kept (until their retention ends)


_MAIL = (
    "SELECT status, COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox_mail"
    " WHERE status IN ('pending', 'failed') GROUP BY status"
)
# A delivery parked for a switched-off endpoint waits for a person, not for the loop.
_WEBHOOKS = (
    "SELECT status, COUNT(*) AS n, MIN(created_at) AS oldest FROM webhook_delivery"
    " WHERE status = 'failed' OR (status = 'pending' AND next_attempt_at < :parked)"
    " GROUP BY status"
)
# CSV imports and invitation batches wait in their tables for the background loop (a failed
# one failed on its file or contacts, which is the tenant's matter, not the platform's).
_JOBS = (
    "SELECT status, COUNT(*) AS n, MIN(created_at) AS oldest FROM import_job"
    " WHERE status = 'queued' GROUP BY status UNION ALL"
    " SELECT status, COUNT(*) AS n, MIN(created_at) AS oldest FROM invitation_batch"
    " WHERE status = 'queued' GROUP BY status"
)


def _queue(rows: list[dict[str, Any]], waiting: str, now: datetime) -> Queue:
    count, oldest, failed = 0, None, 0
    for row in rows:
        if row["status"] == waiting:
            count += int(row["n"])
            moment = as_datetime(row["oldest"])
            oldest = moment if oldest is None else min(oldest, moment)
        else:
            failed += int(row["n"])
    age = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
    return Queue(waiting=count, oldest_seconds=age, failed=failed)


async def mail_queue() -> Queue:
    now = datetime.now(UTC)  # created_at is written by the app's clock, so aged by it
    return _queue(await unscoped.fetch_all(_MAIL), "pending", now)


async def webhook_queue() -> Queue:
    now = datetime.now(UTC)
    return _queue(await unscoped.fetch_all(_WEBHOOKS, parked=PARKED), "pending", now)


async def job_queue() -> Queue:
    now = datetime.now(UTC)
    return _queue(await unscoped.fetch_all(_JOBS), "queued", now)
