"""The chat pages, the chat list and the live tail: a few hand-written queries, however long
the chat. Who may read what is decided in services/chats.py; these only read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from tenant_app.queries.sql import as_datetime, dialect_name, fetch_all, fetch_one


def _name(first: Any, last: Any) -> str:
    return f"{first or ''} {last or ''}".strip()


class Message(NamedTuple):
    """One entry of a chat as a page shows it (`internal`: a staff note, never for customers).
    A named tuple: a page's messages are part of its kept fragment's key (fragments.py), and
    tuples hash and compare in C, where a dataclass builds a tuple of its fields each time."""

    id: int
    seq: int | None
    key: str
    body: str
    by_customer: bool
    internal: bool
    author_id: int | None
    author_name: str
    created_at: datetime
    document_id: int | None
    filename: str
    content_type: str


@dataclass(frozen=True)
class Marks:
    """How far each side has received and read (positions, compared with `Message.seq`)."""

    customer_delivered: int = 0
    customer_read: int = 0
    staff_delivered: int = 0
    staff_read: int = 0

    def of(self, message: Message) -> str:
        """`read`, `delivered` or `sent` for a message, as its sender sees it."""
        if message.seq is None:
            return ""
        read, delivered = (
            (self.staff_read, self.staff_delivered)
            if message.by_customer
            else (self.customer_read, self.customer_delivered)
        )
        if read >= message.seq:
            return "read"
        return "delivered" if delivered >= message.seq else "sent"


_MESSAGES_SQL = (
    "SELECT e.id, e.seq, e.client_key, e.body, e.by_customer, e.internal, e.author_id,"
    " e.created_at, e.document_id, u.first_name, u.last_name, d.filename, d.content_type"
    " FROM conversation_entry e"
    " LEFT JOIN user_account u ON u.id = e.author_id AND u.tenant_id = e.tenant_id"
    " LEFT JOIN document d ON d.id = e.document_id AND d.tenant_id = e.tenant_id"
    " WHERE e.tenant_id = :tenant_id AND e.conversation_id = :chat_id AND e.id > :after"
)


async def messages(chat_id: int, *, after: int = 0, for_customer: bool) -> list[Message]:
    """The chat's messages after the entry `after`, oldest first (internal notes for staff)."""
    sql = _MESSAGES_SQL + (" AND e.internal = :no" if for_customer else "") + " ORDER BY e.id"
    rows = await fetch_all(sql, chat_id=chat_id, after=after, no=False)
    return [
        Message(
            id=row["id"],
            seq=row["seq"],
            key=row["client_key"] or f"e{row['id']}",
            body=row["body"],
            by_customer=bool(row["by_customer"]),
            internal=bool(row["internal"]),
            author_id=row["author_id"],
            author_name=_name(row["first_name"], row["last_name"]),
            created_at=as_datetime(row["created_at"]),
            document_id=row["document_id"],
            filename=row["filename"] or "",
            content_type=row["content_type"] or "",
        )
        for row in rows
    ]


_MARKS_SQL = (
    "SELECT p.role, MAX(p.delivered_count) AS delivered, MAX(p.read_count) AS seen"
    " FROM conversation_participant p"
    # `+ 0`: by the chat's key; a generic plan would walk the tenant's index (1 ms for 11,600
    # rows) expecting a tenant of average size
    " WHERE p.tenant_id + 0 = :tenant_id AND p.conversation_id = :chat_id GROUP BY p.role"
)


async def marks(chat_id: int) -> Marks:
    found = {row["role"]: row for row in await fetch_all(_MARKS_SQL, chat_id=chat_id)}
    customer, staff = found.get("customer", {}), found.get("staff", {})
    return Marks(
        customer_delivered=int(customer.get("delivered") or 0),
        customer_read=int(customer.get("seen") or 0),
        staff_delivered=int(staff.get("delivered") or 0),
        staff_read=int(staff.get("seen") or 0),
    )


_UNDELIVERED_SQL = (
    "SELECT p.id, p.conversation_id, c.entry_count FROM conversation_participant p"
    " JOIN conversation c ON c.id = p.conversation_id AND c.tenant_id = p.tenant_id"
    " WHERE p.tenant_id = :tenant_id AND p.user_id = :user_id AND c.kind = 'chat'"
    " AND p.delivered_count < c.entry_count"
)


async def undelivered(user_id: int) -> list[tuple[int, int, int]]:
    """(seat, chat, last position) of the user's chats with messages not yet delivered."""
    rows = await fetch_all(_UNDELIVERED_SQL, user_id=user_id)
    return [(row["id"], row["conversation_id"], row["entry_count"]) for row in rows]


@dataclass(frozen=True)
class ChatHead:
    """A chat's header: who it is with, who operates it, its state."""

    id: int
    contact_id: int
    contact_name: str
    status: str
    operator_id: int | None
    operator_name: str
    entry_count: int
    read_count: int  # the reader's own
    closed_at: datetime | None


