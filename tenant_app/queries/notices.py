"""Open notices for the staff home: how many, and the latest, in one hand-written query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tenant_app.actors import CurrentUser
from tenant_app.permissions import can_see_all_contacts
from tenant_app.queries.sql import as_datetime, fetch_all

_OPEN_SQL = (
    "SELECT n.id, n.contact_id, n.kind, n.created_at, k.first_name, k.last_name,"
    " COUNT(*) OVER () AS total"
    " FROM contact_notice n JOIN contact k ON k.id = n.contact_id AND k.tenant_id = n.tenant_id"
    " WHERE n.tenant_id = :tenant_id AND n.resolved_at IS NULL"
)
_OWN = (
    " AND EXISTS (SELECT 1 FROM contact_responsible r"
    " WHERE r.contact_id = n.contact_id AND r.user_id = :user_id)"
)


@dataclass(frozen=True)
class OpenNotice:
    id: int
    contact_id: int
    contact_name: str
    kind: str
    created_at: datetime


@dataclass(frozen=True)
class NoticeSummary:
    count: int
    latest: list[OpenNotice]


async def open_summary(actor: CurrentUser, *, limit: int) -> NoticeSummary:
    """Open notices on the contacts the actor sees: the count and the `limit` newest."""
    own = "" if can_see_all_contacts(actor) else _OWN
    scope = {"user_id": actor.id} if own else {}
    rows = await fetch_all(
        f"{_OPEN_SQL}{own} ORDER BY n.id DESC LIMIT :limit", limit=limit, **scope
    )
    latest = [
        OpenNotice(
            id=int(row["id"]),
            contact_id=int(row["contact_id"]),
            contact_name=f"{row['first_name']} {row['last_name']}",
            kind=str(row["kind"]),
            created_at=as_datetime(row["created_at"]),
        )
        for row in rows
    ]
    return NoticeSummary(count=int(rows[0]["total"]) if rows else 0, latest=latest)
