"""A tender's message module (Nachrichtenmodul) between the broker and the backoffice.

The backoffice opens it with its first message; until then the broker reads the tender's
status but cannot write. It is a conversation of kind "tender" on the case's contact, its
entries marked `from_backoffice`; files go with a message and are filed on the case, hidden
from the customer. A backoffice message is a question: the tender waits for the broker
(status "question") until the broker answers. The whole history stays after completion.

Call with a tender reached through services/tender_access.py: `backoffice_tender` for the
backoffice (inside its block), `tender_for(..., edit=True)` for the broker's staff.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import PermissionDenied, ValidationFailed
from tenant_app.files.cleanup import remove_files
from tenant_app.models.accounts import User
from tenant_app.models.conversations import Conversation, ConversationEntry
from tenant_app.models.tenders import Tender
from tenant_app.schemas.base import checked
from tenant_app.schemas.product_lines import line_label
from tenant_app.schemas.tickets import ReplyInput
from tenant_app.services import document_store, events, notifications
from tenant_app.services.tickets import Context
from tenant_app.services.upload_checks import Upload
from tenant_app.text.i18n import gettext as _
from tenant_app.vocabulary import CLOSED_TENDER_STATUSES

OBJECT_TYPE = "tender"  # events and notifications about a tender


@dataclass(frozen=True)
class Message:
    id: int
    from_backoffice: bool
    author_name: str
    body: str
    document_id: int | None
    document_name: str
    created_at: datetime


def may_write(actor: CurrentUser, tender: Tender) -> bool:
    """The backoffice always may; the broker only once the backoffice has written."""
    return actor.kind == "backoffice" or tender.conversation_id is not None


async def post(
    ctx: Context, actor: CurrentUser, tender: Tender, *, body: str, upload: Upload | None = None
) -> ConversationEntry:
    """A message with an optional file. The backoffice's first one opens the module."""
    from_backoffice = actor.kind == "backoffice"
    if not may_write(actor, tender):
        raise PermissionDenied
    valid, errors = checked(ReplyInput, {"body": body})
    if valid is None:
        raise ValidationFailed(errors)
    stored: list[str] = []
    try:
        async with in_transaction():
            conversation = await _conversation(tender, actor)
            document_id = None
            if upload is not None:
                (document,) = await document_store.add_case_files(
                    actor,
                    ctx.store,
                    contact_id=tender.case.contact_id,
                    case_id=tender.case_id,
                    uploads=[upload],
                    title=_("Tender message %(number)s") % {"number": tender.number},
                    max_bytes=ctx.settings.max_upload_bytes,
                )
                stored.append(document.storage_key)
                document_id = document.id
            entry = await _append(conversation, actor, valid.body, document_id, from_backoffice)
            await _after(actor, tender, conversation, from_backoffice)
    except BaseException:
        await remove_files(ctx.store, stored)
        raise
    return entry


async def _conversation(tender: Tender, actor: CurrentUser) -> Conversation:
    if tender.conversation_id is not None:
        return await Conversation.get(id=tender.conversation_id)
    conversation = await Conversation.create(
        kind="tender",
        contact_id=tender.case.contact_id,
        subject=f"{tender.number} · {line_label(tender.product_line)}"[:200],
        responsible_id=tender.case.responsible_id,
    )
    await Tender.filter(id=tender.id).update(conversation_id=conversation.id)
    tender.conversation_id = conversation.id
    return conversation


async def _append(
    conversation: Conversation,
    actor: CurrentUser,
    text: str,
    document_id: int | None,
    from_backoffice: bool,
) -> ConversationEntry:
    await Conversation.filter(id=conversation.id).update(
        entry_count=F("entry_count") + 1, last_entry_at=datetime.now(UTC)
    )
    return await ConversationEntry.create(
        conversation_id=conversation.id,
        author_id=actor.id,
        body=text,
        document_id=document_id,
        from_backoffice=from_backoffice,
    )


async def _after(
    actor: CurrentUser, tender: Tender, conversation: Conversation, from_backoffice: bool
) -> None:
    """The writer has read everything; a question makes the tender wait for the broker (who
    is told), an answer gives it back to the backoffice."""
    count = (await Conversation.get(id=conversation.id)).entry_count
    own = "backoffice_read_count" if from_backoffice else "broker_read_count"
    changes: dict[str, object] = {own: count}
    if tender.status not in CLOSED_TENDER_STATUSES:
        if from_backoffice and tender.status in ("new", "open"):
            changes["status"] = "question"
        elif not from_backoffice and tender.status == "question":
            changes["status"] = "open"
    await Tender.filter(id=tender.id).update(**changes)
    for key, value in changes.items():
        setattr(tender, key, value)
    if from_backoffice:
        await events.record(
            actor,
            events.TENDER_MESSAGE,
            contact_id=tender.case.contact_id,
            object_type=OBJECT_TYPE,
            object_id=tender.id,
            title=tender.number,
            tell=broker_audience(tender),
        )


def broker_audience(tender: Tender) -> list[int]:
    """Who at the broker hears of the backoffice: who started the tender and the case's
    responsible."""
    return sorted(
        {
            user_id
            for user_id in (tender.started_by_id, tender.case.responsible_id)
            if user_id is not None
        }
    )


async def mark_read(actor: CurrentUser, tender: Tender) -> None:
    """The reader's side has read the module up to now."""
    if tender.conversation_id is None:
        return
    count = (await Conversation.get(id=tender.conversation_id)).entry_count
    side = "backoffice_read_count" if actor.kind == "backoffice" else "broker_read_count"
    await Tender.filter(id=tender.id).update(**{side: count})
    if actor.kind != "backoffice":
        await notifications.read_about(actor, object_type=OBJECT_TYPE, object_id=tender.id)


async def messages(tender: Tender) -> list[Message]:
    """The module's history, oldest first, with each author's name and file."""
    if tender.conversation_id is None:
        return []
    entries = (
        await ConversationEntry.filter(conversation_id=tender.conversation_id)
        .select_related("document")
        .order_by("id")
    )
    author_ids = {entry.author_id for entry in entries if entry.author_id is not None}
    names = {
        user.id: user.full_name
        for user in await User.unscoped.filter(id__in=author_ids).only(
            "id", "first_name", "last_name"
        )
    }
    return [
        Message(
            id=entry.id,
            from_backoffice=entry.from_backoffice,
            author_name=names.get(entry.author_id or 0, ""),
            body=entry.body,
            document_id=entry.document_id,
            document_name=entry.document.filename if entry.document else "",
            created_at=entry.created_at,
        )
        for entry in entries
    ]
