"""A case's offers on the broker's side: staff enter calculated offers, choose one per product
line, and confirm the chosen one, which then becomes a contract in the customer's insurance
folder (through the contracts use case: its event and webhook `contract.created` go out).

Who may: staff who see the case's contact and may write in the insurance folder
(`permissions.can_edit_cases`), on an open case. A tender's offers come from the backoffice
(released ones only: drafts stay NotFound here); choosing one closes the tender as "chosen".
The pages' reads: services/case_offer_pages.py; the proposal and cover order PDFs:
services/offer_papers.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, PermissionDenied, ValidationFailed
from tenant_app.files.storage import Storage
from tenant_app.models.cases import AdviceCase
from tenant_app.models.folders import Contract, Insurer
from tenant_app.models.scoping import current_tenant_id
from tenant_app.models.tenancy import Tenant
from tenant_app.models.tenders import CaseOffer, Tender
from tenant_app.permissions import can_edit_cases
from tenant_app.schemas.base import checked
from tenant_app.schemas.case_offers import CaseOfferInput, ConfirmInput, expired
from tenant_app.schemas.product_lines import line_label
from tenant_app.services import cases, contracts, document_store, events
from tenant_app.services.case_offer_pages import SHOWN_STATUSES, reads_offers, tender_number
from tenant_app.services.upload_checks import Upload
from tenant_app.text import i18n
from tenant_app.text.formatting import fmt_date, local_today
from tenant_app.text.i18n import gettext as _
from tenant_app.text.legal_forms import with_legal_form
from tenant_app.vocabulary import CONTRACT_STATUSES

CONTRACT_FOLDER = cases.CASE_FOLDER  # where the confirmed offer's contract goes


class OfferExpired(ValidationFailed):
    """An expired offer cannot be chosen: the broker asks for a renewed one."""

    status_code = 409

    def __init__(self, offer: CaseOffer) -> None:
        day = fmt_date(offer.valid_until)
        if offer.tender_id is not None:
            message = _(
                "This offer expired on %(date)s and can no longer be chosen. Ask your backoffice"
                " through the tender's messages to have the insurer renew it.",
                date=day,
            )
        else:
            message = _(
                "This offer expired on %(date)s and can no longer be chosen. Ask the insurer"
                " for a renewed offer.",
                date=day,
            )
        super().__init__({"form": message})


async def offer_for(actor: CurrentUser, offer_id: int, *, edit: bool = False) -> CaseOffer:
    """A released or chosen offer with its case (`offer.case`), if the actor sees the case
    and reads the insurance folder (NotFound otherwise: a draft, another tenant's, a contact
    they do not see); with `edit`, PermissionDenied unless they may change the case."""
    offer = await CaseOffer.get_or_none(id=offer_id, status__in=SHOWN_STATUSES)
    if offer is None:
        raise NotFound
    case = await cases.case_for(actor, offer.case_id, edit=edit)
    if not reads_offers(actor):
        raise NotFound
    offer.case = case
    return offer


def _may_change(actor: CurrentUser, case: AdviceCase) -> None:
    cases.ensure_open(case)
    if not can_edit_cases(actor):
        raise PermissionDenied


def clean_offer(case: AdviceCase, values: Mapping[str, Any]) -> dict[str, Any]:
    """The offer's columns from the form, or ValidationFailed with a message per field."""
    found, errors = checked(CaseOfferInput, values)
    if found is not None and found.product_line not in case.product_lines:
        errors["product_line"] = _("Please choose one of the case's product lines.")
    if found is not None and expired(found.valid_until, local_today()):
        errors["valid_until"] = _("An offer's validity cannot end before today.")
    if errors or found is None:
        raise ValidationFailed(errors)
    clean = found.model_dump(exclude={"insurer", "legal_form"})
    return clean | {"insurer_name": found.insurer, "insurer_legal_form": found.legal_form}


async def add_offer(
    actor: CurrentUser,
    store: Storage,
    case: AdviceCase,
    *,
    values: Mapping[str, Any],
    upload: Upload | None,
    max_bytes: int,
    source: str = "staff",
) -> CaseOffer:
    """A calculated offer entered by staff (or sent by the broker's system: `source` "api"),
    released at once, with the insurer's offer as a
    PDF filed on the case (insurance folder, hidden from the customer) if given. The form is
    checked before the file is stored: a refused form stores nothing."""
    _may_change(actor, case)
    clean = clean_offer(case, values)
    document_id = None
    if upload is not None:
        insurer = with_legal_form(clean["insurer_name"], clean["insurer_legal_form"])
        filed = await document_store.add_case_files(
            actor,
            store,
            contact_id=case.contact_id,
            case_id=case.id,
            uploads=[upload],
            title=_("Offer: %(insurer)s", insurer=insurer),
            max_bytes=max_bytes,
        )
        document_id = filed[0].id
    offer = await CaseOffer.create(
        case_id=case.id,
        source=source,
        status="released",
        released_at=datetime.now(UTC),
        entered_by_id=actor.id,
        document_id=document_id,
        **clean,
    )
    await cases.touch(case.id)
    return offer


def offer_title(offer: CaseOffer) -> str:
    """What an event calls the offer: "Kfz · Nordstern Versicherung AG"."""
    insurer = with_legal_form(offer.insurer_name, offer.insurer_legal_form)
    return f"{line_label(offer.product_line)} · {insurer}"


