"""Chat (seed 004): one conversation per contact between the customer and the office.

Who sees a chat: the customer while communication is on (not once it is archived), and staff
with the right Chat who see the contact (all contacts, or those they are responsible for)
or operate the chat. The chat operator (`Conversation.responsible`):

- is the contact's responsible staff member when the chat begins; with several, the first
  of the list (the earliest made responsible) who has the right Chat;
- with none, whoever of the staff answers first becomes operator;
- can be changed by hand; everyone sees who it is.

A customer's message is told to the operator only, and while there is none to the
administrators; a staff message to the contact's login and the household logins managing it.
One unread notification per recipient and chat is enough: more messages do not add more (the
mail of unread notifications, after 5 minutes by default, never carries the text).

Every message carries the sender's own key: the same key sent again (a retry after a lost
answer) stores nothing new and answers the message stored first. Every open page of anyone who
sees the chat is woken (`live.publish`, on PostgreSQL only once the transaction commits) and
reads what is new after the last message it showed. What pages and lists read is in
services/chat_pages.py, who may see it in services/chat_access.py, the marks in
services/chat_marks.py, archiving with the transcript in services/chat_archive.py."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any, cast

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Subquery
from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, PermissionDenied, ValidationFailed
from tenant_app.files.cleanup import remove_files
from tenant_app.live.broker import publish
from tenant_app.models.accounts import User
from tenant_app.models.activity import Event, Notification
from tenant_app.models.contacts import Contact
from tenant_app.models.conversations import (
    Conversation,
    ConversationEntry,
    ConversationEvent,
    ConversationParticipant,
)
from tenant_app.models.scoping import current_tenant_id
from tenant_app.permissions import can_chat, is_admin
from tenant_app.schemas.base import checked
from tenant_app.schemas.tickets import ReplyInput
from tenant_app.services import chat_access, documents, events
from tenant_app.services.access import access_of
from tenant_app.services.documents import Upload
from tenant_app.services.tickets import Context
from tenant_app.services.unique import write_unless_taken
from tenant_app.text.i18n import gettext as _
from tenant_app.text.labels import N_

__all__ = ["Context"]

OBJECT_TYPE = "chat"  # events and notifications about a chat
_KEY = re.compile(r"^[A-Za-z0-9-]{8,36}$")
NOT_SENT = N_("The message could not be sent. Please try again.")


def new_key() -> str:
    """A message key for a form rendered without JavaScript (the page's script makes its own)."""
    return str(uuid.uuid4())


def _clean_key(client_key: str) -> str:
    if not _KEY.match(client_key or ""):
        raise ValidationFailed({"body": _(NOT_SENT)})
    return client_key


# --- The operator --------------------------------------------------------------------------


async def set_operator(actor: CurrentUser, chat: Conversation, *, user_id: int) -> None:
    """Hand the chat to a colleague (or take it): they are told, everyone sees the name."""
    if actor.kind != "staff" or not can_chat(actor):
        raise PermissionDenied
    colleague = await User.get_or_none(id=user_id, kind="staff", is_active=True)
    if (
        colleague is None
        or not can_chat(colleague)
        or not await chat_access.staff_sees_contact(colleague, chat.contact_id)
    ):
        raise ValidationFailed({"operator_id": _("Please choose a colleague who may chat.")})
    if colleague.id == chat.responsible_id:
        return
    async with in_transaction():
        await Conversation.filter(id=chat.id).update(responsible_id=colleague.id)
        await seat(chat.id, colleague, upto=0)
        await _event(chat.id, "forwarded", actor, target=colleague)
        if colleague.id != actor.id:
            await _record(actor, chat, events.CHAT_OPERATOR, [colleague.id])
        await publish(current_tenant_id(), await chat_access.viewers(chat))


# --- Writing -------------------------------------------------------------------------------


def _name(user: CurrentUser | User) -> str:
    return f"{user.first_name} {user.last_name}".strip()


async def _event(
    chat_id: int, kind: str, actor: CurrentUser, *, target: User | None = None
) -> None:
    await ConversationEvent.create(
        conversation_id=chat_id,
        kind=kind,
        actor_id=actor.id,
        actor_name=_name(actor),
        target_name=_name(target) if target else "",
        internal=True,
    )


async def _chat_title(contact_id: int) -> str:
    contact = await Contact.get(id=contact_id)
    return f"{contact.first_name} {contact.last_name}".strip()


async def _record(actor: CurrentUser, chat: Conversation, kind: str, tell: list[int]) -> None:
    """The event, with one unread notification per recipient and chat: whoever has one
    unread about this chat already is woken, not told again."""
    about = Event.filter(object_type=OBJECT_TYPE, object_id=chat.id).values("id")
    rows = await Notification.filter(
        user_id__in=tell, read_at__isnull=True, event_id__in=Subquery(about)
    ).values("user_id")
    unread = {int(row["user_id"]) for row in rows}
    event = await events.record(
        actor,
        kind,
        contact_id=chat.contact_id,
        object_type=OBJECT_TYPE,
        object_id=chat.id,
        title=await _chat_title(chat.contact_id),
        tell=[user_id for user_id in tell if user_id not in unread],
    )
    # Born checked: no change to check, so the sidebar's count needs no condition for chats.
    await Event.filter(id=event.id).update(checked_at=event.created_at)


async def _open_chat(contact_id: int) -> Conversation:
    """The contact's chat, made now if it has none (two first messages at once: one chat)."""
    chat = await Conversation.get_or_none(kind="chat", chat_contact_id=contact_id)
    if chat is not None:
        return chat
    operator = await chat_access.first_operator(contact_id)
    made = await write_unless_taken(
        lambda: Conversation.create(
            kind="chat",
            contact_id=contact_id,
            chat_contact_id=contact_id,
            subject="Chat",
            responsible_id=operator,
            last_entry_at=datetime.now(UTC),  # its start until the first message: lists sort by it
        )
    )
    if made is None:
        return await Conversation.get(kind="chat", chat_contact_id=contact_id)
    # Seated from the start, so that what reaches their pages counts as delivered.
    for user_id in sorted(await events.customer_logins(contact_id)) + (
        [operator] if operator is not None else []
    ):
        await seat(made.id, await User.get(id=user_id), upto=0)
    return made


async def start_chat(actor: CurrentUser, *, contact_id: int) -> Conversation:
    """Staff's "+": the contact's chat (reopened if archived), for a contact the actor sees
    whose customer has an active login with communication on."""
    if actor.kind != "staff" or not can_chat(actor):
        raise PermissionDenied
    if not await chat_access.staff_sees_contact(actor, contact_id):
        raise NotFound
    if not await _chattable(contact_id):
        raise ValidationFailed({"contact_id": _("This customer has no active app login.")})
    chat = await _open_chat(contact_id)
    if chat.status != "open":
        await _reopen(chat, actor)
        chat = await Conversation.get(id=chat.id)
    return chat


async def _chattable(contact_id: int) -> bool:
    active = await User.filter(
        kind="customer", is_active=True, contact_id=contact_id, password_hash__not_isnull=True
    ).exists()
    return active and (await access_of(contact_id)).communication


async def _reopen(chat: Conversation, actor: CurrentUser) -> None:
    reopened = await Conversation.filter(id=chat.id, status="archived").update(
        status="open", closed_at=None
    )
    if reopened:
        await _event(chat.id, "reopened", actor)


async def send(
    ctx: Context,
    actor: CurrentUser,
    *,
    chat_id: int | None,
    body: str,
    client_key: str,
    upload: Upload | None = None,
) -> ConversationEntry:
    """A message, with or without a file (a photo from the phone, a PDF: the documents'
    upload rules). A customer sends to their own chat (`chat_id` None: it is made, or an
    archived one reopened); staff to a chat they see. The same key again answers the
    message stored first."""
    key = _clean_key(client_key)
    text = body.strip()
    if upload is None or text:  # a photo alone needs no words
        valid, errors = checked(ReplyInput, {"body": body})
        if valid is None:
            raise ValidationFailed(errors)
        text = valid.body
    stored_keys: list[str] = []  # a file stored for a message that is not: removed again
    try:
        async with in_transaction():
            chat = await _writable_chat(actor, chat_id)
            earlier = await _sent_before(chat.id, actor, key)
            if earlier is not None:  # a retry: nothing new, not even a reopening
                return earlier
            await _open_for_writing(chat, actor)
            document_id = None
            if upload is not None:
                document = await documents.add_attachment(
                    actor,
                    ctx.store,
                    contact_id=chat.contact_id,
                    upload=upload,
                    title=_("Chat attachment"),
                    max_bytes=ctx.settings.max_upload_bytes,
                    kind="chat",
                )
                stored_keys.append(document.storage_key)
                document_id = document.id
            entry = await _append(chat, actor, text, document_id=document_id, key=key)
            await _after_message(actor, chat)
    except IntegrityError:  # the same key at the same moment: the first one stands
        await remove_files(ctx.store, stored_keys)
        earlier = await _sent_before(None, actor, key)
        if earlier is None:  # somebody else's key
            raise ValidationFailed({"body": _(NOT_SENT)}) from None
        return earlier
    except BaseException:
        await remove_files(ctx.store, stored_keys)
        raise
    return entry


async def _sent_before(
    chat_id: int | None, actor: CurrentUser, key: str
) -> ConversationEntry | None:
    """The actor's own message with this key (a key is the sender's: another's never
    answers), in this chat or (None) any chat."""
    found = ConversationEntry.filter(conversation__kind="chat", client_key=key, author_id=actor.id)
    if chat_id is not None:
        found = found.filter(conversation_id=chat_id)
    return await found.first()


async def _writable_chat(actor: CurrentUser, chat_id: int | None) -> Conversation:
    """The chat the actor writes to: the customer's own (made now if none), or one staff
    see; open or archived (see `_open_for_writing`)."""
    if actor.kind == "customer":
        if not await chat_access.customer_may_chat(actor):
            raise NotFound
        chat = await _open_chat(cast(int, actor.contact_id))
        if chat_id is not None and chat.id != chat_id:
            raise NotFound
        return chat
    if chat_id is None:
        raise NotFound
    return await chat_access.chat_for(actor, chat_id)


async def _open_for_writing(chat: Conversation, actor: CurrentUser) -> None:
    """A new customer message reopens an archived chat; staff reopen it by hand first."""
    if chat.status == "open":
        return
    if actor.kind != "customer":
        raise ValidationFailed({"body": _("This chat is archived. Reopen it to write.")})
    await _reopen(chat, actor)
    chat.status = "open"


async def _append(
    chat: Conversation, actor: CurrentUser, text: str, *, document_id: int | None, key: str
) -> ConversationEntry:
    """The entry at the next position; the row lock of the count orders simultaneous ones."""
    by_customer = actor.kind == "customer"
    now = datetime.now(UTC)
    await Conversation.filter(id=chat.id).update(
        entry_count=F("entry_count") + 1, last_entry_by_customer=by_customer, last_entry_at=now
    )
    seq = (await Conversation.get(id=chat.id)).entry_count
    entry = await ConversationEntry.create(
        conversation_id=chat.id,
        author_id=actor.id,
        by_customer=by_customer,
        body=text,
        document_id=document_id,
        client_key=key,
        seq=seq,
    )
    await seat(chat.id, actor, upto=seq)
    return entry


async def seat(chat_id: int, user: CurrentUser | User, *, upto: int) -> None:
    """Seat the user, having read and received everything up to `upto`."""
    where: dict[str, Any] = {"conversation_id": chat_id, "user_id": user.id}
    role = "customer" if user.kind == "customer" else "staff"
    seat = await ConversationParticipant.get_or_none(**where)
    if seat is None:
        made = await write_unless_taken(
            lambda: ConversationParticipant.create(
                **where, role=role, read_count=upto, delivered_count=upto
            )
        )
        if made is not None:
            return
    await ConversationParticipant.filter(**where, read_count__lt=upto).update(read_count=upto)
    await ConversationParticipant.filter(**where, delivered_count__lt=upto).update(
        delivered_count=upto
    )


async def _after_message(actor: CurrentUser, chat: Conversation) -> None:
    """Who hears of it, and the first staff answer of a chat without operator makes one."""
    operator = await chat_access.operator_of(chat)  # None: none, or one who left or lost it
    if actor.kind == "customer":
        tell = [operator] if operator is not None else await chat_access.administrators()
        kind_event = "replied"
    else:
        if operator is None:  # the first to answer operates the chat
            claimed = await Conversation.filter(
                id=chat.id, responsible_id=chat.responsible_id
            ).update(responsible_id=actor.id)
            if claimed:
                chat.responsible_id = actor.id
                await seat(chat.id, actor, upto=0)
        tell = sorted(await events.customer_logins(chat.contact_id))
        kind_event = "replied"
    await _event(chat.id, kind_event, actor)
    await _record(actor, chat, events.CHAT_MESSAGE, tell)
    await publish(current_tenant_id(), await chat_access.viewers(chat))


async def add_note(actor: CurrentUser, chat: Conversation, *, body: str, client_key: str) -> None:
    """An internal note in the conversation: staff see it marked, customers never (no
    position, no unread count, no notification)."""
    if actor.kind != "staff" or not can_chat(actor):
        raise PermissionDenied
    key = _clean_key(client_key)
    if await ConversationEntry.filter(conversation_id=chat.id, client_key=key).exists():
        return
    valid, errors = checked(ReplyInput, {"body": body})
    if valid is None:
        raise ValidationFailed({"note": errors.get("body", _("Please enter a message."))})
    async with in_transaction():
        # The chat's row lock, as a message takes it: a page reading on after the last
        # entry it showed never passes a message still being written before this note.
        await Conversation.filter(id=chat.id).update(entry_count=F("entry_count"))
        made = await write_unless_taken(
            lambda: ConversationEntry.create(
                conversation_id=chat.id,
                author_id=actor.id,
                by_customer=False,
                body=valid.body,
                client_key=key,
                internal=True,
            )
        )
        if made is not None:
            staff = await chat_access.viewers(chat) - await events.customer_logins(chat.contact_id)
            await publish(current_tenant_id(), staff)


def may_manage(actor: CurrentUser) -> bool:
    """Archive, reopen and hand on chats: every staff member with the right Chat; the tenant's
    transcript switch is the admins'."""
    return actor.kind == "staff" and can_chat(actor)


def may_switch_transcripts(actor: CurrentUser) -> bool:
    return is_admin(actor)
