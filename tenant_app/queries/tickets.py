"""The ticket pages, lists and unread counts: a few hand-written queries, however long the
thread. Who may read what is decided in services/tickets.py; these only read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from tenant_app.queries.sql import as_datetime, fetch_all, fetch_one


def _row_name(row: dict[str, Any]) -> str:
    """A display name from a raw row's `first_name` and `last_name`."""
    return f"{row['first_name'] or ''} {row['last_name'] or ''}".strip()


@dataclass(frozen=True)
class StaffChoice:
    """A staff member in a choice list (write to, forward to)."""

    id: int
    full_name: str


_TICKET_STAFF_SQL = (
    "SELECT u.id, u.first_name, u.last_name FROM user_account u"
    " WHERE u.tenant_id = :tenant_id AND u.kind = 'staff' AND u.is_active = :yes"
    " AND (u.role = 'admin' OR u.handles_tickets = :yes)"
    " ORDER BY u.last_name, u.first_name, u.id"
)


async def ticket_staff() -> list[StaffChoice]:
    """Staff a customer may write to (and staff may forward to): active, handling tickets."""
    rows = await fetch_all(_TICKET_STAFF_SQL, yes=True)
    return [StaffChoice(row["id"], _row_name(row)) for row in rows]


@dataclass(frozen=True)
class TicketHeader:
    id: int
    subject: str
    status: str  # open | closed
    contact_id: int
    contact_name: str  # "" on the customer's page
    responsible_id: int | None
    # What the ticket is about when it began there (an offer asked about): staff page only.
    about_contract_id: int | None = None
    about_folder: str = ""
    about_title: str = ""


class EntryView(NamedTuple):  # named tuples: keys of the kept thread (fragments.py)
    id: int
    created_at: datetime
    by_customer: bool
    body: str
    author_id: int | None
    author_name: str | None  # None: the account no longer exists
    document_id: int | None  # the attachment, if any
    filename: str

    @property
    def is_note(self) -> bool:
        return False


class EventView(NamedTuple):
    kind: str  # one of EVENT_KINDS
    created_at: datetime
    actor_name: str
    target_name: str
    comment: str
    internal: bool  # staff only

    @property
    def is_note(self) -> bool:
        return self.kind == "note"


@dataclass(frozen=True)
class Thread:
    entries: list[EntryView]
    events: list[EventView]
    timeline: list[EntryView | EventView]  # entries and internal notes, oldest first


@dataclass(frozen=True)
class ContractChoice:
    """A contract an attachment may be filed into."""

    id: int
    folder: str
    product_line: str
    insurance_number: str


@dataclass(frozen=True)
class StaffTicketPage:
    ticket: TicketHeader
    thread: Thread
    colleagues: list[StaffChoice]  # who it may be forwarded to: not the responsible one
    contracts: list[ContractChoice]  # the contact's, in folders this member may change


@dataclass(frozen=True)
class CustomerTicketPage:
    ticket: TicketHeader
    thread: Thread


# Entries (with author and attachment) and history events, in one statement.
_THREAD_SQL = (
    "SELECT 'entry' AS part, e.id, e.created_at, e.by_customer, e.body, e.author_id,"
    " u.id AS author_found, u.first_name, u.last_name, d.id AS document_id, d.filename,"
    " NULL AS kind, NULL AS actor_name, NULL AS target_name, NULL AS internal"
    " FROM conversation_entry e"
    " LEFT JOIN user_account u ON u.id = e.author_id AND u.tenant_id = e.tenant_id"
    " LEFT JOIN document d ON d.id = e.document_id AND d.tenant_id = e.tenant_id"
    " WHERE e.tenant_id = :tenant_id AND e.conversation_id = :ticket_id"
    " UNION ALL"
    " SELECT 'event', v.id, v.created_at, NULL, v.comment, NULL,"
    " NULL, NULL, NULL, NULL, NULL,"
    " v.kind, v.actor_name, v.target_name, v.internal"
    " FROM conversation_event v"
    " WHERE v.tenant_id = :tenant_id AND v.conversation_id = :ticket_id"
)
_ORDER = " ORDER BY created_at, id"
# What concerns the customer, and only that: a list of kinds as well as the flag, so that no
# event (a forward from before the flag existed, a read by staff, a note) slips through.
_CUSTOMER_EVENTS = " AND v.internal = :no AND v.kind IN ('created', 'replied', 'closed')"


