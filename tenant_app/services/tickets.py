"""Tickets: a customer and staff write to each other; forward, close, history, unread counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from tenant_app.db_queries import as_datetime, fetch_all, fetch_one
from tenant_app.errors import NotFound, PermissionDenied, ValidationFailed
from tenant_app.i18n import gettext as _
from tenant_app.mail.outbox import enqueue
from tenant_app.mail.render import render_email
from tenant_app.models.accounts import User
from tenant_app.models.contacts import Contact, ContactResponsible
from tenant_app.models.conversations import (
    Conversation,
    ConversationEntry,
    ConversationEvent,
    ConversationParticipant,
)
from tenant_app.permissions import (
    FOLDERS,
    can_handle_tickets,
    can_see_all_contacts,
    is_admin,
    staff_may_edit_folder,
)
from tenant_app.services import documents
from tenant_app.services.access import access_of
from tenant_app.services.accounts import tenant_base_url
from tenant_app.settings import Settings
from tenant_app.storage import Storage
from tenant_app.tenancy import TenantInfo

MAX_SUBJECT = 200  # characters
MAX_BODY = 10_000  # characters


@dataclass(frozen=True)
class Context:
    """What every ticket action needs besides the actor: tenant, settings, file storage."""

    tenant: TenantInfo
    settings: Settings
    store: Storage


def _name(user: Any) -> str:
    return f"{user.first_name} {user.last_name}".strip()


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
    " WHERE u.tenant_id = {0} AND u.kind = 'staff' AND u.is_active = {1}"
    " AND (u.role = 'admin' OR u.handles_tickets = {2})"
    " ORDER BY u.last_name, u.first_name, u.id"
)


async def ticket_staff(*, tenant_id: int) -> list[StaffChoice]:
    """Staff a customer may write to (and staff may forward to): active, handling tickets."""
    rows = await fetch_all(_TICKET_STAFF_SQL, tenant_id, True, True)
    return [StaffChoice(row["id"], _row_name(row)) for row in rows]


async def preferred_staff(contact_id: int) -> int | None:
    responsible = await ContactResponsible.filter(contact_id=contact_id).order_by("id").first()
    return responsible.user_id if responsible else None  # type: ignore[attr-defined]


def _check_text(subject: str | None, body: str) -> None:
    errors: dict[str, str] = {}
    if subject is not None:
        if not subject.strip():
            errors["subject"] = _("Please enter a subject.")
        elif len(subject) > MAX_SUBJECT:
            errors["subject"] = _("Please enter at most %(n)s characters.", n=MAX_SUBJECT)
    if not body.strip():
        errors["body"] = _("Please enter a message.")
    elif len(body) > MAX_BODY:
        errors["body"] = _("Please enter at most %(n)s characters.", n=MAX_BODY)
    if errors:
        raise ValidationFailed(errors)


async def _customer_may_write(actor: Any) -> None:
    if actor.contact_id is None or not (await access_of(actor.contact_id, actor)).communication:
        raise PermissionDenied


async def _attach(
    ctx: Context, actor: Any, contact_id: int, upload: Any, subject: str
) -> int | None:
    if upload is None:
        return None
    document = await documents.add_document(
        actor,
        ctx.store,
        contact_id=contact_id,
        upload=upload,
        values={"title": subject[:200] or "Anhang"},
        max_bytes=ctx.settings.max_upload_bytes,
        rights_checked=True,
    )
    return document.id


async def _add_entry(
    conversation: Conversation, actor: Any, body: str, document_id: int | None
) -> None:
    by_customer = actor.kind == "customer"
    await ConversationEntry.create(
        conversation_id=conversation.id,
        author_id=actor.id,
        by_customer=by_customer,
        body=body.strip(),
        document_id=document_id,
    )
    await Conversation.filter(id=conversation.id).update(
        entry_count=F("entry_count") + 1,
        last_entry_by_customer=by_customer,
        last_entry_at=datetime.now(UTC),
    )
    await _seat(conversation.id, actor, read_all=True)


async def _seat(conversation_id: int, user: Any, *, read_all: bool = False) -> None:
    """Make the user a participant; `read_all` marks everything up to now as read for them."""
    seat = await ConversationParticipant.get_or_none(
        conversation_id=conversation_id, user_id=user.id
    )
    if seat is None:
        seat = await ConversationParticipant.create(
            conversation_id=conversation_id,
            user_id=user.id,
            role="customer" if user.kind == "customer" else "staff",
        )
    if read_all:
        count = (await Conversation.get(id=conversation_id)).entry_count
        await ConversationParticipant.filter(id=seat.id).update(read_count=count)


async def _event(
    conversation_id: int, kind: str, actor: Any, *, target: Any = None, comment: str = ""
) -> None:
    await ConversationEvent.create(
        conversation_id=conversation_id,
        kind=kind,
        actor_id=actor.id,
        actor_name=_name(actor),
        target_name=_name(target) if target else "",
        comment=comment,
    )


async def _notify(
    ctx: Context, conversation: Conversation, recipient: User, kind: str, actor: Any
) -> None:
    """A mail at once, through the outbox; it names the ticket but never carries its text."""
    base_url = tenant_base_url(ctx.settings, ctx.tenant)
    path = "/portal/tickets" if recipient.kind == "customer" else "/staff/tickets"
    mail = render_email(
        "ticket_notice",
        {
            "recipient": recipient,
            "kind": kind,
            "subject_line": conversation.subject,
            "author": _name(actor),
            "link": f"{base_url}{path}/{conversation.id}",
            "for_customer": recipient.kind == "customer",
        },
        tenant=ctx.tenant,
        base_url=base_url,
        locale=recipient.language or "de",
    )
    await enqueue(mail, to=recipient.email, tenant_id=ctx.tenant.id)


async def open_ticket(
    ctx: Context,
    actor: Any,
    *,
    contact_id: int,
    staff_id: int | None,
    subject: str,
    body: str,
    upload: Any = None,
) -> Conversation:
    """A customer writes to a staff member, or staff start a ticket to a customer."""
    _check_text(subject, body)
    if actor.kind == "customer":
        await _customer_may_write(actor)
        contact_id = actor.contact_id
        recipient = await User.get_or_none(id=staff_id or 0, kind="staff", is_active=True)
        if recipient is None or not can_handle_tickets(recipient):
            raise ValidationFailed({"staff_id": _("Please choose who you want to write to.")})
    else:
        if not can_handle_tickets(actor):
            raise PermissionDenied
        contact = await Contact.get_or_none(id=contact_id)
        recipient = (
            await User.get_or_none(contact_id=contact_id, is_active=True) if contact else None
        )
        if recipient is None or recipient.password_hash is None:
            raise ValidationFailed({"body": _("This contact has no active user account yet.")})
        if not (await access_of(contact_id)).communication:
            raise ValidationFailed({"body": _("Communication is switched off for this contact.")})
    async with in_transaction():
        conversation = await Conversation.create(
            contact_id=contact_id,
            subject=subject.strip(),
            responsible_id=recipient.id if actor.kind == "customer" else actor.id,
        )
        document_id = await _attach(ctx, actor, contact_id, upload, subject)
        await _seat(conversation.id, recipient)
        await _add_entry(conversation, actor, body, document_id)
        await _event(conversation.id, "created", actor)
        await _notify(ctx, conversation, recipient, "new", actor)
    return conversation


async def ticket_for(actor: Any, ticket_id: int) -> Conversation:
    """The ticket if the actor may see it; otherwise NotFound, whoever owns it."""
    conversation = await Conversation.get_or_none(id=ticket_id, kind="ticket")
    if conversation is None:
        raise NotFound
    if actor.kind == "customer":
        if (
            conversation.contact_id != actor.contact_id
            or not (await access_of(actor.contact_id, actor)).communication
        ):
            raise NotFound
        return conversation
    if not can_handle_tickets(actor):
        raise PermissionDenied
    if is_admin(actor) or can_see_all_contacts(actor) or conversation.responsible_id == actor.id:
        return conversation
    if await ConversationParticipant.filter(
        conversation_id=conversation.id, user_id=actor.id
    ).exists():
        return conversation
    raise NotFound


async def _others(conversation: Conversation, actor: Any) -> list[User]:
    """Who should hear of a new entry: the customer, or the responsible staff member."""
    if actor.kind == "customer":
        responsible = await User.get_or_none(id=conversation.responsible_id or 0, is_active=True)
        return [responsible] if responsible else []
    customer = await User.get_or_none(contact_id=conversation.contact_id, is_active=True)
    return [customer] if customer else []


async def reply(
    ctx: Context, actor: Any, conversation: Conversation, *, body: str, upload: Any = None
) -> None:
    if conversation.status != "open":
        raise ValidationFailed({"body": _("This ticket is closed. Please open a new one.")})
    if actor.kind == "customer":
        await _customer_may_write(actor)
    _check_text(None, body)
    async with in_transaction():
        document_id = await _attach(
            ctx, actor, conversation.contact_id, upload, conversation.subject
        )
        await _add_entry(conversation, actor, body, document_id)
        await _event(conversation.id, "replied", actor)
        for recipient in await _others(conversation, actor):
            await _notify(ctx, conversation, recipient, "reply", actor)


async def forward(
    ctx: Context, actor: Any, conversation: Conversation, *, to_user_id: int, comment: str
) -> None:
    """Hand the ticket to a colleague, who becomes responsible and is told by mail."""
    if actor.kind != "staff":
        raise PermissionDenied
    colleague = await User.get_or_none(id=to_user_id, kind="staff", is_active=True)
    if (
        colleague is None
        or not can_handle_tickets(colleague)
        or colleague.id == conversation.responsible_id
    ):
        raise ValidationFailed({"to_user_id": _("Please choose a colleague who handles tickets.")})
    if len(comment) > MAX_BODY:
        raise ValidationFailed({"comment": _("Please enter at most %(n)s characters.", n=MAX_BODY)})
    async with in_transaction():
        await Conversation.filter(id=conversation.id).update(responsible_id=colleague.id)
        await _seat(conversation.id, colleague)
        await _event(conversation.id, "forwarded", actor, target=colleague, comment=comment.strip())
        await _notify(ctx, conversation, colleague, "forward", actor)


async def close(actor: Any, conversation: Conversation) -> None:
    if actor.kind != "staff":
        raise PermissionDenied  # only staff close tickets
    if conversation.status == "closed":
        return
    async with in_transaction():
        await Conversation.filter(id=conversation.id).update(
            status="closed", closed_at=datetime.now(UTC)
        )
        await _event(conversation.id, "closed", actor)


async def mark_read(actor: Any, conversation: Conversation) -> None:
    """Opening a ticket reads it: the read counter catches up and, if anything was new, an event."""
    seat = await ConversationParticipant.get_or_none(
        conversation_id=conversation.id, user_id=actor.id
    )
    if seat is not None and seat.read_count >= conversation.entry_count:
        return
    async with in_transaction():
        await _seat(conversation.id, actor, read_all=True)
        await _event(conversation.id, "read", actor)


# --- the two ticket pages: a few hand-written queries, however long the thread -------------


@dataclass(frozen=True)
class TicketHeader:
    id: int
    subject: str
    status: str  # open | closed
    contact_id: int
    contact_name: str  # "" on the customer's page
    responsible_id: int | None


@dataclass(frozen=True)
class EntryView:
    id: int
    created_at: datetime
    by_customer: bool
    body: str
    author_id: int | None
    author_name: str | None  # None: the account no longer exists
    document_id: int | None  # the attachment, if any
    filename: str


@dataclass(frozen=True)
class EventView:
    kind: str  # one of EVENT_KINDS
    created_at: datetime
    actor_name: str
    target_name: str
    comment: str


@dataclass(frozen=True)
class Thread:
    entries: list[EntryView]
    events: list[EventView]


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
    " NULL AS kind, NULL AS actor_name, NULL AS target_name"
    " FROM conversation_entry e"
    " LEFT JOIN user_account u ON u.id = e.author_id AND u.tenant_id = e.tenant_id"
    " LEFT JOIN document d ON d.id = e.document_id AND d.tenant_id = e.tenant_id"
    " WHERE e.tenant_id = {0} AND e.conversation_id = {1}"
    " UNION ALL"
    " SELECT 'event', v.id, v.created_at, NULL, v.comment, NULL,"
    " NULL, NULL, NULL, NULL, NULL,"
    " v.kind, v.actor_name, v.target_name"
    " FROM conversation_event v"
    " WHERE v.tenant_id = {2} AND v.conversation_id = {3}"
    " ORDER BY created_at, id"
)


async def _thread(tenant_id: int, ticket_id: int) -> Thread:
    entries: list[EntryView] = []
    events: list[EventView] = []
    for row in await fetch_all(_THREAD_SQL, tenant_id, ticket_id, tenant_id, ticket_id):
        if row["part"] == "entry":
            entries.append(
                EntryView(
                    id=row["id"],
                    created_at=as_datetime(row["created_at"]),
                    by_customer=bool(row["by_customer"]),
                    body=row["body"],
                    author_id=row["author_id"],
                    author_name=_row_name(row) if row["author_found"] is not None else None,
                    document_id=row["document_id"],
                    filename=row["filename"] or "",
                )
            )
        else:
            events.append(
                EventView(
                    kind=row["kind"],
                    created_at=as_datetime(row["created_at"]),
                    actor_name=row["actor_name"],
                    target_name=row["target_name"],
                    comment=row["body"],
                )
            )
    return Thread(entries=entries, events=events)


# The ticket, its contact and the contact's contracts in the given folders: one row per
# contract, or one with NULL contract columns. Admins and members who see all contacts
# ({7}) open every ticket; others only those they hold or take part in. No row: NotFound.
# The seat is found through the tenant-checked ticket by its unique (conversation, user)
# index; a tenant condition on it would let PostgreSQL's generic plan scan the member's
# seats in every ticket instead.
_STAFF_TICKET_SQL = (
    "SELECT c.id, c.subject, c.status, c.contact_id, c.responsible_id,"
    " k.first_name, k.last_name,"
    " ct.id AS contract_id, ct.folder, ct.product_line, ct.insurance_number"
    " FROM conversation c"
    " JOIN contact k ON k.id = c.contact_id AND k.tenant_id = c.tenant_id"
    " LEFT JOIN conversation_participant p ON p.conversation_id = c.id AND p.user_id = {0}"
    " LEFT JOIN contract ct ON ct.tenant_id = c.tenant_id AND ct.contact_id = c.contact_id"
    " AND ct.deleted_at IS NULL AND ct.folder IN ({1}, {2}, {3}, {4})"
    " WHERE c.tenant_id = {5} AND c.id = {6} AND c.kind = 'ticket'"
    " AND ({7} OR c.responsible_id = {8} OR p.id IS NOT NULL)"
    " ORDER BY ct.folder, ct.id"
)


async def staff_ticket_page(actor: Any, ticket_id: int, *, tenant_id: int) -> StaffTicketPage:
    """The staff ticket page in three queries: ticket with contracts, thread, colleagues.

    The same rights as `ticket_for`: admins and members who see all contacts open every
    ticket, others only those they are responsible for or take part in; else NotFound.
    """
    if not can_handle_tickets(actor):
        raise PermissionDenied
    sees_all = is_admin(actor) or can_see_all_contacts(actor)
    folders = [folder if staff_may_edit_folder(actor, folder) else None for folder in FOLDERS]
    rows = await fetch_all(  # a None folder never matches
        _STAFF_TICKET_SQL, actor.id, *folders, tenant_id, ticket_id, sees_all, actor.id
    )
    if not rows:
        raise NotFound
    first = rows[0]
    ticket = TicketHeader(
        id=first["id"],
        subject=first["subject"],
        status=first["status"],
        contact_id=first["contact_id"],
        contact_name=_row_name(first),
        responsible_id=first["responsible_id"],
    )
    contracts = [
        ContractChoice(
            row["contract_id"], row["folder"], row["product_line"], row["insurance_number"]
        )
        for row in rows
        if row["contract_id"] is not None
    ]
    thread = await _thread(tenant_id, ticket.id)
    colleagues = [
        member
        for member in await ticket_staff(tenant_id=tenant_id)
        if member.id != ticket.responsible_id
    ]
    return StaffTicketPage(ticket, thread, colleagues, contracts)


# The ticket, when it is the customer's own contact's.
_CUSTOMER_TICKET_SQL = (
    "SELECT c.id AS ticket_id, c.subject, c.status, c.responsible_id FROM conversation c"
    " WHERE c.tenant_id = {0} AND c.id = {1} AND c.contact_id = {2} AND c.kind = 'ticket'"
)


async def customer_ticket_page(actor: Any, ticket_id: int, *, tenant_id: int) -> CustomerTicketPage:
    """The customer's ticket page in two queries besides the session (which brought the
    customer's permissions); NotFound unless communication is on and it is their own."""
    if actor.contact_id is None or not (await access_of(actor.contact_id, actor)).communication:
        raise NotFound
    row = await fetch_one(_CUSTOMER_TICKET_SQL, tenant_id, ticket_id, actor.contact_id)
    if row is None:
        raise NotFound
    ticket = TicketHeader(
        id=row["ticket_id"],
        subject=row["subject"],
        status=row["status"],
        contact_id=actor.contact_id,
        contact_name="",
        responsible_id=row["responsible_id"],
    )
    return CustomerTicketPage(ticket, await _thread(tenant_id, ticket.id))