_HEAD_SQL = (
    "SELECT c.id, c.contact_id, c.status, c.responsible_id, c.entry_count, c.closed_at,"
    " k.first_name, k.last_name, o.first_name AS op_first, o.last_name AS op_last,"
    " p.read_count"
    " FROM conversation c"
    " JOIN contact k ON k.id = c.contact_id AND k.tenant_id = c.tenant_id"
    " AND k.restricted_at IS NULL"  # retained for legal reasons: hidden
    " LEFT JOIN user_account o ON o.id = c.responsible_id AND o.tenant_id = c.tenant_id"
    " LEFT JOIN conversation_participant p ON p.conversation_id = c.id AND p.user_id = :user_id"
    " WHERE c.tenant_id = :tenant_id AND c.id = :chat_id AND c.kind = 'chat'"
)


async def head(chat_id: int, *, user_id: int) -> ChatHead | None:
    row = await fetch_one(_HEAD_SQL, chat_id=chat_id, user_id=user_id)
    if row is None:
        return None
    return ChatHead(
        id=row["id"],
        contact_id=row["contact_id"],
        contact_name=_name(row["first_name"], row["last_name"]),
        status=row["status"],
        operator_id=row["responsible_id"],
        operator_name=_name(row["op_first"], row["op_last"]),
        entry_count=row["entry_count"],
        read_count=int(row["read_count"] or 0),
        closed_at=as_datetime(row["closed_at"]) if row["closed_at"] else None,
    )


class ChatRow(NamedTuple):
    """A line of the staff's chat list (a named tuple: see `Message`)."""

    id: int
    contact_id: int
    contact_name: str
    status: str
    operator_id: int | None
    operator_name: str
    last_entry_at: datetime | None
    waiting: bool  # the customer wrote last
    unread: int  # messages the reader has not read


# Chats of contacts the member sees (all, or those they are responsible for: _NOT_ALL) or
# that they operate; `mine`: those they operate. Newest first by the index on
# (tenant, kind, status, last_entry_at, id): a chat has a last_entry_at from its start on.
_LIST_SQL = (
    "SELECT c.id, c.contact_id, c.status, c.responsible_id, c.last_entry_at,"
    " c.last_entry_by_customer, c.entry_count, k.first_name, k.last_name,"
    " o.first_name AS op_first, o.last_name AS op_last,"
    # per row by the unique (conversation, user) key: as a join, a generic plan expecting a
    # handful of the member's rows compared each chat with all of them (360,000 at 200 rows)
    " (SELECT p.read_count FROM conversation_participant p"
    " WHERE p.conversation_id = c.id AND p.user_id = :user_id) AS read_count"
    " FROM conversation c {contact}"
    " LEFT JOIN user_account o ON o.id = c.responsible_id AND o.tenant_id = c.tenant_id"
    # the tenant as a literal: a generic plan, made for a tenant of average size, would
    # sort all of a big tenant's chats instead of reading the newest from the index
    " WHERE c.tenant_id = :tenant_literal AND c.kind = 'chat' AND c.status = :status"
)
_NOT_ALL = (
    " AND (c.responsible_id = :user_id OR EXISTS (SELECT 1 FROM contact_responsible r"
    " WHERE r.tenant_id = c.tenant_id AND r.contact_id = c.contact_id AND r.user_id = :user_id))"
)
LIST_LIMIT = 200
_CONTACT = (
    "k.id = c.contact_id AND k.tenant_id = c.tenant_id"
    " AND k.restricted_at IS NULL"  # retained for legal reasons: hidden
)
# PostgreSQL multiplies the two join conditions' selectivities, expects a fifth of the rows
# and so hashes the tenant's contacts and sorts every open chat (16 ms at 2,900 chats). As a
# subquery it cannot flatten (OFFSET 0) the contact is looked up per chat, read newest first
# from the index until the page is full (1 ms). SQLite plans the plain join that way anyway.
_CONTACT_JOIN = {
    "postgres": "CROSS JOIN LATERAL (SELECT k.first_name, k.last_name FROM contact k"  # noqa: S608
    f" WHERE {_CONTACT} OFFSET 0) k",
    "sqlite": f"JOIN contact k ON {_CONTACT}",
}