async def _thread(ticket_id: int, *, for_customer: bool) -> Thread:
    sql = _THREAD_SQL + (_CUSTOMER_EVENTS if for_customer else "") + _ORDER
    entries: list[EntryView] = []
    events: list[EventView] = []
    timeline: list[EntryView | EventView] = []
    for row in await fetch_all(sql, ticket_id=ticket_id, no=False):
        if row["part"] == "entry":
            entry = EntryView(
                id=row["id"],
                created_at=as_datetime(row["created_at"]),
                by_customer=bool(row["by_customer"]),
                body=row["body"],
                author_id=row["author_id"],
                author_name=_row_name(row) if row["author_found"] is not None else None,
                document_id=row["document_id"],
                filename=row["filename"] or "",
            )
            entries.append(entry)
            timeline.append(entry)
            continue
        event = EventView(
            kind=row["kind"],
            created_at=as_datetime(row["created_at"]),
            actor_name=row["actor_name"],
            target_name=row["target_name"],
            comment=row["body"],
            internal=bool(row["internal"]),
        )
        events.append(event)
        if event.is_note:
            timeline.append(event)
    return Thread(entries=entries, events=events, timeline=timeline)


# The ticket, its contact and the contact's contracts in the given folders: one row per
# contract, or one with NULL contract columns. Admins and members who see all contacts
# (:sees_all) open every ticket; others only those they hold or take part in. No row: NotFound.
# The seat is found through the tenant-checked ticket by its unique (conversation, user)
# index; a tenant condition on it would let PostgreSQL's generic plan scan the member's
# seats in every ticket instead.
_STAFF_TICKET_SQL = (
    "SELECT c.id, c.subject, c.status, c.contact_id, c.responsible_id,"
    " k.first_name, k.last_name,"
    " ct.id AS contract_id, ct.folder, ct.product_line, ct.insurance_number,"
    " ab.id AS about_id, ab.folder AS about_folder, ab.product_line AS about_line,"
    " ab.insurer_name AS about_insurer"
    " FROM conversation c"
    " JOIN contact k ON k.id = c.contact_id AND k.tenant_id = c.tenant_id"
    " AND k.restricted_at IS NULL"  # retained for legal reasons: hidden
    " LEFT JOIN contract ab ON ab.id = c.contract_id AND ab.tenant_id = c.tenant_id"
    " LEFT JOIN conversation_participant p ON p.conversation_id = c.id AND p.user_id = :user_id"
    " LEFT JOIN contract ct ON ct.tenant_id = c.tenant_id AND ct.contact_id = c.contact_id"
    " AND ct.deleted_at IS NULL AND ct.folder IN (:folder0, :folder1, :folder2, :folder3)"
    " WHERE c.tenant_id = :tenant_id AND c.id = :ticket_id AND c.kind = 'ticket'"
    " AND (:sees_all OR c.responsible_id = :user_id OR p.id IS NOT NULL)"
    " ORDER BY ct.folder, ct.id"
)


