"""Tickets for the broker's own system (the JSON API): pages for incremental sync, a ticket
with its messages and internal notes, a reply and a new ticket as staff write them (the use
cases of services/tickets.py, which tell the customer)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import Q, Subquery

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, PermissionDenied, ValidationFailed
from tenant_app.models.conversations import (
    Conversation,
    ConversationEntry,
    ConversationEvent,
    ConversationParticipant,
)
from tenant_app.permissions import can_handle_tickets
from tenant_app.services import contacts, tickets
from tenant_app.text.i18n import gettext as _


@dataclass(frozen=True)
class TicketFilter:
    """A page of tickets in id order after `after_id`; `since`: created, written to or
    closed at or after then."""

    after_id: int = 0
    limit: int = 50
    since: datetime | None = None
    contact_id: int | None = None
    status: str | None = None  # open | closed


@dataclass(frozen=True)
class Message:
    """A message of the ticket, or an internal note (staff only: never the customer's)."""

    id: int  # of the entry, or of the note (kind tells which)
    kind: str  # message | note
    internal: bool
    by_customer: bool
    author_id: int | None
    author_name: str | None  # None: the account no longer exists
    body: str
    document_id: int | None  # the attachment, if any
    created_at: datetime


@dataclass(frozen=True)
class Thread:
    ticket: Conversation
    messages: list[Message]  # oldest first


def _for_staff(actor: CurrentUser) -> None:
    if actor.kind != "staff" or not can_handle_tickets(actor):
        raise PermissionDenied


async def ticket_page(actor: CurrentUser, wanted: TicketFilter) -> list[Conversation]:
    """Up to `limit + 1` tickets the actor may open (as `tickets.ticket_for` decides one by
    one): one query."""
    _for_staff(actor)
    query = Conversation.filter(kind="ticket", id__gt=wanted.after_id, restricted_at=None)
    if not tickets.sees_all_tickets(actor):
        seats = ConversationParticipant.filter(user_id=actor.id).values("conversation_id")
        query = query.filter(Q(responsible_id=actor.id) | Q(id__in=Subquery(seats)))
    if wanted.since is not None:
        since = wanted.since
        query = query.filter(
            Q(created_at__gte=since) | Q(last_entry_at__gte=since) | Q(closed_at__gte=since)
        )
    if wanted.contact_id is not None:
        query = query.filter(contact_id=wanted.contact_id)
    if wanted.status is not None:
        query = query.filter(status=wanted.status)
    return list(await query.order_by("id").limit(wanted.limit + 1))


def _name(first: str, last: str) -> str:
    return f"{first} {last}".strip()


async def _messages(ticket_id: int) -> list[Message]:
    """Entries and internal notes, oldest first: two queries, however long the thread."""
    entries = await ConversationEntry.filter(conversation_id=ticket_id).select_related("author")
    notes = await ConversationEvent.filter(conversation_id=ticket_id, kind="note")
    found = [
        Message(
            id=entry.id,
            kind="message",
            internal=False,
            by_customer=entry.by_customer,
            author_id=entry.author_id,
            author_name=_name(entry.author.first_name, entry.author.last_name)
            if entry.author
            else None,
            body=entry.body,
            document_id=entry.document_id,
            created_at=entry.created_at,
        )
        for entry in entries
    ]
    found += [
        Message(
            id=note.id,
            kind="note",
            internal=True,
            by_customer=False,
            author_id=note.actor_id,
            author_name=note.actor_name,
            body=note.comment,
            document_id=None,
            created_at=note.created_at,
        )
        for note in notes
    ]
    return sorted(found, key=lambda message: (message.created_at, message.kind, message.id))


async def ticket_thread(actor: CurrentUser, ticket_id: int) -> Thread:
    """The ticket with its messages and notes, if the actor may open it (else NotFound).
    Reading it through the API marks nothing as read: no person has read it."""
    _for_staff(actor)
    ticket = await tickets.ticket_for(actor, ticket_id)
    return Thread(ticket, await _messages(ticket.id))


async def reply(ctx: tickets.Context, actor: CurrentUser, ticket_id: int, *, body: str) -> Thread:
    """The staff reply: the customer (and the household logins writing for them) are told."""
    _for_staff(actor)
    ticket = await tickets.ticket_for(actor, ticket_id)
    await tickets.reply(ctx, actor, ticket, body=body)
    return await ticket_thread(actor, ticket.id)


async def open_ticket(
    ctx: tickets.Context, actor: CurrentUser, *, contact_id: int, subject: str, body: str
) -> Thread:
    """A ticket from the office to the contact's login, as staff start one."""
    _for_staff(actor)
    try:
        await contacts.get_visible_contact(actor, contact_id)
    except NotFound:
        raise ValidationFailed({"contact_id": _("There is no such contact.")}) from None
    ticket = await tickets.open_ticket(
        ctx, actor, contact_id=contact_id, staff_id=None, subject=subject, body=body
    )
    return await ticket_thread(actor, ticket.id)
