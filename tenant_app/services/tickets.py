"""Tickets: a customer and staff write to each other; forward, close, history, unread counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise.expressions import F, Q
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
from tenant_app.permissions import can_handle_tickets, can_see_all_contacts, is_admin
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


async def ticket_staff() -> list[User]:
    """Staff a customer may write to: active, with the right to handle tickets."""
    return list(
        await User.filter(
            Q(role="admin") | Q(handles_tickets=True), kind="staff", is_active=True
        ).order_by("last_name", "first_name")
    )


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
    if actor.contact_id is None or not (await access_of(actor.contact_id)).communication:
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
            or not (await access_of(actor.contact_id)).communication
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


@dataclass(frozen=True)
class Thread:
    entries: list[ConversationEntry]
    events: list[ConversationEvent]
    authors: dict[int, str]


async def thread(conversation: Conversation) -> Thread:
    """Entries, events and author names in three queries."""
    entries = list(
        await ConversationEntry.filter(conversation_id=conversation.id)
        .order_by("created_at", "id")
        .prefetch_related("document")
    )
    events = list(
        await ConversationEvent.filter(conversation_id=conversation.id).order_by("created_at", "id")
    )
    author_ids = {entry.author_id for entry in entries if entry.author_id}
    names = {user.id: user.full_name for user in await User.filter(id__in=list(author_ids))}
    return Thread(entries=entries, events=events, authors=names)


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
