"""The notification centre's reads: one account's notifications with what they are about, its
mail choice, and what an open page's live stream re-reads on each wake-up. One query each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tenant_app.queries.sql import as_datetime, db_now, fetch_all, fetch_one
from tenant_app.security.sessions import HEADER_COUNTS


@dataclass(frozen=True, slots=True)
class NotificationRow:
    """A notification and the event it tells of."""

    id: int
    read_at: datetime | None
    created_at: datetime
    kind: str
    actor_kind: str  # staff | customer | system
    actor_name: str
    title: str
    contact_id: int | None
    object_type: str
    object_id: int | None
    folder: str


_COLUMNS = (
    "SELECT n.id, n.read_at, n.created_at, e.kind, e.actor_kind, e.actor_name, e.title,"
    " e.contact_id, e.object_type, e.object_id, e.folder"
    " FROM notification n JOIN activity_event e ON e.id = n.event_id AND e.tenant_id = n.tenant_id"
    " WHERE n.tenant_id = :tenant_id AND n.user_id = :user_id"
)
_PAGE_SQL = _COLUMNS + " ORDER BY n.id DESC LIMIT :limit OFFSET :offset"
_ONE_SQL = _COLUMNS + " AND n.id = :id"


def _row(row: dict[str, Any]) -> NotificationRow:
    return NotificationRow(
        id=int(row["id"]),
        read_at=as_datetime(row["read_at"]) if row["read_at"] is not None else None,
        created_at=as_datetime(row["created_at"]),
        kind=row["kind"],
        actor_kind=row["actor_kind"],
        actor_name=row["actor_name"] or "",
        title=row["title"] or "",
        contact_id=row["contact_id"],
        object_type=row["object_type"] or "",
        object_id=row["object_id"],
        folder=row["folder"] or "",
    )


async def newest(*, user_id: int, limit: int, offset: int) -> list[NotificationRow]:
    """The account's notifications, newest first (ids grow with time)."""
    rows = await fetch_all(_PAGE_SQL, user_id=user_id, limit=limit, offset=offset)
    return [_row(row) for row in rows]


async def one(*, user_id: int, notification_id: int) -> NotificationRow | None:
    """One of the account's own notifications; another account's or tenant's is None."""
    row = await fetch_one(_ONE_SQL, user_id=user_id, id=notification_id)
    return _row(row) if row is not None else None


@dataclass(frozen=True, slots=True)
class Preferences:
    notification_mail: str  # instant | delayed | daily | never
    shows_staff_names: bool  # the tenant's choice: customers read staff names or "your office"


_PREFERENCES_SQL = (
    "SELECT u.notification_mail, t.trail_shows_staff_names FROM user_account u"
    " JOIN tenant t ON t.id = u.tenant_id WHERE u.tenant_id = :tenant_id AND u.id = :user_id"
)


async def preferences(*, user_id: int) -> Preferences:
    row = await fetch_one(_PREFERENCES_SQL, user_id=user_id)
    if row is None:
        return Preferences("delayed", shows_staff_names=True)
    return Preferences(row["notification_mail"], bool(row["trail_shows_staff_names"]))


@dataclass(frozen=True, slots=True)
class LiveState:
    """What an open page's stream re-reads: is its session still good, and the bell's count."""

    now: datetime  # the database's clock
    created_at: datetime
    last_seen_at: datetime
    unread: int  # capped at sessions.COUNT_CAP, as the header's counts
    unchecked: int  # staff: customer actions told to them, not yet checked


_LIVE_SQL = (
    "SELECT {now} AS db_now, s.created_at, s.last_seen_at,"  # noqa: S608 - {now}: a constant
    f" {HEADER_COUNTS}"
    " FROM login_session s JOIN user_account u ON u.id = s.user_id AND u.tenant_id = s.tenant_id"
    " WHERE s.id = :session_id AND s.tenant_id = :tenant_id AND u.id = :user_id"
    " AND u.is_active = :active"
)


async def live_state(*, session_id: str, user_id: int) -> LiveState | None:
    """None once the session is gone (logged out, ended elsewhere) or the account is off.
    Reads only: an open stream must not keep its session alive."""
    row = await fetch_one(
        _LIVE_SQL.format(now=db_now()), session_id=session_id, user_id=user_id, active=True
    )
    if row is None:
        return None
    return LiveState(
        now=datetime.fromtimestamp(int(row["db_now"]), UTC),
        created_at=as_datetime(row["created_at"]),
        last_seen_at=as_datetime(row["last_seen_at"]),
        unread=int(row["unread_notifications"]),
        unchecked=int(row["unchecked_activity"]),
    )
