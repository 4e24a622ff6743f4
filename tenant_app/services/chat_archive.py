"""Archiving a chat and opening it again (seed 004): the customer no longer sees an archived
chat, staff find it under the list's filter "archived", and a new customer message reopens it
(services/chats.py).

On archiving, unless the tenant switched it off (`Tenant.chat_transcripts`, Einstellungen ›
Kunden-App), the messages since the chat was last archived are filed as a PDF transcript, an
office record the customer is not shown: at one of the contact's contracts (a document in its
folder), at one of its claims (a claim file) or, without "Zugeordnet zu", on the contact itself.
The transcript holds what the customer saw, never the internal notes. It is rendered off the
event loop and stored before the transaction that archives the chat and files it; if that
transaction fails or another archiving came first, the stored file is removed again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import anyio
from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import PermissionDenied, ValidationFailed
from tenant_app.files.pdf import Letter, Section, render_letter
from tenant_app.files.uploads import PDF
from tenant_app.live.broker import publish
from tenant_app.models.claims import Claim, ClaimFile
from tenant_app.models.contacts import Contact
from tenant_app.models.conversations import Conversation, ConversationEvent
from tenant_app.models.folders import Contract, Document
from tenant_app.models.scoping import current_tenant_id
from tenant_app.models.tenancy import Tenant
from tenant_app.permissions import staff_may_read_folder
from tenant_app.queries import chats as reads
from tenant_app.queries.chats import Message
from tenant_app.schemas.claims import KIND_LABELS
from tenant_app.services import chat_access, chats, claim_files, events
from tenant_app.services.tickets import Context
from tenant_app.text.formatting import fmt_date, fmt_datetime, local_today
from tenant_app.text.i18n import gettext as _
from tenant_app.vocabulary import company_display

CATEGORY = "correspondence"  # vocabulary.DOCUMENT_CATEGORIES
FIELD = "assigned_to"  # the dialog's "Zugeordnet zu"
NOBODY_CHOSEN = ""  # the contact itself


@dataclass(frozen=True)
class Choice:
    """An option of "Zugeordnet zu": `value` is "contract:<id>" or "claim:<id>"."""

    value: str
    label: str


@dataclass(frozen=True)
class ArchiveDialog:
    """What the archive dialog shows: whose chat, where the transcript may go, and whether
    one is filed at all."""

    chat_id: int
    status: str
    contact_name: str
    contracts: list[Choice]
    claims: list[Choice]
    files_transcript: bool  # the tenant's switch
    nothing_new: bool  # no message since the chat was last archived: no transcript either


class _AlreadyArchived(Exception):
    """Another archiving came first: nothing to do (the stored file is removed again)."""


def _require_manager(actor: CurrentUser) -> None:
    if not chats.may_manage(actor):
        raise PermissionDenied


def _wrong_choice() -> ValidationFailed:
    return ValidationFailed({FIELD: _("Please choose one of this customer's contracts or claims.")})


def parse_assigned(value: str) -> tuple[int | None, int | None]:
    """The dialog's choice as (contract id, claim id); "" is the contact itself."""
    if value == NOBODY_CHOSEN:
        return None, None
    kind, _colon, number = value.partition(":")
    if kind not in ("contract", "claim") or not (number.isascii() and number.isdigit()):
        raise _wrong_choice()
    if len(number) > 10:
        raise _wrong_choice()
    return (int(number), None) if kind == "contract" else (None, int(number))


# --- Where the transcript may go ------------------------------------------------------------


async def _contracts(actor: CurrentUser, contact_id: int) -> list[Contract]:
    """The contact's contracts (not deleted) in folders the member may read."""
    found = await Contract.filter(contact_id=contact_id, deleted_at=None).order_by(
        "folder", "product_line", "id"
    )
    return [contract for contract in found if staff_may_read_folder(actor, contract.folder)]


async def _claims(contact_id: int, claims_on: bool) -> list[Claim]:
    if not claims_on:
        return []
    return await Claim.filter(contact_id=contact_id).order_by("-loss_date", "-id")


def _contract_label(contract: Contract) -> str:
    parts = (contract.product_line, contract.insurer_name, contract.insurance_number)
    return " · ".join(part for part in parts if part)


def _claim_label(claim: Claim) -> str:
    return f"{claim.number} · {KIND_LABELS[claim.kind]} · {fmt_date(claim.loss_date)}"