async def staff_ticket_page(
    ticket_id: int, *, user_id: int, sees_all: bool, folders: list[str | None]
) -> StaffTicketPage | None:
    """The staff ticket page in three queries: ticket with contracts, thread, colleagues.

    `sees_all` opens every ticket, else only those the member holds or takes part in;
    `folders` (four, None where the member may not file) name where attachments may go.
    """
    slots = {f"folder{index}": folder for index, folder in enumerate(folders)}
    rows = await fetch_all(  # a None folder never matches
        _STAFF_TICKET_SQL, ticket_id=ticket_id, user_id=user_id, sees_all=sees_all, **slots
    )
    if not rows:
        return None
    first = rows[0]
    ticket = TicketHeader(
        id=first["id"],
        subject=first["subject"],
        status=first["status"],
        contact_id=first["contact_id"],
        contact_name=_row_name(first),
        responsible_id=first["responsible_id"],
        about_contract_id=first["about_id"],
        about_folder=first["about_folder"] or "",
        about_title=" · ".join(p for p in (first["about_line"], first["about_insurer"]) if p),
    )
    contracts = [
        ContractChoice(
            row["contract_id"], row["folder"], row["product_line"], row["insurance_number"]
        )
        for row in rows
        if row["contract_id"] is not None
    ]
    thread = await _thread(ticket.id, for_customer=False)
    colleagues = [member for member in await ticket_staff() if member.id != ticket.responsible_id]
    return StaffTicketPage(ticket, thread, colleagues, contracts)


# The ticket, when it is the customer's own contact's.
_CUSTOMER_TICKET_SQL = (
    "SELECT c.id AS ticket_id, c.subject, c.status, c.responsible_id FROM conversation c"
    " WHERE c.tenant_id = :tenant_id AND c.id = :ticket_id AND c.contact_id = :contact_id"
    " AND c.kind = 'ticket'"
)


async def customer_ticket_page(ticket_id: int, *, contact_id: int) -> CustomerTicketPage | None:
    """The ticket of this contact, with its thread, in two queries."""
    row = await fetch_one(_CUSTOMER_TICKET_SQL, ticket_id=ticket_id, contact_id=contact_id)
    if row is None:
        return None
    ticket = TicketHeader(
        id=row["ticket_id"],
        subject=row["subject"],
        status=row["status"],
        contact_id=contact_id,
        contact_name="",
        responsible_id=row["responsible_id"],
    )
    return CustomerTicketPage(ticket, await _thread(ticket.id, for_customer=True))


@dataclass(frozen=True)
class TicketRow:
    id: int
    subject: str
    status: str
    contact_name: str
    # Staff: who holds the ticket. Customers: their contact person, never a forward's target.
    responsible_name: str
    last_entry_at: datetime | None
    unread: bool
    waiting: bool  # the customer wrote last


_STAFF_LIST_SQL = (
    "SELECT c.id, c.subject, c.status, c.last_entry_at, c.entry_count, c.last_entry_by_customer,"
    " k.first_name AS contact_first, k.last_name AS contact_last,"
    " r.first_name AS staff_first, r.last_name AS staff_last, p.read_count"
    " FROM conversation c JOIN contact k ON k.id = c.contact_id AND k.tenant_id = c.tenant_id"
    " AND k.restricted_at IS NULL"
    " LEFT JOIN user_account r ON r.id = c.responsible_id AND r.tenant_id = c.tenant_id"
    " LEFT JOIN conversation_participant p ON p.conversation_id = c.id AND p.user_id = :user_id"
    " WHERE c.tenant_id = :tenant_id AND c.kind = 'ticket' AND c.status = :status"
)


async def staff_tickets(
    *, user_id: int, status: str, only_own: bool, newest_first: bool, search: str
) -> list[TicketRow]:
    """The staff ticket list in one query, however many tickets there are."""
    sql = _STAFF_LIST_SQL
    values: dict[str, Any] = {"user_id": user_id, "status": status}
    if only_own:
        sql += " AND c.responsible_id = :user_id"
    if search.strip():
        sql += " AND (LOWER(k.last_name) LIKE :pattern OR LOWER(k.first_name) LIKE :pattern)"
        values["pattern"] = f"%{search.strip().lower()[:100]}%"
    order = "DESC" if newest_first else "ASC"  # both by one index (see models/conversations)
    sql += f" ORDER BY c.last_entry_at {order}, c.id {order} LIMIT 200"
    rows = await fetch_all(sql, **values)
    return [
        TicketRow(
            id=row["id"],
            subject=row["subject"],
            status=row["status"],
            contact_name=f"{row['contact_first']} {row['contact_last']}",
            responsible_name=f"{row['staff_first'] or ''} {row['staff_last'] or ''}".strip(),
            last_entry_at=as_datetime(row["last_entry_at"]) if row["last_entry_at"] else None,
            unread=(row["read_count"] or 0) < row["entry_count"],
            waiting=bool(row["last_entry_by_customer"]),
        )
        for row in rows
    ]


