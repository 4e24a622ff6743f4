"""What the chat pages, the chat list and an open page's live tail read, with the rights of
services/chats.py: a chat nobody may see here answers NotFound, whoever's it is."""

from __future__ import annotations

from dataclasses import dataclass

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, PermissionDenied
from tenant_app.models.conversations import Conversation, ConversationEntry
from tenant_app.models.folders import Document
from tenant_app.permissions import can_chat, can_see_all_contacts, staff_may_edit_folder
from tenant_app.queries import chat_records
from tenant_app.queries import chats as reads
from tenant_app.queries.chats import ChatHead, ChatRow, Chattable, Marks, Message
from tenant_app.queries.tickets import ContractChoice, StaffChoice
from tenant_app.services import chat_access
from tenant_app.vocabulary import FOLDERS

__all__ = ["Chattable", "ChatHead", "ChatRow", "Marks", "Message"]

SORTS = ("newest", "oldest")
STATUSES = ("open", "archived")
SCOPES = ("all", "mine")


@dataclass(frozen=True)
class ChatFilters:
    """The chat list's filters, from the query string (anything unknown: the default)."""

    status: str = "open"
    scope: str = "all"
    sort: str = "newest"
    search: str = ""

    @classmethod
    def of(cls, query: dict[str, str]) -> ChatFilters:
        def pick(name: str, allowed: tuple[str, ...]) -> str:
            value = query.get(name, "")
            return value if value in allowed else allowed[0]

        return cls(
            status=pick("status", STATUSES),
            scope=pick("scope", SCOPES),
            sort=pick("sort", SORTS),
            search=query.get("q", "")[:100],
        )


@dataclass(frozen=True)
class ChatPage:
    """One chat as a page shows it: its head, its messages (oldest first) and the marks."""

    head: ChatHead
    messages: list[Message]
    marks: Marks

    @property
    def last_id(self) -> int:
        return self.messages[-1].id if self.messages else 0


def _require_chat_staff(actor: CurrentUser) -> None:
    if actor.kind != "staff" or not can_chat(actor):
        raise PermissionDenied


async def staff_chat_list(actor: CurrentUser, filters: ChatFilters) -> list[ChatRow]:
    _require_chat_staff(actor)
    return await reads.chat_list(
        user_id=actor.id,
        sees_all=can_see_all_contacts(actor),
        status=filters.status,
        mine=filters.scope == "mine",
        newest_first=filters.sort == "newest",
        search=filters.search,
    )


async def chat_page(actor: CurrentUser, chat: Conversation) -> ChatPage:
    """A chat chat_access gave the actor (customers: their open one; staff: with internal
    notes), as its page shows it."""
    head = await reads.head(chat.id, user_id=actor.id)
    if head is None:
        raise NotFound
    for_customer = actor.kind == "customer"
    found = await reads.messages(chat.id, for_customer=for_customer)
    return ChatPage(head, found, await reads.marks(chat.id))


async def customer_chat_page(actor: CurrentUser) -> ChatPage | None:
    """The customer's open chat, None before the first message (or while archived)."""
    chat = await chat_access.customer_chat(actor)
    return None if chat is None else await chat_page(actor, chat)


async def tail(actor: CurrentUser, chat_id: int, *, after: int) -> tuple[list[Message], Marks]:
    """What an open chat page has not shown yet (after the entry `after`) and the marks;
    NotFound once the actor may no longer see the chat (archived, rights taken away)."""
    chat = await chat_access.chat_for(actor, chat_id)
    found = await reads.messages(chat.id, after=after, for_customer=actor.kind == "customer")
    return found, await reads.marks(chat.id)


async def attachment(actor: CurrentUser, chat_id: int, document_id: int) -> Document:
    """A file sent in a chat the actor may see (customers: their own open chat; not staff's
    internal notes, which carry none)."""
    chat = await chat_access.chat_for(actor, chat_id)
    entry = await ConversationEntry.get_or_none(
        conversation_id=chat.id, document_id=document_id, internal=False
    )
    if entry is None:
        raise NotFound
    return await Document.get(id=document_id)


async def chattable(actor: CurrentUser, *, search: str) -> list[Chattable]:
    """The "+" search: customers by name with an active app login, whom the member sees."""
    _require_chat_staff(actor)
    if len(search.strip()) < 2:
        return []
    return await reads.chattable(
        search=search, user_id=actor.id, sees_all=can_see_all_contacts(actor)
    )


async def operator_choices(actor: CurrentUser, contact_id: int) -> list[StaffChoice]:
    """Colleagues who may chat and see the contact, to hand the chat to."""
    _require_chat_staff(actor)
    return [
        StaffChoice(user.id, user.full_name)
        for user, responsible in await chat_records.active_staff_for(contact_id)
        if can_chat(user) and (responsible or can_see_all_contacts(user))
    ]


async def unread_chats(actor: CurrentUser) -> int | None:
    """Open chats the member operates with unread messages (None: not for this actor)."""
    if actor.kind != "staff" or not can_chat(actor):
        return None
    return await reads.unread_chats(actor.id)


async def filing_contracts(actor: CurrentUser, head: ChatHead) -> list[ContractChoice]:
    """The contracts of the chat's customer an attachment may be filed into: those in folders
    the member may change. `head` comes from `chat_page`, which checked the actor's rights."""
    _require_chat_staff(actor)
    folders = [folder for folder in FOLDERS if staff_may_edit_folder(actor, folder)]
    if not folders:
        return []
    return await chat_records.contracts_in(head.contact_id, folders)


async def list_signature(actor: CurrentUser) -> tuple[object, ...] | None:
    """What an open page compares to know that a staff chat list may have changed (None:
    not for this actor)."""
    if actor.kind != "staff" or not can_chat(actor):
        return None
    return await reads.list_signature(actor.id)