async def _settings() -> tuple[bool, bool, str]:
    """The tenant's transcript switch, whether claims are on, and the firm's name."""
    tenant = await Tenant.get(id=current_tenant_id())
    firm = company_display(tenant.broker_firm_name or tenant.name, tenant.broker_legal_form)
    claims_on = "claims" in tenant.modules.split(",")
    return tenant.chat_transcripts, claims_on, firm


async def _name_of(contact_id: int) -> str:
    contact = await Contact.get(id=contact_id)
    return f"{contact.first_name} {contact.last_name}".strip()


async def dialog(actor: CurrentUser, chat: Conversation) -> ArchiveDialog:
    """The archive dialog of a chat the caller checked the member sees (chat_access.chat_for)."""
    _require_manager(actor)
    files_transcript, claims_on, _firm = await _settings()
    return ArchiveDialog(
        chat_id=chat.id,
        status=chat.status,
        contact_name=await _name_of(chat.contact_id),
        contracts=[
            Choice(f"contract:{c.id}", _contract_label(c))
            for c in await _contracts(actor, chat.contact_id)
        ],
        claims=[
            Choice(f"claim:{c.id}", _claim_label(c))
            for c in await _claims(chat.contact_id, claims_on)
        ],
        files_transcript=files_transcript,
        nothing_new=files_transcript and not await unfiled_messages(chat),
    )


async def _target(
    actor: CurrentUser,
    chat: Conversation,
    *,
    contract_id: int | None,
    claim_id: int | None,
    claims_on: bool,
) -> Contract | Claim | None:
    """The chosen contract or claim, if it is one the dialog offers for this contact."""
    if contract_id is not None and claim_id is not None:
        raise ValidationFailed({FIELD: _("Please choose either a contract or a claim.")})
    if contract_id is not None:
        contracts = await _contracts(actor, chat.contact_id)
        found: Contract | Claim | None = next((c for c in contracts if c.id == contract_id), None)
    elif claim_id is not None:
        claims = await _claims(chat.contact_id, claims_on)
        found = next((c for c in claims if c.id == claim_id), None)
    else:
        return None
    if found is None:
        raise _wrong_choice()
    return found


# --- The transcript -------------------------------------------------------------------------


def transcript_title() -> str:
    return _("Chat transcript")


def _period(messages: list[Message]) -> str:
    first, last = fmt_date(messages[0].created_at), fmt_date(messages[-1].created_at)
    return first if first == last else f"{first} – {last}"


def _author(message: Message, *, customer: str, firm: str) -> str:
    """The writer's name; a deleted login: the customer or the firm."""
    return message.author_name or (customer if message.by_customer else firm)


def transcript_letter(
    *, firm: str, customer: str, archived_by: str, messages: list[Message]
) -> Letter:
    """The transcript of `messages` (oldest first, none of them internal) as a letter from
    the firm: who and when, then each message with its time, writer, text and file."""
    if any(message.internal for message in messages):
        raise ValueError("internal notes never go into a transcript")
    heading = Section(
        _("Conversation"),
        facts=(
            (_("Customer"), customer),
            (_("Period"), _period(messages)),
            (_("Archived by"), archived_by),
        ),
    )
    entries = tuple(
        Section(
            f"{fmt_datetime(m.created_at)} · {_author(m, customer=customer, firm=firm)}",
            paragraphs=tuple(
                text
                for text in (
                    m.body,
                    _("Attachment: %(name)s", name=m.filename) if m.filename else "",
                )
                if text
            ),
        )
        for m in messages
    )
    return Letter(
        title=f"{transcript_title()}: {customer}",
        sender=firm,
        sections=(heading, *entries),
        footer=_("The chat as the customer saw it; internal notes are not part of it."),
        author=firm,
    )


async def unfiled_messages(chat: Conversation) -> list[Message]:
    """What the customer saw since the chat was last archived (oldest first)."""
    previous = (
        await ConversationEvent.filter(conversation_id=chat.id, kind="archived")
        .order_by("-id")
        .first()
    )
    found = await reads.messages(chat.id, for_customer=True)
    if previous is None:
        return found
    return [message for message in found if message.created_at > previous.created_at]


@dataclass(frozen=True)
class _Transcript:
    title: str
    data: bytes


