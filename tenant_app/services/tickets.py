"""Tickets: a customer and staff write to each other; forward, note, close, read; who may see one.

Events marked `internal` (forwards, internal notes, staff reading) are for staff only: the
customer's history never shows them and they are never told to the customer. Who must hear of
an action (the other side of a new ticket or reply, the colleague a ticket is forwarded to,
the customer of a closed one) gets a notification through `events.record`; a notification
left unread is mailed later (services/notification_mail.py), never with the ticket's text.

What the pages and lists read is in services/ticket_pages.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any, cast

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, PermissionDenied, ValidationFailed
from tenant_app.files.storage import Storage
from tenant_app.models.accounts import User
from tenant_app.models.contacts import Contact
from tenant_app.models.conversations import (
    Conversation,
    ConversationEntry,
    ConversationEvent,
    ConversationParticipant,
)
from tenant_app.models.folders import Document
from tenant_app.permissions import can_handle_tickets, can_see_all_contacts, is_admin
from tenant_app.schemas.base import checked
from tenant_app.schemas.tickets import MAX_BODY as MAX_BODY  # the handlers' bound on input
from tenant_app.schemas.tickets import ForwardInput, NewTicketInput, ReplyInput
from tenant_app.services import documents, events, households, notifications
from tenant_app.services.access import access_of
from tenant_app.services.documents import Upload
from tenant_app.services.unique import write_unless_taken
from tenant_app.settings import Settings
from tenant_app.text.i18n import addressed as _a
from tenant_app.text.i18n import gettext as _


@dataclass(frozen=True)
class Context:
    """What every ticket action needs besides the actor: settings and file storage."""

    settings: Settings
    store: Storage


def _name(user: CurrentUser | User) -> str:
    return f"{user.first_name} {user.last_name}".strip()


async def may_use_tickets(actor: CurrentUser) -> bool:
    """A customer writes and reads tickets while communication is on (the session brought it)."""
    return actor.contact_id is not None and (await access_of(actor.contact_id, actor)).communication


async def own_contact_id(actor: CurrentUser) -> int:
    """The customer's contact, whose tickets they use; NotFound while communication is off."""
    if actor.contact_id is None or not await may_use_tickets(actor):
        raise NotFound
    return actor.contact_id


def sees_all_tickets(actor: CurrentUser) -> bool:
    """Admins and members who see all contacts open every ticket; others their own."""
    return is_admin(actor) or can_see_all_contacts(actor)


async def _customer_may_write(actor: CurrentUser) -> None:
    if not await may_use_tickets(actor):
        raise PermissionDenied


async def _attach(
    ctx: Context, actor: CurrentUser, contact_id: int, upload: Upload | None, subject: str
) -> int | None:
    if upload is None:
        return None
    document = await documents.add_attachment(
        actor,
        ctx.store,
        contact_id=contact_id,
        upload=upload,
        title=subject[:200] or "Anhang",
        max_bytes=ctx.settings.max_upload_bytes,
        kind="ticket",
    )
    return document.id


