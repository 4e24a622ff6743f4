"""Webhook reads and the delivery loop's claims.

The endpoint list shows each endpoint's newest delivery (one statement for all of them). The
background loop claims due deliveries across tenants like the mail outbox does: one atomic
UPDATE ... RETURNING (with FOR UPDATE SKIP LOCKED on PostgreSQL). A claim sets
`locked_until` to a moment no other claim can have chosen (it is only taken once the
previous one has passed), so that value is the claim's token: every write that ends an
attempt names it, and a worker whose claim ran out (taken over by another) changes nothing.
A deactivated tenant's deliveries are not claimed (they wait, as its imports do).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tenant_app.queries.sql import as_datetime, dialect_name, fetch_all, unscoped

PARKED = 2**62  # next_attempt_at of a delivery waiting for its endpoint to be switched on

_NEWEST = (
    "SELECT d.endpoint_id, d.status, d.last_status_code, d.created_at FROM webhook_delivery d"
    " WHERE d.tenant_id = :tenant_id AND d.id IN (SELECT MAX(n.id) FROM webhook_delivery n"
    " WHERE n.tenant_id = :tenant_id GROUP BY n.endpoint_id)"
)
_CLAIM = (
    "UPDATE webhook_delivery SET locked_until = :until WHERE id IN ("
    " SELECT id FROM webhook_delivery WHERE status = 'pending' AND next_attempt_at <= :now"
    " AND locked_until <= :now AND tenant_id IN (SELECT id FROM tenant WHERE is_active)"
    " ORDER BY next_attempt_at, id LIMIT :batch{lock})"
    " RETURNING id, tenant_id, endpoint_id, message_id, event_type, payload, attempts"
)
_ENDPOINTS = (
    "SELECT id, tenant_id, url, secret, is_active, failing_since FROM webhook_endpoint"
    " WHERE id IN ({ids})"
)


async def newest_deliveries() -> dict[int, dict[str, Any]]:
    """Each endpoint's newest delivery (status, last answer, when), by endpoint id."""
    rows = await fetch_all(_NEWEST)
    return {
        int(row["endpoint_id"]): {**row, "created_at": as_datetime(row["created_at"])}
        for row in rows
    }


async def claim_due(*, now: int, until: int, batch: int) -> list[dict[str, Any]]:
    """Claim up to `batch` due deliveries of any tenant until `until` (unix seconds)."""
    lock = " FOR UPDATE SKIP LOCKED" if dialect_name() == "postgres" else ""
    rows = await unscoped.fetch_all(_CLAIM.format(lock=lock), now=now, until=until, batch=batch)
    return sorted(rows, key=lambda row: int(row["id"]))


async def endpoints_of(ids: set[int]) -> dict[int, dict[str, Any]]:
    """The claimed deliveries' endpoints (any tenant), by id."""
    if not ids:
        return {}
    listed = ", ".join(str(int(endpoint_id)) for endpoint_id in sorted(ids))
    rows = await unscoped.fetch_all(_ENDPOINTS.format(ids=listed))
    return {int(row["id"]): {**row, "failing_since": _moment(row["failing_since"])} for row in rows}


def _moment(value: Any) -> datetime | None:
    return None if value is None else as_datetime(value)