@dataclass(frozen=True)
class TicketRow:
    id: int
    subject: str
    status: str
    contact_name: str
    responsible_name: str
    last_entry_at: Any
    unread: bool
    waiting: bool  # the customer wrote last


_STAFF_LIST_SQL = (
    "SELECT c.id, c.subject, c.status, c.last_entry_at, c.entry_count, c.last_entry_by_customer,"
    " k.first_name AS contact_first, k.last_name AS contact_last,"
    " r.first_name AS staff_first, r.last_name AS staff_last, p.read_count"
    " FROM conversation c JOIN contact k ON k.id = c.contact_id AND k.tenant_id = c.tenant_id"
    " LEFT JOIN user_account r ON r.id = c.responsible_id AND r.tenant_id = c.tenant_id"
    " LEFT JOIN conversation_participant p ON p.conversation_id = c.id AND p.user_id = {0}"
    " WHERE c.tenant_id = {1} AND c.kind = 'ticket' AND c.status = {2}"
)


async def staff_tickets(
    actor: Any,
    *,
    status: str = "open",
    scope: str = "own",
    newest_first: bool = True,
    search: str = "",
    tenant_id: int,
) -> list[TicketRow]:
    """The staff ticket list in one query, however many tickets there are."""
    if not can_handle_tickets(actor):
        raise PermissionDenied
    sql = _STAFF_LIST_SQL
    values: list[Any] = [actor.id, tenant_id, "closed" if status == "closed" else "open"]
    if scope != "all" or not (is_admin(actor) or can_see_all_contacts(actor)):
        sql += " AND c.responsible_id = {3}"
        values.append(actor.id)
    if search.strip():
        first, second = len(values), len(values) + 1
        sql += f" AND (LOWER(k.last_name) LIKE {{{first}}}"
        sql += f" OR LOWER(k.first_name) LIKE {{{second}}})"
        pattern = f"%{search.strip().lower()[:100]}%"
        values += [pattern, pattern]
    sql += f" ORDER BY c.last_entry_at {'DESC' if newest_first else 'ASC'}, c.id LIMIT 200"
    rows = await fetch_all(sql, *values)
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