async def choose(actor: CurrentUser, offer_id: int) -> CaseOffer:
    """The offer becomes the chosen one of its case and product line; one chosen before goes
    back to the others (and its tender, if another, reopens). Not an expired offer; not once
    the line's chosen offer became a contract."""
    offer = await offer_for(actor, offer_id, edit=True)
    case = offer.case
    _may_change(actor, case)
    if offer.status == "chosen":
        return offer  # a second click
    if expired(offer.valid_until, local_today()):
        raise OfferExpired(offer)
    now = datetime.now(UTC)
    async with in_transaction():
        # One choice per case at a time: two tabs choosing two offers would both see none.
        await AdviceCase.filter(id=case.id).select_for_update().first()
        before = await CaseOffer.filter(
            case_id=case.id, product_line=offer.product_line, status="chosen"
        ).first()
        if before is not None and before.contract_id is not None:
            raise ValidationFailed(
                {"form": _("The chosen offer of this product line is a contract already.")}
            )
        if before is not None:
            await CaseOffer.filter(id=before.id).update(status="released", chosen_at=None)
            if before.tender_id is not None and before.tender_id != offer.tender_id:
                await Tender.filter(id=before.tender_id).update(status="offered", closed_at=None)
        taken = await CaseOffer.filter(id=offer.id, status="released").update(
            status="chosen", chosen_at=now
        )
        if not taken:  # changed since it was loaded (drawn back, chosen in another tab)
            raise ValidationFailed({"form": _("This offer has changed meanwhile.")})
        if offer.tender_id is not None:
            await Tender.filter(id=offer.tender_id).update(status="chosen", closed_at=now)
        await events.record(
            actor,
            events.OFFER_CHOSEN,
            contact_id=case.contact_id,
            object_type="case",
            object_id=case.id,
            title=offer_title(offer),
            tell=[case.responsible_id] if case.responsible_id is not None else events.NOBODY,
        )
        await cases.touch(case.id)
    return await CaseOffer.get(id=offer.id)


async def _listed_insurer(offer: CaseOffer) -> str:
    """The catalogue's name of the offer's insurer: the insurance folder takes only those."""
    full = with_legal_form(offer.insurer_name, offer.insurer_legal_form)
    found = await Insurer.filter(name__in=[full, offer.insurer_name]).values_list("name", flat=True)
    names = [str(name) for name in found]
    if not names:
        raise ValidationFailed(
            {
                "insurer": _(
                    "%(insurer)s is not in your insurer list, from which every contract's"
                    " insurer comes. An administrator can add it under Settings, Insurers;"
                    " then confirm again.",
                    insurer=full,
                )
            }
        )
    return full if full in names else names[0]


async def contract_status() -> str:
    """What a confirmed offer becomes (Tenant.tender_contract_status; "start" by default)."""
    status = await Tenant.filter(id=current_tenant_id()).values_list(
        "tender_contract_status", flat=True
    )
    found = str(status[0]) if status else "start"
    return found if found in CONTRACT_STATUSES and found != "offer" else "start"


async def contract_values(offer: CaseOffer, *, insurance_number: str) -> dict[str, str]:
    """The contract form's fields for the chosen offer (stored in German, as staff type them)."""
    with i18n.using(i18n.DEFAULT_LOCALE):
        line, begins = line_label(offer.product_line), fmt_date(local_today())
        if offer.tender_id is not None:
            number = tender_number(offer.tender_id)
            note = _("From tender %(number)s; cover begins %(date)s.", number=number, date=begins)
        else:
            note = _("From an offer of the advice case; cover begins %(date)s.", date=begins)
    return {
        "product_line": line,
        "insurer": await _listed_insurer(offer),
        "insurance_number": insurance_number,
        "status": await contract_status(),
        "payment_method": "",
        "payment_frequency": offer.payment_frequency,
        "gross_premium": f"{offer.premium:.2f}".replace(".", ","),
        "note": note,
        "valid_until": "",
    }


async def confirm(actor: CurrentUser, offer_id: int, *, values: Mapping[str, Any]) -> Contract:
    """The chosen offer becomes a contract in the customer's insurance folder, with the
    tenant's status for it, and the case's chosen contract. Once: a second confirm returns
    the contract made by the first."""
    offer = await offer_for(actor, offer_id, edit=True)
    case = offer.case
    _may_change(actor, case)
    if offer.contract_id is not None:
        contract = await Contract.get_or_none(id=offer.contract_id)
        if contract is not None:
            return contract
    if offer.status != "chosen":
        raise ValidationFailed({"form": _("Please choose the offer first.")})
    if expired(offer.valid_until, local_today()):  # chosen in time, but no cover on it now
        raise OfferExpired(offer)
    found, errors = checked(ConfirmInput, values)
    if found is None:
        raise ValidationFailed(errors)
    wanted = await contract_values(offer, insurance_number=found.insurance_number)
    async with in_transaction():
        contract = await contracts.create_contract(
            actor, contact_id=case.contact_id, folder=CONTRACT_FOLDER, values=wanted
        )
        made = await CaseOffer.filter(id=offer.id, contract_id=None).update(contract_id=contract.id)
        if not made:  # confirmed in another tab meanwhile: this one is not kept
            raise ValidationFailed({"form": _("This offer has been confirmed already.")})
        await cases.choose_contract(actor, case, contract_id=contract.id)
    return contract