async def _transcript(actor: CurrentUser, chat: Conversation, firm: str) -> _Transcript | None:
    """The rendered transcript, None when there is nothing new to file."""
    messages = await unfiled_messages(chat)
    if not messages:
        return None
    customer = await _name_of(chat.contact_id)
    letter = transcript_letter(
        firm=firm, customer=customer, archived_by=actor.full_name, messages=messages
    )
    data = await anyio.to_thread.run_sync(render_letter, letter)  # CPU-bound
    title = f"{transcript_title()} {customer}, {_period(messages)}"[:200]
    return _Transcript(title, data)


def _filename() -> str:
    return f"{transcript_title().replace(' ', '-')}-{local_today().isoformat()}.pdf"


# --- Archiving and reopening ----------------------------------------------------------------


async def archive(
    ctx: Context,
    actor: CurrentUser,
    chat: Conversation,
    *,
    contract_id: int | None = None,
    claim_id: int | None = None,
) -> Document | ClaimFile | None:
    """Archive a chat the caller checked the member sees; the transcript filed where chosen
    (None: switched off, nothing new, or the chat was archived already, which is no error)."""
    _require_manager(actor)
    files_transcript, claims_on, firm = await _settings()
    target = await _target(
        actor, chat, contract_id=contract_id, claim_id=claim_id, claims_on=claims_on
    )
    if chat.status != "open":
        return None
    seen = (await Conversation.get(id=chat.id)).entry_count  # the transcript's last position
    transcript = await _transcript(actor, chat, firm) if files_transcript else None
    prepared = [] if transcript is None else [_prepared(transcript)]
    try:
        async with claim_files.stored(ctx.store, prepared, uploaded_by=actor.id) as rows:
            async with in_transaction():
                await _close(actor, chat, seen=seen)
                filed = await _file(chat, target, transcript, rows)
                await publish(current_tenant_id(), await chat_access.viewers(chat))
    except _AlreadyArchived:
        return None
    return filed


def _prepared(transcript: _Transcript) -> claim_files.Prepared:
    return claim_files.Prepared(
        kind="document",
        filename=_filename(),
        content_type=PDF.content_type,
        sha256=hashlib.sha256(transcript.data).hexdigest(),
        size=len(transcript.data),
        data=transcript.data,
    )


async def _close(actor: CurrentUser, chat: Conversation, *, seen: int) -> None:
    """Archive once: a second archiving finds it done; a message that came in meanwhile (not in
    the transcript, not read by anyone) stops it."""
    done = await Conversation.filter(id=chat.id, status="open", entry_count=seen).update(
        status="archived", closed_at=datetime.now(UTC)
    )
    if not done:
        if (await Conversation.get(id=chat.id)).status != "open":
            raise _AlreadyArchived
        raise ValidationFailed(
            {"form": _("A new message has just arrived. Please read it before archiving.")}
        )
    await chats._event(chat.id, "archived", actor)
    await events.record(
        actor,
        events.CHAT_ARCHIVED,
        contact_id=chat.contact_id,
        object_type=chats.OBJECT_TYPE,
        object_id=chat.id,
        title=await _name_of(chat.contact_id),
        tell=events.NOBODY,
    )


async def _file(
    chat: Conversation,
    target: Contract | Claim | None,
    transcript: _Transcript | None,
    rows: list[dict[str, Any]],
) -> Document | ClaimFile | None:
    """The stored transcript as a claim file or a document (at the contract or the contact)."""
    if transcript is None:
        return None
    row = rows[0]
    if isinstance(target, Claim):
        return await ClaimFile.create(claim_id=target.id, staff_only=True, **row)  # office record
    columns = {name: row[name] for name in ("filename", "storage_key", "content_type", "size")}
    return await Document.create(
        contact_id=chat.contact_id,
        contract_id=target.id if target else None,
        folder=target.folder if target else "",
        category=CATEGORY,
        title=transcript.title,
        sha256=row["sha256"],
        shared_with_customer=False,  # an office record
        uploaded_by_id=row["uploaded_by_id"],
        document_date=local_today(),
        **columns,
    )


async def reopen(actor: CurrentUser, chat: Conversation) -> None:
    """Staff open an archived chat again: the customer sees it from now on (an open chat: no-op)."""
    _require_manager(actor)
    async with in_transaction():
        await chats._reopen(chat, actor)
        await publish(current_tenant_id(), await chat_access.viewers(chat))