async def customer_tickets(actor: Any, *, status: str = "open") -> list[TicketRow]:
    await _customer_may_write(actor)
    conversations = (
        await Conversation.filter(
            contact_id=actor.contact_id,
            kind="ticket",
            status="closed" if status == "closed" else "open",
        )
        .order_by("-last_entry_at")
        .prefetch_related("responsible")
    )
    seats = {
        s.conversation_id: s.read_count
        for s in await ConversationParticipant.filter(user_id=actor.id)
    }
    return [
        TicketRow(
            id=c.id,
            subject=c.subject,
            status=c.status,
            contact_name="",
            responsible_name=c.responsible.full_name if c.responsible else "",
            last_entry_at=c.last_entry_at,
            unread=seats.get(c.id, 0) < c.entry_count,
            waiting=False,
        )
        for c in conversations
    ]


_STAFF_UNREAD_SQL = (
    "SELECT COUNT(*) AS n FROM conversation c LEFT JOIN conversation_participant p"
    " ON p.conversation_id = c.id AND p.user_id = {0}"
    " WHERE c.tenant_id = {1} AND c.status = 'open' AND c.responsible_id = {2}"
    " AND (p.read_count IS NULL OR p.read_count < c.entry_count OR c.last_entry_by_customer = {3})"
)
_CUSTOMER_UNREAD_SQL = (
    "SELECT COUNT(*) AS n FROM conversation c JOIN conversation_participant p"
    " ON p.conversation_id = c.id AND p.user_id = {0}"
    " WHERE c.tenant_id = {1} AND c.contact_id = {2} AND p.read_count < c.entry_count"
)


async def unread_count(actor: Any, *, tenant_id: int) -> int:
    """One query. Staff: their open tickets, unread or awaiting an answer. Customer: unread ones."""
    if actor.kind == "customer":
        if actor.contact_id is None:
            return 0
        row = await fetch_one(_CUSTOMER_UNREAD_SQL, actor.id, tenant_id, actor.contact_id)
    else:
        row = await fetch_one(_STAFF_UNREAD_SQL, actor.id, tenant_id, actor.id, True)
    return int(row["n"]) if row else 0
