"""The staff's activity feed: what customers did, as a member may see it, in one query a page.

Feed entries are events with `actor_kind = 'customer'`, chat messages not (NOT_IN_FEED). A
member sees those on the contacts they may see (all, or those they are responsible for), in
the folders they may read (events outside the folders: the profile, tickets), and ticket
events only if they handle tickets and may open that ticket. Each row carries whether its
object is still there (a link) and, for a deleted contract, whether it is still deleted (the
restore button).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tenant_app.actors import CurrentUser
from tenant_app.permissions import (
    can_handle_tickets,
    can_see_all_contacts,
    staff_may_read_folder,
)
from tenant_app.queries.sql import as_datetime, fetch_all, fetch_one
from tenant_app.vocabulary import FOLDERS

FILTERS = ("unchecked", "mine", "all")
# Chat messages are conversation, not changes to check: a customer's request (a ticket) is
# one considered entry to look at and mark checked, but a chat says many small things in a
# row, each an event of its own, which would bury the changes the feed is for. The chat
# list (waiting, unread) and the bell (one unread notification per chat) tell of them.
# Their events are recorded as checked (services/chats.py), so the sidebar's unchecked count
# (sessions.HEADER_COUNTS, on every staff page) leaves them out without a condition of its own.
NOT_IN_FEED = "e.object_type <> 'chat'"
PER_PAGE = 50
# Told to the member: a notification of the event for them.
_TOLD = (
    "EXISTS (SELECT 1 FROM notification n WHERE n.tenant_id = e.tenant_id"
    " AND n.event_id = e.id AND n.user_id = :user_id)"
)
_FILTER_SQL = {"unchecked": " AND e.checked_at IS NULL", "mine": f" AND {_TOLD}", "all": ""}
_OWN_CONTACT = (
    " AND EXISTS (SELECT 1 FROM contact_responsible r WHERE r.tenant_id = e.tenant_id"
    " AND r.contact_id = e.contact_id AND r.user_id = :user_id)"
)
# A ticket the member may open (services.tickets.ticket_for): theirs, or one they take part in.
_OWN_TICKET = (
    " AND (e.object_type <> 'ticket' OR EXISTS (SELECT 1 FROM conversation t"
    " WHERE t.tenant_id = e.tenant_id AND t.id = e.object_id AND (t.responsible_id = :user_id"
    " OR EXISTS (SELECT 1 FROM conversation_participant p WHERE p.tenant_id = t.tenant_id"
    " AND p.conversation_id = t.id AND p.user_id = :user_id))))"
)
_SELECT = (
    "SELECT e.id, e.kind, e.actor_name, e.contact_id, e.object_type, e.object_id, e.folder,"
    " e.title, CAST(e.changes AS TEXT) AS changes, e.created_at, e.checked_at,"
    " k.first_name, k.last_name, cb.first_name AS checker_first, cb.last_name AS checker_last,"
    " c.id AS contract_id, c.deleted_at AS contract_deleted_at, d.id AS document_id,"
    " t.id AS ticket_id"
    " FROM activity_event e"
    " JOIN contact k ON k.id = e.contact_id AND k.tenant_id = e.tenant_id"
    " AND k.restricted_at IS NULL"  # retained for legal reasons: hidden
    " LEFT JOIN user_account cb ON cb.id = e.checked_by_id AND cb.tenant_id = e.tenant_id"
    " LEFT JOIN contract c ON e.object_type = 'contract' AND c.id = e.object_id"
    " AND c.tenant_id = e.tenant_id"
    " LEFT JOIN document d ON e.object_type = 'document' AND d.id = e.object_id"
    " AND d.tenant_id = e.tenant_id"
    " LEFT JOIN conversation t ON e.object_type = 'ticket' AND t.id = e.object_id"
    " AND t.tenant_id = e.tenant_id AND t.kind = 'ticket'"
)


@dataclass(frozen=True)
class ActivityRow:
    id: int
    kind: str
    actor_name: str
    contact_id: int
    contact_name: str
    object_type: str
    object_id: int | None
    folder: str
    title: str
    changes: dict[str, list[Any]] | None  # {column: [old, new]}, stored values
    created_at: datetime
    checked_at: datetime | None
    checked_by: str  # the member's name; "" when unchecked (or their account is gone)
    contract_id: int | None  # the contract, document or ticket while it exists
    contract_deleted: bool  # the contract is (still) soft-deleted
    document_id: int | None
    ticket_id: int | None


@dataclass(frozen=True)
class ActivityPage:
    rows: list[ActivityRow]
    page: int
    has_next: bool


def visible_events(actor: CurrentUser) -> str:
    """SQL conditions on the event `e` (joined with its contact `k`): a customer's action the
    member may see. Names `:user_id` when the member sees only some contacts or tickets."""
    sql = f"e.actor_kind = 'customer' AND {NOT_IN_FEED}"
    if not can_see_all_contacts(actor):
        sql += _OWN_CONTACT
    readable = [folder for folder in FOLDERS if staff_may_read_folder(actor, folder)]
    folders = ", ".join(f"'{folder}'" for folder in readable)  # fixed vocabulary, never input
    sql += f" AND (e.folder = '' OR e.folder IN ({folders}))" if readable else " AND e.folder = ''"
    if not can_handle_tickets(actor):
        sql += " AND e.object_type <> 'ticket'"
    elif not can_see_all_contacts(actor):
        sql += _OWN_TICKET
    return sql


def _values(sql: str, actor: CurrentUser, **values: Any) -> dict[str, Any]:
    return {**values, "user_id": actor.id} if ":user_id" in sql else values


async def feed_page(
    actor: CurrentUser,
    *,
    filter_name: str,
    page: int,
    per_page: int = PER_PAGE,
    contact_id: int | None = None,
) -> ActivityPage:
    """One page of the feed, newest first (one row more than shown says there is a next)."""
    where = visible_events(actor) + _FILTER_SQL[filter_name]
    if contact_id is not None:
        where += " AND e.contact_id = :contact_id"
    sql = (
        f"{_SELECT} WHERE e.tenant_id = :tenant_id AND {where}"  # noqa: S608 - constants
        f" ORDER BY e.created_at DESC, e.id DESC LIMIT {per_page + 1} OFFSET :offset"
    )
    values = _values(sql, actor, offset=(page - 1) * per_page)
    if contact_id is not None:
        values["contact_id"] = contact_id
    rows = await fetch_all(sql, **values)
    return ActivityPage(
        rows=[_row(row) for row in rows[:per_page]], page=page, has_next=len(rows) > per_page
    )


async def visible_event(actor: CurrentUser, event_id: int) -> ActivityRow | None:
    """The feed's row of one event, if the member may see it."""
    where = visible_events(actor)
    sql = f"{_SELECT} WHERE e.tenant_id = :tenant_id AND e.id = :event_id AND {where}"  # noqa: S608
    row = await fetch_one(sql, **_values(sql, actor, event_id=event_id))
    return _row(row) if row else None


