"""The platform's health as the database tells it, across every tenant: the mails and webhook
calls that failed lately, the schema's newest migration. One statement each. (The queues'
sizes and ages are queries/platform_health.py's, which the metrics read too.)"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tenant_app.queries.sql import as_datetime, unscoped

_PING = "SELECT 1 AS one"
_FAILED_MAILS = (
    "SELECT COUNT(*) AS failed FROM outbox_mail WHERE status = 'failed' AND created_at >= :since"
)
# A try without an answer (refused, timeout) or with an answer that was not 2xx.
_FAILED_WEBHOOK_TRIES = (
    "SELECT COUNT(*) AS failed FROM webhook_attempt WHERE created_at >= :since"
    " AND (status_code IS NULL OR status_code < 200 OR status_code > 299)"
)
_NEWEST_MIGRATION = (
    "SELECT name, applied_at FROM tortoise_migrations WHERE app = 'models'"
    " ORDER BY name DESC LIMIT 1"
)


async def ping() -> None:
    await unscoped.fetch_all(_PING)


async def failed_mails(*, since: datetime) -> int:
    row = await unscoped.fetch_one(_FAILED_MAILS, since=since)
    return int(row["failed"]) if row else 0


async def failed_webhook_tries(*, since: datetime) -> int:
    row = await unscoped.fetch_one(_FAILED_WEBHOOK_TRIES, since=since)
    return int(row["failed"]) if row else 0


async def newest_migration() -> dict[str, Any] | None:
    """The newest migration applied (its name and when), None on an empty database."""
    row = await unscoped.fetch_one(_NEWEST_MIGRATION)
    if row is None:
        return None
    return {"name": str(row["name"]), "applied_at": as_datetime(row["applied_at"])}