async def _add_entry(
    conversation: Conversation, actor: CurrentUser, body: str, document_id: int | None
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


async def _seat(conversation_id: int, user: CurrentUser | User, *, read_all: bool = False) -> None:
    """Make the user a participant; `read_all` marks everything up to now as read for them."""
    where: dict[str, Any] = {"conversation_id": conversation_id, "user_id": user.id}
    seat = await ConversationParticipant.get_or_none(**where)
    if seat is None:  # a simultaneous request (another tab) may seat them first: then take that
        role = "customer" if user.kind == "customer" else "staff"
        seat = await write_unless_taken(partial(ConversationParticipant.create, **where, role=role))
        seat = seat or await ConversationParticipant.get(**where)
    if read_all:
        count = (await Conversation.get(id=conversation_id)).entry_count
        await ConversationParticipant.filter(id=seat.id).update(read_count=count)


async def _event(
    conversation_id: int,
    kind: str,
    actor: CurrentUser,
    *,
    target: User | None = None,
    comment: str = "",
    internal: bool = False,
) -> None:
    await ConversationEvent.create(
        conversation_id=conversation_id,
        kind=kind,
        actor_id=actor.id,
        actor_name=_name(actor),
        target_name=_name(target) if target else "",
        comment=comment,
        internal=internal,
    )


async def _tell(
    actor: CurrentUser, conversation: Conversation, kind: str, recipients: list[User]
) -> None:
    """The event, in the caller's transaction: a notification for each recipient (mailed if it
    stays unread, never with the ticket's text)."""
    await events.record(
        actor,
        kind,
        contact_id=conversation.contact_id,
        object_type="ticket",
        object_id=conversation.id,
        title=conversation.subject,
        tell=[user.id for user in recipients],
    )


async def open_ticket(
    ctx: Context,
    actor: CurrentUser,
    *,
    contact_id: int,
    staff_id: int | None,
    subject: str,
    body: str,
    upload: Upload | None = None,
    contract_id: int | None = None,
) -> Conversation:
    """A customer writes to a staff member, or staff start a ticket to a customer; about
    `contract_id` (an offer asked about), which the caller checked the actor may see."""
    text, errors = checked(NewTicketInput, {"subject": subject, "body": body})
    if text is None:
        raise ValidationFailed(errors)
    if actor.kind == "customer":
        await _customer_may_write(actor)
        contact_id = cast(int, actor.contact_id)  # _customer_may_write checked it
        recipient = await User.get_or_none(id=staff_id or 0, kind="staff", is_active=True)
        if recipient is None or not can_handle_tickets(recipient):
            raise ValidationFailed({"staff_id": _a("Please choose who you want to write to.")})
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
    owner = await _ticket_owner(actor, contact_id, recipient)
    async with in_transaction():
        conversation = await Conversation.create(
            contact_id=contact_id,
            subject=text.subject,
            responsible_id=owner.id if owner else None,
            contract_id=contract_id,
        )
        document_id = await _attach(ctx, actor, contact_id, upload, text.subject)
        told: list[User] = [recipient]
        if isinstance(owner, User) and owner.id not in (actor.id, recipient.id):
            told.append(owner)  # the responsible staff member of a token's ticket
        for seated in told:
            await _seat(conversation.id, seated)
        await _add_entry(conversation, actor, text.body, document_id)
        await _event(conversation.id, "created", actor)
        await _tell(actor, conversation, events.TICKET_OPENED, told)
    return conversation


async def _ticket_owner(
    actor: CurrentUser, contact_id: int, recipient: User
) -> CurrentUser | User | None:
    """Who is responsible for a new ticket: the staff member a customer wrote to, the staff
    member who opened it, and for one opened by an API token (no person, never told of
    replies) the contact's responsible staff member who handles tickets; else nobody, and
    every ticket handler sees it."""
    if actor.kind == "customer":
        return recipient
    if actor.role != "api":
        return actor
    candidates = await User.filter(
        responsible_for__contact_id=contact_id, kind="staff", is_active=True
    ).order_by("id")
    return next((user for user in candidates if can_handle_tickets(user)), None)


async def ticket_for(actor: CurrentUser, ticket_id: int) -> Conversation:
    """The ticket if the actor may see it; otherwise NotFound, whoever owns it."""
    conversation = await Conversation.get_or_none(id=ticket_id, kind="ticket", restricted_at=None)
    if conversation is None:
        raise NotFound
    if actor.kind == "customer":
        if conversation.contact_id != actor.contact_id or not await may_use_tickets(actor):
            raise NotFound
        return conversation
    if not can_handle_tickets(actor):
        raise PermissionDenied
    if sees_all_tickets(actor) or conversation.responsible_id == actor.id:
        return conversation
    if await ConversationParticipant.filter(
        conversation_id=conversation.id, user_id=actor.id
    ).exists():
        return conversation
    raise NotFound


async def _others(conversation: Conversation, actor: CurrentUser) -> list[User]:
    """Who should hear of a new entry: the customer (with the household logins that wrote for
    them), or the responsible staff member."""
    if actor.kind == "customer":
        responsible = await User.get_or_none(id=conversation.responsible_id or 0, is_active=True)
        return [responsible] if responsible else []
    return await households.ticket_customers(conversation.contact_id, conversation.id)


async def reply(
    ctx: Context,
    actor: CurrentUser,
    conversation: Conversation,
    *,
    body: str,
    upload: Upload | None = None,
) -> None:
    if conversation.status != "open":
        raise ValidationFailed({"body": _("This ticket is closed. Please open a new one.")})
    if actor.kind == "customer":
        await _customer_may_write(actor)
    text, errors = checked(ReplyInput, {"body": body})
    if text is None:
        raise ValidationFailed(errors)
    async with in_transaction():
        document_id = await _attach(
            ctx, actor, conversation.contact_id, upload, conversation.subject
        )
        await _add_entry(conversation, actor, text.body, document_id)
        await _event(conversation.id, "replied", actor)
        await _tell(actor, conversation, events.TICKET_REPLY, await _others(conversation, actor))


async def forward(
    ctx: Context, actor: CurrentUser, conversation: Conversation, *, to_user_id: int, comment: str
) -> None:
    """Hand the ticket to a colleague, who becomes responsible and is told (a notification)."""
    if actor.kind != "staff":
        raise PermissionDenied
    colleague = await User.get_or_none(id=to_user_id, kind="staff", is_active=True)
    if (
        colleague is None
        or not can_handle_tickets(colleague)
        or colleague.id == conversation.responsible_id
    ):
        raise ValidationFailed({"to_user_id": _("Please choose a colleague who handles tickets.")})
    note, errors = checked(ForwardInput, {"comment": comment})
    if note is None:
        raise ValidationFailed(errors)
    async with in_transaction():
        await Conversation.filter(id=conversation.id).update(responsible_id=colleague.id)
        await _seat(conversation.id, colleague)
        await _event(
            conversation.id,
            "forwarded",
            actor,
            target=colleague,
            comment=note.comment,
            internal=True,  # whom it went to and why is the office's business
        )
        await _tell(actor, conversation, events.TICKET_FORWARDED, [colleague])


async def add_note(actor: CurrentUser, conversation: Conversation, *, body: str) -> None:
    """An internal note on any ticket, open or closed: staff read it, the customer never does
    (no entry, so no unread count, and no notification)."""
    if actor.kind != "staff" or not can_handle_tickets(actor):
        raise PermissionDenied
    text, errors = checked(ReplyInput, {"body": body})
    if text is None:
        raise ValidationFailed({"note": errors.get("body", _("Please enter a message."))})
    await _event(conversation.id, "note", actor, comment=text.body, internal=True)


async def close(actor: CurrentUser, conversation: Conversation) -> None:
    if actor.kind != "staff":
        raise PermissionDenied  # only staff close tickets
    async with in_transaction():
        closing = Conversation.filter(id=conversation.id, status="open")
        if not await closing.update(status="closed", closed_at=datetime.now(UTC)):
            return  # closed already (or by a colleague at the same moment)
        await _event(conversation.id, "closed", actor)
        customers = await households.ticket_customers(conversation.contact_id, conversation.id)
        await _tell(actor, conversation, events.TICKET_CLOSED, customers)


async def mark_read(actor: CurrentUser, conversation: Conversation) -> None:
    """Opening a ticket reads it: the read counter catches up and, if anything was new, an event;
    the actor's notifications about it (a reply, a forward, the close) are read too."""
    await notifications.read_about(actor, object_type="ticket", object_id=conversation.id)
    seat = await ConversationParticipant.get_or_none(
        conversation_id=conversation.id, user_id=actor.id
    )
    if seat is not None and seat.read_count >= conversation.entry_count:
        return
    async with in_transaction():
        await _seat(conversation.id, actor, read_all=True)
        await _event(conversation.id, "read", actor, internal=actor.kind != "customer")


async def attachment_of(conversation: Conversation, document_id: int) -> Document:
    """A document attached to an entry of this ticket (the ticket was checked for the actor)."""
    entry = await ConversationEntry.get_or_none(
        conversation_id=conversation.id, document_id=document_id
    )
    if entry is None:
        raise NotFound
    return await Document.get(id=document_id)