_STAFF_UNREAD_SQL = (
    "SELECT COUNT(*) AS n FROM conversation c LEFT JOIN conversation_participant p"
    " ON p.conversation_id = c.id AND p.user_id = :user_id"
    " WHERE c.tenant_id = :tenant_id AND c.status = 'open' AND c.responsible_id = :user_id"
    " AND c.kind = 'ticket' AND c.restricted_at IS NULL"  # kept after an erasure: not work
    " AND (p.read_count IS NULL OR p.read_count < c.entry_count"
    " OR c.last_entry_by_customer = :yes)"
)


async def staff_unread(user_id: int) -> int:
    """Open tickets the member holds that are unread or await an answer: one query."""
    row = await fetch_one(_STAFF_UNREAD_SQL, user_id=user_id, yes=True)
    return int(row["n"]) if row else 0


# The customer's tickets of one status. The list and the badge share it (and what counts as
# unread), so the badge never counts a ticket the list it leads to does not show.
_CUSTOMER_TICKETS = (
    " FROM conversation c LEFT JOIN conversation_participant p"
    " ON p.conversation_id = c.id AND p.user_id = :user_id"
    " WHERE c.tenant_id = :tenant_id AND c.contact_id = :contact_id AND c.kind = 'ticket'"
    " AND c.status = :status"
)
_CUSTOMER_UNREAD = "COALESCE(p.read_count, 0) < c.entry_count"
_CUSTOMER_UNREAD_SQL = "SELECT COUNT(*) AS n" + _CUSTOMER_TICKETS + " AND " + _CUSTOMER_UNREAD
# The contact person a customer sees: the staff member who last wrote to them, else the one
# they wrote to (or who wrote first): the first staff seat. Never `responsible_id`, which a
# forward changes behind the customer's back.
_CUSTOMER_LIST_SQL = (
    "SELECT t.*, u.first_name, u.last_name FROM ("  # noqa: S608 - constants, values bound
    "SELECT c.id, c.subject, c.status, c.last_entry_at, c.entry_count, p.read_count,"
    " COALESCE("
    "(SELECT e.author_id FROM conversation_entry e WHERE e.tenant_id = c.tenant_id"
    " AND e.conversation_id = c.id AND e.by_customer = :no AND e.author_id IS NOT NULL"
    " ORDER BY e.id DESC LIMIT 1),"
    " (SELECT s.user_id FROM conversation_participant s WHERE s.tenant_id = c.tenant_id"
    " AND s.conversation_id = c.id AND s.role = 'staff' ORDER BY s.id LIMIT 1)"
    ") AS person_id" + _CUSTOMER_TICKETS + ") t"
    " LEFT JOIN user_account u ON u.id = t.person_id AND u.tenant_id = :tenant_id"
    " ORDER BY t.last_entry_at DESC, t.id DESC"
)


async def customer_tickets(*, user_id: int, contact_id: int, status: str) -> list[TicketRow]:
    """The customer's own tickets of one status in one query."""
    rows = await fetch_all(
        _CUSTOMER_LIST_SQL, user_id=user_id, contact_id=contact_id, status=status, no=False
    )
    return [
        TicketRow(
            id=row["id"],
            subject=row["subject"],
            status=row["status"],
            contact_name="",
            responsible_name=_row_name(row),
            last_entry_at=as_datetime(row["last_entry_at"]) if row["last_entry_at"] else None,
            unread=(row["read_count"] or 0) < row["entry_count"],
            waiting=False,
        )
        for row in rows
    ]


async def customer_unread(user_id: int, contact_id: int) -> int:
    """Open tickets with an entry the customer has not read: what the list marks as new."""
    row = await fetch_one(
        _CUSTOMER_UNREAD_SQL, user_id=user_id, contact_id=contact_id, status="open"
    )
    return int(row["n"]) if row else 0
