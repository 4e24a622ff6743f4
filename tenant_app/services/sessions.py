"""Server-side login sessions: created at login, checked on every request, ended for real."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tenant_app.db_queries import as_datetime, execute, fetch_one
from tenant_app.models.accounts import Session
from tenant_app.models.folders import CustomerAccess
from tenant_app.permissions import ACCESS_FIELDS
from tenant_app.resources import token_digest

TOUCH_EVERY = timedelta(seconds=60)  # write last_seen_at at most this often


@dataclass(frozen=True)
class CurrentUser:
    id: int
    kind: str  # staff | customer
    role: str
    username: str
    email: str
    first_name: str
    last_name: str
    language: str | None
    session_id: str
    csrf_token: str
    contact_id: int | None = None
    access_insurance: str = "none"
    access_finance: str = "none"
    access_other: str = "none"
    access_emergency: str = "none"
    sees_all_contacts: bool = False
    handles_tickets: bool = False
    manages_contacts: bool = False
    manages_users: bool = False
    manages_settings: bool = False
    # A customer's permissions, loaded with the session (all off if never set); None for staff.
    access: CustomerAccess | None = None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_staff(self) -> bool:
        return self.kind == "staff"

    @property
    def is_admin(self) -> bool:
        return self.is_staff and self.role == "admin"


async def start_session(tenant_id: int, user_id: int, *, user_agent: str = "") -> str:
    """Create a fresh session (a new id at every login); returns the cookie secret."""
    secret = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    await Session.create(
        id=token_digest(secret),
        tenant_id=tenant_id,
        user_id=user_id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
        user_agent=user_agent[:200],
    )
    return secret


_FLAGS = (
    "sees_all_contacts",
    "handles_tickets",
    "manages_contacts",
    "manages_users",
    "manages_settings",
)

_ACCESS_COLUMNS = ", ".join(f"a.{name} AS a_{name}" for name in ACCESS_FIELDS)
_LOAD_SQL = (
    "SELECT s.id AS session_id, s.csrf_token, s.created_at, s.last_seen_at,"  # noqa: S608 - constants
    " u.id, u.kind, u.role, u.username, u.email, u.first_name, u.last_name, u.language,"
    " u.contact_id, u.access_insurance, u.access_finance, u.access_other, u.access_emergency,"
    " u.sees_all_contacts, u.handles_tickets, u.manages_contacts, u.manages_users,"
    f" u.manages_settings, a.id AS access_id, {_ACCESS_COLUMNS}"  # noqa: S608 - constants
    " FROM login_session s JOIN user_account u ON u.id = s.user_id AND u.tenant_id = s.tenant_id"
    " LEFT JOIN customer_access a ON a.contact_id = u.contact_id AND a.tenant_id = u.tenant_id"
    # `+ 0`: the tenant is checked, but not offered as an index. A generic plan (reused for
    # the prepared statement) estimates a tenant by the average number of sessions, and then
    # looked the session up by tenant (2,000 rows in a big tenant) instead of by its key.
    " WHERE s.id = {0} AND s.tenant_id + 0 = {1} AND u.is_active = {2}"
)


def _access(row: dict) -> CustomerAccess | None:
    if row["kind"] != "customer" or row["contact_id"] is None:
        return None
    flags = {name: bool(row[f"a_{name}"]) for name in ACCESS_FIELDS}  # NULL (no row): off
    if row["access_id"] is None:
        return CustomerAccess(contact_id=row["contact_id"], **flags)  # unsaved, as access_of
    return CustomerAccess(id=row["access_id"], contact_id=row["contact_id"], **flags)


async def load_session(
    tenant_id: int, secret: str, *, idle: timedelta, absolute: timedelta
) -> CurrentUser | None:
    """The user behind a cookie secret, or None when unknown, expired or deactivated."""
    session_id = token_digest(secret)
    row = await fetch_one(_LOAD_SQL, session_id, tenant_id, True)
    if row is None:
        return None
    now = datetime.now(UTC)
    last_seen = as_datetime(row["last_seen_at"])
    if now - last_seen > idle or now - as_datetime(row["created_at"]) > absolute:
        await end_session(tenant_id, session_id)
        return None
    if now - last_seen > TOUCH_EVERY:
        await Session.filter(id=session_id).update(last_seen_at=now)
    fields = {k: row[k] for k in CurrentUser.__dataclass_fields__ if k != "access"}
    fields["access"] = _access(row)
    for flag in _FLAGS:
        fields[flag] = bool(fields[flag])  # SQLite answers 0/1
    return CurrentUser(**fields)


async def end_session(tenant_id: int, session_id: str) -> None:
    await execute(
        "DELETE FROM login_session WHERE id = {0} AND tenant_id = {1}", session_id, tenant_id
    )


async def end_all_sessions(tenant_id: int, user_id: int, *, keep: str | None = None) -> None:
    """Log a user out everywhere (deactivation, password change), optionally keeping one."""
    query = Session.filter(user_id=user_id)
    if keep:
        query = query.exclude(id=keep)
    await query.delete()
