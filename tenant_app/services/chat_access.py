"""Who may see a chat, whose pages show it, and who operates a new one (services/chats.py
says the rules)."""

from __future__ import annotations

from typing import cast

from tortoise.expressions import Q

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound
from tenant_app.models.accounts import User
from tenant_app.models.contacts import ContactResponsible
from tenant_app.models.conversations import Conversation
from tenant_app.permissions import can_chat, can_see_all_contacts
from tenant_app.queries import chat_records
from tenant_app.services import events
from tenant_app.services.access import access_of


async def customer_may_chat(actor: CurrentUser) -> bool:
    """A customer chats while communication is on for the contact shown."""
    if actor.kind != "customer" or actor.contact_id is None:
        return False
    return (await access_of(actor.contact_id, actor)).communication


async def staff_sees_contact(actor: CurrentUser | User, contact_id: int) -> bool:
    if can_see_all_contacts(actor):
        return True
    return await ContactResponsible.filter(contact_id=contact_id, user_id=actor.id).exists()


async def chat_for(actor: CurrentUser, chat_id: int) -> Conversation:
    """The chat if the actor may see it; otherwise NotFound, whoever's it is."""
    chat = await chat_records.chat(chat_id)
    if chat is None:
        raise NotFound
    if actor.kind == "customer":
        if chat.contact_id != actor.contact_id or chat.status != "open":
            raise NotFound
        if not await customer_may_chat(actor):
            raise NotFound
        return chat
    if actor.kind != "staff" or not can_chat(actor):
        raise NotFound
    if chat.responsible_id == actor.id or await staff_sees_contact(actor, chat.contact_id):
        return chat
    raise NotFound


async def customer_chat(actor: CurrentUser) -> Conversation | None:
    """The customer's open chat, None before the first message or while it is archived;
    NotFound while communication is off."""
    if not await customer_may_chat(actor) or actor.contact_id is None:
        raise NotFound
    return await chat_records.open_chat_of(actor.contact_id)


async def viewers(chat: Conversation) -> set[int]:
    """Everyone whose open pages show this chat or the chat list it is on."""
    return await staff_viewers(chat) | await events.customer_logins(chat.contact_id)


async def staff_viewers(chat: Conversation) -> set[int]:
    """The staff who see this chat: active, with the right Chat, seeing its contact."""
    staff = await User.filter(kind="staff", is_active=True).filter(
        Q(role="admin") | Q(handles_chat=True)
    )
    rows = await ContactResponsible.filter(contact_id=chat.contact_id).values("user_id")
    responsible = {int(row["user_id"]) for row in rows}
    seen = {
        user.id
        for user in staff
        if can_chat(user)
        and (can_see_all_contacts(user) or user.id in responsible or user.id == chat.responsible_id)
    }
    return seen


async def first_operator(contact_id: int) -> int | None:
    """The contact's first responsible staff member (the earliest made responsible) who is
    active and may chat; None if there is none."""
    rows = await ContactResponsible.filter(contact_id=contact_id).order_by("id")
    if not rows:
        return None
    staff = {
        user.id: user
        for user in await User.filter(
            id__in=[row.user_id for row in rows], kind="staff", is_active=True
        )
    }
    for row in rows:
        user = staff.get(row.user_id)
        if user is not None and can_chat(user):
            return user.id
    return None


async def operator_of(chat: Conversation) -> int | None:
    """The chat's operator while they may be one (active, with the right Chat); one who
    left or lost the right counts as none, so that the administrators hear again."""
    if chat.responsible_id is None:
        return None
    operator = await User.get_or_none(id=chat.responsible_id, kind="staff", is_active=True)
    return operator.id if operator is not None and can_chat(operator) else None


async def administrators() -> list[int]:
    rows = await User.filter(kind="staff", role="admin", is_active=True).values_list(
        "id", flat=True
    )
    return [int(cast(int, user_id)) for user_id in rows]
