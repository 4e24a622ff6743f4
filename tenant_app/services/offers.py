"""Offers (Angebote) in the portal: a contract with the status "offer" that the customer can
accept until its `valid_until` day (Europe/Berlin), or ask about in a ticket.

Accepting records exactly the text the customer confirmed (OfferAcceptance), files a PDF
receipt on the contract (shared with the customer), moves the contract to the tenant's
`offer_accepted_status` and tells the responsible staff, all in one transaction; the status
change is a compare-and-set on the contract's version, so a second submit accepts nothing.
Offers customers ask for: services/offer_requests.py.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime

import anyio
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, PermissionDenied, ValidationFailed
from tenant_app.files.cleanup import remove_files
from tenant_app.files.pdf import Letter, Section, render_letter
from tenant_app.files.storage import Storage, new_key
from tenant_app.models.conversations import Conversation
from tenant_app.models.engagement import OfferAcceptance
from tenant_app.models.folders import Contract, Document
from tenant_app.models.scoping import current_tenant_id
from tenant_app.models.tenancy import Tenant
from tenant_app.permissions import customer_may, folder_flags
from tenant_app.schemas.folders import CONTRACT_KINDS
from tenant_app.services import contracts, events, ticket_pages, tickets
from tenant_app.services.access import access_of
from tenant_app.services.documents import Upload
from tenant_app.text.formatting import fmt_date, fmt_datetime, fmt_money, local_today
from tenant_app.text.i18n import addressed as _a
from tenant_app.text.i18n import gettext as _
from tenant_app.text.labels import PAYMENT_FREQUENCIES
from tenant_app.vocabulary import FOLDERS

RECEIPT_CATEGORY = "correspondence"


def today() -> date:
    """The day in Europe/Berlin: an offer valid until the 31st can be accepted all that day."""
    return local_today()


def is_expired(contract: Contract) -> bool:
    return contract.valid_until is not None and contract.valid_until < today()


class OfferClosed(Exception):
    """The contract is no open offer any more: accepted (`accepted`), or staff changed it. The
    portal sends the customer to its folder with a note instead of a 404 (a double submit)."""

    def __init__(self, contract: Contract, *, accepted: bool) -> None:
        super().__init__(contract.id)
        self.folder = contract.folder
        self.accepted = accepted


async def _closed(contract: Contract) -> OfferClosed:
    return OfferClosed(contract, accepted=await OfferAcceptance.exists(contract_id=contract.id))


@dataclass(frozen=True)
class OfferPage:
    contract: Contract
    title: str  # "Hausrat · Condor"
    facts: list[tuple[str, str]]  # label, value: what the confirmation names
    text: str  # the confirmation text exactly as shown and stored
    expired: bool
    may_accept: bool  # the folder is unlocked, not read-only, and nobody views as them
    may_ask: bool  # communication is on


def _premium(contract: Contract) -> str:
    if contract.gross_premium is None:
        return ""
    premium = fmt_money(contract.gross_premium)
    if contract.payment_frequency:
        premium += " " + PAYMENT_FREQUENCIES[contract.payment_frequency]
    return premium


def offer_facts(contract: Contract) -> list[tuple[str, str]]:
    """What the customer accepts, each with the folder's own label."""
    kind = CONTRACT_KINDS[contract.folder]
    facts = [
        (_(kind.product_label), contract.product_line),
        (_(kind.provider_label), contract.insurer_name),
    ]
    if kind.payments:
        facts.append((_(kind.amount_short or "Amount"), _premium(contract) or "–"))
    if contract.valid_until is not None:
        facts.append((_("Valid until"), fmt_date(contract.valid_until)))
    if contract.insurance_number:
        facts.append((_(kind.number_label), contract.insurance_number))
    return facts


def confirmation_text(contract: Contract) -> str:
    """The sentence and the facts, as the confirmation page shows them and the record keeps."""
    lines = [_a("I accept the following offer and ask my broker to arrange the contract:")]
    lines += [f"{label}: {value}" for label, value in offer_facts(contract)]
    return "\n".join(lines)


async def _customer_offer(actor: CurrentUser, contract_id: int) -> Contract:
    """The customer's own contract if they may see it (NotFound otherwise, for others too)."""
    if actor.kind != "customer" or actor.contact_id is None:
        raise NotFound
    return await contracts.contract_for(
        actor, contact_id=actor.contact_id, contract_id=contract_id, action="view"
    )


async def may_accept(actor: CurrentUser, contract: Contract) -> bool:
    """Who sees the offer in a folder that is open to them (unlocked or shared) and not
    read-only; nobody viewing the portal as the customer."""
    flags = folder_flags(await access_of(contract.contact_id, actor), contract.folder)
    return flags.visible and not flags.readonly and not actor.read_only


async def offer_page(actor: CurrentUser, contract_id: int) -> OfferPage:
    """The confirmation page of an open offer (OfferClosed once it is no offer any more)."""
    contract = await _customer_offer(actor, contract_id)
    if contract.status != "offer":
        raise await _closed(contract)
    return OfferPage(
        contract=contract,
        title=contracts.title_of(contract),
        facts=offer_facts(contract),
        text=confirmation_text(contract),
        expired=is_expired(contract),
        may_accept=await may_accept(actor, contract),
        may_ask=await tickets.may_use_tickets(actor),
    )


async def open_offers(actor: CurrentUser) -> list[Contract]:
    """The customer's open offers in the folders that show them, newest first (one query)."""
    if actor.contact_id is None:
        raise NotFound
    rights = await access_of(actor.contact_id, actor)
    found = await Contract.filter(
        contact_id=actor.contact_id, status="offer", deleted_at=None
    ).order_by("-created_at", "-id")
    return [
        contract
        for contract in found
        if contract.folder in FOLDERS
        and customer_may(
            folder_flags(rights, contract.folder),
            "view",
            made_by_customer=contract.created_by_customer,
        )
    ]