async def told_to(event_id: int) -> list[int]:
    """The accounts the event was told to (whose unchecked counts it is part of)."""
    rows = await fetch_all(
        "SELECT user_id FROM notification WHERE tenant_id = :tenant_id AND event_id = :event_id",
        event_id=event_id,
    )
    return [int(row["user_id"]) for row in rows]


async def unchecked_told(actor: CurrentUser, *, cap: int) -> int:
    """The sidebar's count: unchecked customer actions told to the member, up to `cap` (as
    the session query counts it)."""
    sql = (
        f"SELECT COUNT(*) AS n FROM (SELECT 1 FROM notification n JOIN activity_event e"  # noqa: S608
        " ON e.id = n.event_id AND e.tenant_id = n.tenant_id"
        " WHERE n.tenant_id = :tenant_id AND n.user_id = :user_id"
        f" AND e.actor_kind = 'customer' AND {NOT_IN_FEED} AND e.checked_at IS NULL"
        f" LIMIT {int(cap)}) f"
    )
    row = await fetch_one(sql, user_id=actor.id)
    return int(row["n"]) if row else 0


def changes_of(value: Any) -> dict[str, list[Any]] | None:
    """The stored `{column: [old, new]}` from a raw row (JSON text on both databases)."""
    if value in (None, "", "null"):
        return None
    found = json.loads(value) if isinstance(value, str) else value
    return found if isinstance(found, dict) else None


def _row(row: dict[str, Any]) -> ActivityRow:
    checker = f"{row['checker_first'] or ''} {row['checker_last'] or ''}".strip()
    return ActivityRow(
        id=int(row["id"]),
        kind=str(row["kind"]),
        actor_name=str(row["actor_name"] or ""),
        contact_id=int(row["contact_id"]),
        contact_name=f"{row['first_name']} {row['last_name']}".strip(),
        object_type=str(row["object_type"] or ""),
        object_id=int(row["object_id"]) if row["object_id"] is not None else None,
        folder=str(row["folder"] or ""),
        title=str(row["title"] or ""),
        changes=changes_of(row["changes"]),
        created_at=as_datetime(row["created_at"]),
        checked_at=as_datetime(row["checked_at"]) if row["checked_at"] is not None else None,
        checked_by=checker,
        contract_id=row["contract_id"],
        contract_deleted=row["contract_deleted_at"] is not None,
        document_id=row["document_id"],
        ticket_id=row["ticket_id"],
    )
