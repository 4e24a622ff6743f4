"""Server-side login sessions: created at login, checked on every request, ended for real.

A session is started on one host and checked on others, so its times are the database's
clock, written and compared alike: a host whose clock ran ahead by more than the idle
timeout would otherwise end every session it saw.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from tenant_app.actors import CurrentUser
from tenant_app.models.accounts import Session
from tenant_app.permissions import CustomerRights
from tenant_app.queries.sql import as_datetime, database_time, db_now, execute, fetch_one
from tenant_app.security.cookies import token_digest
from tenant_app.vocabulary import ACCESS_FIELDS, RIGHT_FLAGS

TOUCH_EVERY = timedelta(seconds=60)  # write last_seen_at at most this often
COUNT_CAP = 100  # the header counts stop here ("99+")
# The bell's and the activity feed's counts of user `u`, for the header of every page (with
# the session) and for the live stream. Capped, so a page costs the same however much piled up.
HEADER_COUNTS = (
    "(SELECT COUNT(*) FROM (SELECT 1 FROM notification n WHERE n.tenant_id = u.tenant_id"  # noqa: S608
    f" AND n.user_id = u.id AND n.read_at IS NULL LIMIT {COUNT_CAP}) b) AS unread_notifications,"
    " (SELECT COUNT(*) FROM (SELECT 1 FROM notification n JOIN activity_event e"
    " ON e.id = n.event_id AND e.tenant_id = n.tenant_id"
    " WHERE n.tenant_id = u.tenant_id AND n.user_id = u.id AND e.actor_kind = 'customer'"
    f" AND e.checked_at IS NULL LIMIT {COUNT_CAP}) f) AS unchecked_activity"
)


async def start_session(
    tenant_id: int, user_id: int, *, user_agent: str = "", client: str = ""
) -> str:
    """Create a fresh session (a new id at every login) in the user's tenant; returns the
    cookie secret. The tenant is named because a login may start before any scope exists."""
    secret = secrets.token_urlsafe(32)
    now = await database_time()
    await Session.create(
        id=token_digest(secret),
        tenant_id=tenant_id,
        user_id=user_id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
        user_agent=user_agent[:200],
        client=client[:64],
    )
    return secret


_ACCESS_COLUMNS = ", ".join(f"a.{name} AS a_{name}" for name in ACCESS_FIELDS)
_LOAD_SQL = (
    "SELECT {now} AS db_now,"  # noqa: S608 - constants; {now}: the database's clock
    " s.id AS session_id, s.csrf_token, s.created_at, s.last_seen_at,"
    " u.id, u.kind, u.role, u.username, u.email, u.first_name, u.last_name, u.language,"
    " u.contact_id AS own_contact_id, COALESCE(l.contact_id, u.contact_id) AS contact_id,"
    " u.has_second_factor,"
    " u.access_insurance, u.access_finance, u.access_other, u.access_emergency,"
    " u.sees_all_contacts, u.handles_tickets, u.handles_chat, u.manages_contacts,"
    " u.manages_users,"
    " u.manages_settings, u.must_change_password,"
    f" a.id AS access_id, {_ACCESS_COLUMNS},"  # noqa: S608 - constants
    " (SELECT COUNT(*) FROM contact_link h WHERE h.user_id = u.id AND h.tenant_id = u.tenant_id)"
    " AS linked_contacts, hc.first_name AS shown_first_name, hc.last_name AS shown_last_name,"
    f" {HEADER_COUNTS}"
    " FROM login_session s JOIN user_account u ON u.id = s.user_id AND u.tenant_id = s.tenant_id"
    # The household contact the session chose, while the link stands: unlinked, it is gone.
    " LEFT JOIN contact_link l ON l.user_id = u.id AND l.contact_id = s.contact_id"
    " AND l.tenant_id = u.tenant_id"
    " LEFT JOIN contact hc ON hc.id = l.contact_id AND hc.tenant_id = l.tenant_id"
    # `+ 0` here too: offered the tenant's index, PostgreSQL read every access row of the
    # tenant for a staff member (no contact: 20,000 rows, 5 ms) instead of the contact's row.
    " LEFT JOIN customer_access a ON a.contact_id = COALESCE(l.contact_id, u.contact_id)"
    " AND a.tenant_id + 0 = u.tenant_id"
    # `+ 0`: the tenant is checked, but not offered as an index. A generic plan (reused for
    # the prepared statement) estimates a tenant by the average number of sessions, and then
    # looked the session up by tenant (2,000 rows in a big tenant) instead of by its key.
    " WHERE s.id = :session_id AND s.tenant_id + 0 = :tenant_id AND u.is_active = :active"
)


@cache
def _load_sql(now: str) -> str:
    """The session's statement with this dialect's clock: the same string object each time,
    so the statement cache below finds it by a hash it has already computed."""
    return _LOAD_SQL.format(now=now)


def _rights(row: dict[str, Any]) -> CustomerRights | None:
    if row["kind"] != "customer" or row["contact_id"] is None:
        return None
    # No row (NULL columns) means everything off, as access_of answers.
    return CustomerRights.from_values(row["contact_id"], {n: row[f"a_{n}"] for n in ACCESS_FIELDS})


# Requests a page makes by itself (the live stream, the badges' slow fallback poll): they read
# the session but do not count as the user being there, or an open tab would never time out.
UNATTENDED_PATHS = frozenset({"/account/notifications/stream", "/staff/badge", "/portal/badge"})


async def load_session(
    secret: str, *, idle: timedelta, absolute: timedelta, touch: bool = True
) -> CurrentUser | None:
    """The user behind a cookie secret, or None when unknown, expired or deactivated.
    `touch`: the request counts as the user's activity (see UNATTENDED_PATHS)."""
    session_id = token_digest(secret)
    row = await fetch_one(_load_sql(db_now()), session_id=session_id, active=True)
    if row is None:
        return None
    now = datetime.fromtimestamp(int(row["db_now"]), UTC)
    last_seen = as_datetime(row["last_seen_at"])
    if now - last_seen > idle or now - as_datetime(row["created_at"]) > absolute:
        await end_session(session_id)
        return None
    if touch and now - last_seen > TOUCH_EVERY:
        await Session.filter(id=session_id).update(last_seen_at=now)
    fields = {k: row[k] for k in CurrentUser.__dataclass_fields__ if k in row}
    for flag in (*RIGHT_FLAGS, "must_change_password", "has_second_factor"):
        fields[flag] = bool(fields[flag])  # SQLite answers 0/1
    shown = f"{row['shown_first_name'] or ''} {row['shown_last_name'] or ''}".strip()
    return CurrentUser(**fields, access=_rights(row), shown_contact_name=shown)


async def end_session(session_id: str) -> None:
    await execute(
        "DELETE FROM login_session WHERE id = :session_id AND tenant_id = :tenant_id",
        session_id=session_id,
    )


async def end_all_sessions(user_id: int, *, keep: str | None = None) -> None:
    """Log a user out everywhere (deactivation, password change), optionally keeping one."""
    query = Session.filter(user_id=user_id)
    if keep:
        query = query.exclude(id=keep)
    await query.delete()
