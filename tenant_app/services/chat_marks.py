"""A chat's sent / delivered / read marks: how far each participant has received (an open
page of theirs was told) and read (they saw the chat) its messages, as positions."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.live.broker import publish
from tenant_app.models.conversations import Conversation, ConversationParticipant
from tenant_app.models.scoping import current_tenant_id
from tenant_app.queries import chats as chat_reads
from tenant_app.services import notifications
from tenant_app.services.chat_access import staff_viewers, viewers
from tenant_app.services.chats import OBJECT_TYPE, seat
from tenant_app.services.events import customer_logins


async def mark_read(actor: CurrentUser, chat: Conversation) -> None:
    """The actor saw the chat up to its last message: their counters catch up, their
    notifications about it are read, and the other side's pages learn of it (the marks)."""
    if actor.read_only:
        return
    await notifications.read_about(actor, object_type=OBJECT_TYPE, object_id=chat.id)
    upto = (await Conversation.get(id=chat.id)).entry_count
    mine = await ConversationParticipant.get_or_none(conversation_id=chat.id, user_id=actor.id)
    if mine is not None and mine.read_count >= upto:
        return
    async with in_transaction():
        await seat(chat.id, actor, upto=upto)
        await publish(current_tenant_id(), await viewers(chat))


async def mark_delivered(actor: CurrentUser) -> None:
    """An open page of the actor's received what is new: every chat they take part in counts
    as delivered up to its last message, and the senders' pages learn of it. One statement
    when nothing is new."""
    if actor.read_only:
        return
    pending = await chat_reads.undelivered(actor.id)
    if not pending:
        return
    told: set[int] = set()
    for seat_id, chat_id, upto in pending:
        # never backwards: a message sent from another tab may have moved it on meanwhile
        await ConversationParticipant.filter(id=seat_id, delivered_count__lt=upto).update(
            delivered_count=upto
        )
        told |= await _other_side(actor, await Conversation.get(id=chat_id))
    await publish(current_tenant_id(), told)


async def _other_side(actor: CurrentUser, chat: Conversation) -> set[int]:
    """Whose pages show the marks of what the actor received: the other side's."""
    if actor.kind == "customer":
        return await staff_viewers(chat)
    return await customer_logins(chat.contact_id)
