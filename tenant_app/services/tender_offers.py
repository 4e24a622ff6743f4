"""The backoffice's work on a tender: taking it or handing it to a colleague, entering the
insurers' offers (drafts, with their documents), releasing them to the broker, and saying how
many insurers were asked ("n of x insurers with offers").

Call with a tender reached through `tender_access.backoffice_tender` (inside its block, so in
the tender's tenant scope): services/backoffice_tender.py does that for the pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, ValidationFailed
from tenant_app.files.cleanup import remove_files
from tenant_app.models.accounts import User
from tenant_app.models.folders import Document
from tenant_app.models.tenders import BackofficeMember, CaseOffer, Tender
from tenant_app.schemas.base import checked
from tenant_app.schemas.tender_offers import InsurersAskedInput, TenderOfferInput
from tenant_app.services import document_store, events
from tenant_app.services.tender_messages import OBJECT_TYPE, broker_audience
from tenant_app.services.tickets import Context
from tenant_app.services.upload_checks import Upload
from tenant_app.text.formatting import local_today
from tenant_app.text.i18n import gettext as _
from tenant_app.vocabulary import CLOSED_TENDER_STATUSES

MAX_INSURERS = 99
SHOWN_STATUSES = ("released", "chosen")  # what the broker sees of a tender's offers


@dataclass(frozen=True)
class InsurerCount:
    """ "n of x insurers with offers": n insurers whose offers the broker has, x asked."""

    with_offers: int
    asked: int


async def take(actor: CurrentUser, tender: Tender) -> None:
    """The actor works on the tender from now on (a new one is opened by that)."""
    await _assign(tender, actor.id)


async def hand_over(actor: CurrentUser, tender: Tender, user_id: int) -> None:
    """Hand the tender to another person of the same backoffice (no one else)."""
    member = BackofficeMember.filter(backoffice_id=tender.backoffice_id, user_id=user_id)
    # The login is the platform's (another tenant than the tender's scope): read unscoped.
    active = User.unscoped.filter(id=user_id, is_active=True)
    if user_id == actor.id or not (await member.exists() and await active.exists()):
        raise ValidationFailed({"user_id": _("Please choose a colleague of your backoffice.")})
    await _assign(tender, user_id)


async def _assign(tender: Tender, user_id: int) -> None:
    changes: dict[str, object] = {"assignee_id": user_id}
    if tender.status == "new":
        changes["status"] = "open"
    await Tender.filter(id=tender.id).update(**changes)
    for key, value in changes.items():
        setattr(tender, key, value)


async def add_offer(
    ctx: Context,
    actor: CurrentUser,
    tender: Tender,
    values: dict[str, str],
    upload: Upload | None = None,
) -> CaseOffer:
    """A draft offer of an insurer, with its document if one is given. Nothing is stored
    when a field or the file is refused (ValidationFailed, messages by field)."""
    if tender.status in CLOSED_TENDER_STATUSES:
        raise ValidationFailed({"form": _("This tender is closed: no more offers.")})
    valid, errors = checked(TenderOfferInput, values)
    if valid is None:
        raise ValidationFailed(errors)
    stored: list[str] = []
    try:
        async with in_transaction():
            document_id = None
            if upload is not None:
                (document,) = await document_store.add_case_files(
                    actor,
                    ctx.store,
                    contact_id=tender.case.contact_id,
                    case_id=tender.case_id,
                    uploads=[upload],
                    title=_("Offer %(insurer)s (%(number)s)")
                    % {"insurer": valid.insurer_name, "number": tender.number},
                    max_bytes=ctx.settings.max_upload_bytes,
                    draft=True,
                )
                stored.append(document.storage_key)
                document_id = document.id
            return await CaseOffer.create(
                case_id=tender.case_id,
                product_line=tender.product_line,
                tender_id=tender.id,
                source="tender",
                status="draft",
                document_id=document_id,
                entered_by_id=actor.id,
                **valid.model_dump(),
            )
    except BaseException:
        await remove_files(ctx.store, stored)
        raise


async def release(actor: CurrentUser, tender: Tender, offer_id: int) -> CaseOffer:
    """Give a draft to the broker, who is told; the tender is then "offered" (unless closed)."""
    async with in_transaction():
        offer = await CaseOffer.filter(id=offer_id, tender_id=tender.id).select_for_update().first()
        if offer is None:
            raise NotFound
        if offer.status != "draft":
            raise ValidationFailed({"form": _("This offer has been released already.")})
        if tender.status in CLOSED_TENDER_STATUSES:
            raise ValidationFailed({"form": _("This tender is closed: no more offers.")})
        if offer.valid_until is not None and offer.valid_until < local_today():
            raise ValidationFailed({"form": _("This offer has expired: enter it again.")})
        offer.status = "released"
        offer.released_at = datetime.now(UTC)
        await offer.save(update_fields=["status", "released_at", "updated_at"])
        if offer.document_id is not None:  # its file joins the case's documents now
            await Document.filter(id=offer.document_id).update(
                case_id=tender.case_id, folder="insurance"
            )
        if tender.status not in CLOSED_TENDER_STATUSES and tender.status != "offered":
            await Tender.filter(id=tender.id).update(status="offered")
            tender.status = "offered"
        await events.record(
            actor,
            events.TENDER_OFFER,
            contact_id=tender.case.contact_id,
            object_type=OBJECT_TYPE,
            object_id=tender.id,
            title=f"{tender.number} · {offer.insurer_name}",
            tell=broker_audience(tender),
        )
    return offer


async def set_insurers_asked(actor: CurrentUser, tender: Tender, count: str) -> None:
    """How many insurers the backoffice asked: at least those with an offer, at most 99."""
    valid, errors = checked(InsurersAskedInput, {"insurers_asked": count})
    if valid is None:
        raise ValidationFailed(errors)
    offering = len(await insurers_of(tender, statuses=None))
    if valid.insurers_asked < offering:
        message = _("At least the %(n)s insurers with offers.", n=offering)
        raise ValidationFailed({"insurers_asked": message})
    await Tender.filter(id=tender.id).update(insurers_asked=valid.insurers_asked)
    tender.insurers_asked = valid.insurers_asked


async def insurers_of(tender: Tender, *, statuses: tuple[str, ...] | None) -> set[str]:
    """The distinct insurers with offers (of `statuses`; None: any, drafts too)."""
    offers = CaseOffer.filter(tender_id=tender.id)
    if statuses is not None:
        offers = offers.filter(status__in=statuses)
    names = await offers.values_list("insurer_name", flat=True)
    return {str(name).strip().casefold() for name in names}


def insurer_count(tender: Tender, offers: list[CaseOffer]) -> InsurerCount:
    """From the tender's offers as read for its page (no query of its own)."""
    shown = {o.insurer_name.strip().casefold() for o in offers if o.status in SHOWN_STATUSES}
    return InsurerCount(with_offers=len(shown), asked=tender.insurers_asked)


async def offers_of(tender: Tender) -> list[CaseOffer]:
    """The tender's offers, drafts and released, oldest first, with their documents."""
    return await CaseOffer.filter(tender_id=tender.id).select_related("document").order_by("id")