def _refused(message: str) -> ValidationFailed:
    return ValidationFailed({"form": message})


async def accept_offer(
    actor: CurrentUser,
    store: Storage,
    *,
    contract_id: int,
    version: int | None,
    client: str = "",
    user_agent: str = "",
) -> Contract:
    """Accept the offer as it was shown (`version`): record, receipt, new status, event.
    Returns the contract as it was before (its folder holds the receipt now). OfferClosed
    when it is no open offer (a second submit); ValidationFailed when it expired or changed."""
    contract = await _customer_offer(actor, contract_id)
    if not await may_accept(actor, contract):
        raise PermissionDenied
    if contract.status != "offer":
        raise await _closed(contract)
    if is_expired(contract):
        raise _refused(
            _a(
                "This offer expired on %(day)s and can no longer be accepted. Please ask your"
                " broker for a new one.",
                day=fmt_date(contract.valid_until),
            )
        )
    if version != contract.version:
        raise _refused(_a("The offer was changed meanwhile. Please read it again."))
    tenant = await Tenant.get(id=current_tenant_id())
    text = confirmation_text(contract)
    now = datetime.now(UTC)
    pdf = await anyio.to_thread.run_sync(_receipt, tenant.name, actor.full_name, text, now)
    key = new_key(current_tenant_id())
    await store.save(key, io.BytesIO(pdf))
    try:
        await _record(
            actor, contract, text, key, pdf, tenant.offer_accepted_status, client, user_agent
        )
    except BaseException:
        with anyio.CancelScope(shield=True):
            await remove_files(store, [key])
        raise
    return contract


async def _record(
    actor: CurrentUser,
    contract: Contract,
    text: str,
    key: str,
    pdf: bytes,
    new_status: str,
    client: str,
    user_agent: str,
) -> OfferAcceptance:
    title = contracts.title_of(contract)
    async with in_transaction():
        changed = await Contract.filter(
            id=contract.id, version=contract.version, status="offer", deleted_at=None
        ).update(status=new_status, version=F("version") + 1, updated_at=datetime.now(UTC))
        if not changed:  # a second submit, or staff changed it at this moment
            raise _refused(_a("This offer has already been accepted."))
        receipt = await Document.create(
            contact_id=contract.contact_id,
            contract_id=contract.id,
            folder=contract.folder,
            title=_("Acceptance of the offer %(title)s", title=title)[:200],
            category=RECEIPT_CATEGORY,
            document_date=today(),
            filename=f"angebot-annahme-{contract.id}.pdf",
            storage_key=key,
            content_type="application/pdf",
            size=len(pdf),
            sha256=hashlib.sha256(pdf).hexdigest(),
            shared_with_customer=True,
            uploaded_by_customer=False,
            uploaded_by_id=actor.id,
        )
        acceptance = await OfferAcceptance.create(
            contract_id=contract.id,
            contact_id=contract.contact_id,
            user_id=actor.id,
            user_name=actor.full_name[:201],
            text=text,
            client=client[:64],
            user_agent=user_agent[:200],
            new_status=new_status,
            receipt_id=receipt.id,
        )
        await events.record(
            actor,
            events.OFFER_ACCEPTED,
            contact_id=contract.contact_id,
            object_type="contract",
            object_id=contract.id,
            folder=contract.folder,
            title=title,
        )
    return acceptance


def _receipt(sender: str, name: str, text: str, when: datetime) -> bytes:
    """The receipt's PDF (CPU-bound: run in a thread)."""
    sentence, _newline, facts = text.partition("\n")
    letter = Letter(
        title=_("Acceptance of an offer"),
        sender=sender,
        sections=(
            Section(_("What was accepted"), paragraphs=(sentence,), facts=_pairs(facts)),
            Section(
                _("Accepted in the customer portal"),
                facts=((_("By"), name), (_("On"), fmt_datetime(when))),
            ),
        ),
        footer=_("This receipt was created automatically by the customer portal."),
        created_at=when,
    )
    return render_letter(letter)


def _pairs(lines: str) -> tuple[tuple[str, str], ...]:
    pairs = (line.partition(": ") for line in lines.splitlines() if line)
    return tuple((label, value) for label, _sep, value in pairs)


async def ask_about_offer(
    ctx: tickets.Context,
    actor: CurrentUser,
    *,
    contract_id: int,
    staff_id: int | None,
    subject: str,
    body: str,
    upload: Upload | None = None,
) -> Conversation:
    """A ticket about the offer (linked to it), written to the staff member chosen."""
    contract = await _customer_offer(actor, contract_id)
    if contract.status != "offer":
        raise NotFound
    if staff_id is None:  # the form always names one; else the customer's advisor
        staff_id = await advisor_id(actor)
    return await tickets.open_ticket(
        ctx,
        actor,
        contact_id=contract.contact_id,
        staff_id=staff_id,
        subject=subject,
        body=body,
        upload=upload,
        contract_id=contract.id,
    )


async def advisor_id(actor: CurrentUser) -> int | None:
    """Whom a customer writes to when they name nobody: their advisor if they handle tickets,
    else the first who does (NotFound while communication is off)."""
    form = await ticket_pages.new_ticket_form(actor)
    chosen = [member.id for member in form.staff]
    if form.preferred_staff_id in chosen:
        return form.preferred_staff_id
    return chosen[0] if chosen else None


def question_subject(contract: Contract) -> str:
    return _a("Question about the offer %(title)s", title=contracts.title_of(contract))[:200]