async def chat_list(
    *, user_id: int, sees_all: bool, status: str, mine: bool, newest_first: bool, search: str
) -> list[ChatRow]:
    """The staff's chat list in one query, however many chats there are."""
    contact = _CONTACT_JOIN["postgres" if dialect_name() == "postgres" else "sqlite"]
    sql = _LIST_SQL.format(contact=contact) + ("" if sees_all else _NOT_ALL)
    values: dict[str, Any] = {"user_id": user_id, "status": status}
    if mine:
        sql += " AND c.responsible_id = :user_id"
    if search.strip():
        sql += " AND (LOWER(k.last_name) LIKE :pattern OR LOWER(k.first_name) LIKE :pattern"
        sql += " OR LOWER(k.first_name || ' ' || k.last_name) LIKE :pattern)"
        values["pattern"] = f"%{search.strip().lower()[:100]}%"
    order = "DESC" if newest_first else "ASC"
    sql += f" ORDER BY c.last_entry_at {order}, c.id {order} LIMIT {LIST_LIMIT}"
    return [
        ChatRow(
            id=row["id"],
            contact_id=row["contact_id"],
            contact_name=_name(row["first_name"], row["last_name"]),
            status=row["status"],
            operator_id=row["responsible_id"],
            operator_name=_name(row["op_first"], row["op_last"]),
            last_entry_at=as_datetime(row["last_entry_at"]) if row["last_entry_at"] else None,
            waiting=bool(row["last_entry_by_customer"]),
            unread=max(0, row["entry_count"] - int(row["read_count"] or 0)),
        )
        for row in await fetch_all(sql, **values)
    ]


@dataclass(frozen=True)
class Chattable:
    """A customer staff may start a chat with (an active app login, communication on)."""

    contact_id: int
    name: str
    chat_id: int | None


_CHATTABLE_SQL = (
    "SELECT k.id, k.first_name, k.last_name, c.id AS chat_id FROM contact k"
    " JOIN user_account u ON u.contact_id = k.id AND u.tenant_id = k.tenant_id"
    " AND u.kind = 'customer' AND u.is_active = :yes AND u.password_hash IS NOT NULL"
    " JOIN customer_access a ON a.contact_id = k.id AND a.tenant_id = k.tenant_id"
    " AND a.communication = :yes"
    " LEFT JOIN conversation c ON c.tenant_id = k.tenant_id AND c.chat_contact_id = k.id"
    " WHERE k.tenant_id = :tenant_id AND (LOWER(k.last_name) LIKE :pattern"
    " OR LOWER(k.first_name) LIKE :pattern OR LOWER(k.first_name || ' ' || k.last_name) LIKE"
    " :pattern){own} ORDER BY k.last_name, k.first_name, k.id LIMIT 20"
)
_OWN_CONTACT = (
    " AND EXISTS (SELECT 1 FROM contact_responsible r"
    " WHERE r.tenant_id = k.tenant_id AND r.contact_id = k.id AND r.user_id = :user_id)"
)


async def chattable(*, search: str, user_id: int, sees_all: bool) -> list[Chattable]:
    """Up to 20 customers by name whom the member sees and who have an active app login."""
    pattern = f"%{search.strip().lower()[:100]}%"
    sql = _CHATTABLE_SQL.format(own="" if sees_all else _OWN_CONTACT)
    values: dict[str, Any] = {"pattern": pattern, "yes": True}
    if not sees_all:
        values["user_id"] = user_id
    rows = await fetch_all(sql, **values)
    return [
        Chattable(row["id"], _name(row["first_name"], row["last_name"]), row["chat_id"])
        for row in rows
    ]


_UNREAD_SQL = (
    "SELECT COUNT(*) AS n FROM conversation c LEFT JOIN conversation_participant p"
    " ON p.conversation_id = c.id AND p.user_id = :user_id"
    " WHERE c.tenant_id = :tenant_id AND c.kind = 'chat' AND c.status = 'open'"
    " AND c.restricted_at IS NULL"  # kept after an erasure: no work left
    " AND c.responsible_id = :user_id AND COALESCE(p.read_count, 0) < c.entry_count"
)


async def unread_chats(user_id: int) -> int:
    """Open chats the member operates with messages they have not read."""
    row = await fetch_one(_UNREAD_SQL, user_id=user_id)
    return int(row["n"]) if row else 0


# What a staff chat list shows changes only if one of these does: the open chats, their last
# messages, operators and archiving, and how far the member has read.
_SIGNATURE_SQL = (
    "SELECT COUNT(*) AS n, SUM(c.entry_count) AS entries, MAX(c.last_entry_at) AS latest,"
    " SUM(COALESCE(c.responsible_id, 0)) AS operators, MAX(c.closed_at) AS closed,"
    " (SELECT SUM(p.read_count) FROM conversation_participant p JOIN conversation x"
    " ON x.id = p.conversation_id AND x.tenant_id = p.tenant_id WHERE p.tenant_id = :tenant_id"
    " AND p.user_id = :user_id AND x.kind = 'chat') AS seen"
    " FROM conversation c WHERE c.tenant_id = :tenant_id AND c.kind = 'chat'"
)


async def list_signature(user_id: int) -> tuple[Any, ...]:
    """A value that changes whenever a staff member's chat list could show something new."""
    row = await fetch_one(_SIGNATURE_SQL, user_id=user_id)
    return tuple(str(value) for value in row.values()) if row else ()
