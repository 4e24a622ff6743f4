"""What the broker's pages show of a case's offers: the offers card on the case page (per
product line, tender offers marked) and the side-by-side comparison with the fields that
differ. Only released and chosen offers: a tender's drafts are the backoffice's.

Offers are insurance-folder data (`permissions.can_edit_cases`): staff who may not read that
folder see that offers exist, not what they say. The writes: services/case_offers.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from tenant_app.actors import CurrentUser
from tenant_app.errors import PermissionDenied
from tenant_app.models.cases import AdviceCase
from tenant_app.models.tenders import CaseOffer
from tenant_app.permissions import can_edit_cases, staff_may_read_folder
from tenant_app.schemas.case_offers import expired
from tenant_app.schemas.product_lines import line_label
from tenant_app.services.cases import CASE_FOLDER, is_closed
from tenant_app.text.formatting import fmt_date, fmt_money, local_today
from tenant_app.text.i18n import gettext as _
from tenant_app.text.labels import N_, PAYMENT_FREQUENCIES, Labels
from tenant_app.text.legal_forms import with_legal_form

SHOWN_STATUSES = ("released", "chosen")  # what the broker sees (drafts: the backoffice's)
COMPARE_MAX = 8  # offers side by side
PERIODS_PER_YEAR = {"monthly": 12, "quarterly": 4, "half_yearly": 2, "yearly": 1}
STATUS_LABELS = Labels(
    {"released": N_("Available"), "chosen": N_("Chosen"), "declined": N_("Declined")}
)
SOURCE_LABELS = Labels(
    {
        "staff": N_("Calculated (entered by staff)"),
        "api": N_("Calculated (broker's system)"),
        "interface": N_("Calculated (insurer interface)"),
        "tender": N_("From tender"),
    }
)


@dataclass(frozen=True, slots=True)
class OfferRow:
    """One offer as the pages show it (texts in the reader's language)."""

    id: int
    product_line: str
    line_label: str
    insurer: str  # with its legal form, once
    tariff: str
    premium: Decimal
    payment_frequency: str
    premium_text: str  # "1.234,56 € jährlich"
    yearly_text: str  # the premium per year ("" for a single payment)
    deductible_text: str
    sum_insured_text: str
    cover_points: tuple[str, ...]
    valid_until: date | None
    valid_text: str
    is_expired: bool
    source: str
    source_text: str  # "From tender A-00007", "Calculated (entered by staff)"
    from_tender: bool
    tender_number: str
    status: str
    status_text: str
    document_id: int | None
    proposal_id: int | None
    cover_order_id: int | None
    contract_id: int | None

    @property
    def is_chosen(self) -> bool:
        return self.status == "chosen"


@dataclass(frozen=True, slots=True)
class LineOffers:
    key: str
    label: str
    offers: list[OfferRow]


@dataclass(frozen=True, slots=True)
class CompareRow:
    key: str
    label: str
    cells: list[str | tuple[str, ...]]
    differs: bool


@dataclass(frozen=True, slots=True)
class Comparison:
    offers: list[OfferRow]
    rows: list[CompareRow]
    may_choose: bool  # the actor may choose one (an open case, the right to change it)


def tender_number(tender_id: int | None) -> str:
    """As Tender.number says it, without loading the tender."""
    return f"A-{tender_id:05d}" if tender_id is not None else ""


def premium_text(amount: Decimal, frequency: str) -> str:
    return f"{fmt_money(amount)} {PAYMENT_FREQUENCIES[frequency]}"


def _yearly(offer: CaseOffer) -> str:
    periods = PERIODS_PER_YEAR.get(offer.payment_frequency)
    return fmt_money(offer.premium * periods) if periods else ""


def offer_row(offer: CaseOffer, today: date) -> OfferRow:
    number = tender_number(offer.tender_id)
    from_tender = offer.source == "tender"
    return OfferRow(
        id=offer.id,
        product_line=offer.product_line,
        line_label=line_label(offer.product_line),
        insurer=with_legal_form(offer.insurer_name, offer.insurer_legal_form),
        tariff=offer.tariff,
        premium=offer.premium,
        payment_frequency=offer.payment_frequency,
        premium_text=premium_text(offer.premium, offer.payment_frequency),
        yearly_text=_yearly(offer),
        deductible_text=fmt_money(offer.deductible) if offer.deductible is not None else "–",
        sum_insured_text=fmt_money(offer.sum_insured) if offer.sum_insured is not None else "–",
        cover_points=tuple(str(point) for point in offer.cover_points or []),
        valid_until=offer.valid_until,
        valid_text=fmt_date(offer.valid_until) if offer.valid_until else "–",
        is_expired=expired(offer.valid_until, today),
        source=offer.source,
        source_text=_("From tender %(number)s", number=number)
        if from_tender and number
        else SOURCE_LABELS[offer.source],
        from_tender=from_tender,
        tender_number=number if from_tender else "",
        status=offer.status,
        status_text=STATUS_LABELS[offer.status],
        document_id=offer.document_id,
        proposal_id=offer.proposal_id,
        cover_order_id=offer.cover_order_id,
        contract_id=offer.contract_id,
    )


def reads_offers(actor: CurrentUser) -> bool:
    return staff_may_read_folder(actor, CASE_FOLDER)


def _shown(case_id: int) -> Any:
    return CaseOffer.filter(case_id=case_id, status__in=SHOWN_STATUSES)


async def visible_offers(actor: CurrentUser, case: AdviceCase) -> list[CaseOffer]:
    """The case's offers the actor sees (not a backoffice's drafts; none without the right to
    read the insurance folder), by product line and price."""
    if not reads_offers(actor):
        return []
    return list(await _shown(case.id).order_by("product_line", "premium", "id"))


async def offers_of(actor: CurrentUser, case: AdviceCase) -> list[LineOffers]:
    """The case's offers per product line (the case's lines first, in its order), the
    cheapest first; nothing for staff who may not read the insurance folder (one query)."""
    if not reads_offers(actor):
        return []
    today = local_today()
    rows = [offer_row(offer, today) for offer in await _shown(case.id).order_by("premium", "id")]
    keys = list(case.product_lines) + sorted(
        {row.product_line for row in rows} - set(case.product_lines)
    )
    found = [
        LineOffers(key, line_label(key), [row for row in rows if row.product_line == key])
        for key in keys
    ]
    return [line for line in found if line.offers]


async def offers_card(actor: CurrentUser, case: AdviceCase) -> dict[str, Any]:
    """The case page's offers card."""
    lines = await offers_of(actor, case)
    return {
        "offer_lines": lines,
        "reads_offers": reads_offers(actor),
        "may_enter_offers": can_edit_cases(actor) and not is_closed(case),
    }


async def compare(
    actor: CurrentUser, case: AdviceCase, *, ids: list[int], line: str = ""
) -> Comparison:
    """The offers asked for (or all of a product line) side by side, in the order of their
    premium, with each field's values and whether they differ."""
    if not reads_offers(actor):
        raise PermissionDenied
    query = _shown(case.id)
    if ids:
        query = query.filter(id__in=ids[:COMPARE_MAX])
    elif line:
        query = query.filter(product_line=line)
    today = local_today()
    offers = [offer_row(offer, today) for offer in await query.order_by("premium", "id")]
    shown = offers[:COMPARE_MAX]
    may_choose = can_edit_cases(actor) and not is_closed(case)
    return Comparison(shown, compare_rows(shown), may_choose)


def compare_rows(offers: list[OfferRow]) -> list[CompareRow]:
    fields: list[tuple[str, str, Any]] = [
        ("insurer", _("Insurer"), lambda row: row.insurer),
        ("product_line", _("Product line"), lambda row: row.line_label),
        ("tariff", _("Tariff"), lambda row: row.tariff or "–"),
        ("premium", _("Premium"), lambda row: row.premium_text),
        ("yearly", _("Premium per year"), lambda row: row.yearly_text or "–"),
        ("deductible", _("Deductible"), lambda row: row.deductible_text),
        ("sum_insured", _("Sum insured"), lambda row: row.sum_insured_text),
        ("cover_points", _("Cover"), lambda row: row.cover_points),
        ("valid_until", _("Valid until"), lambda row: row.valid_text),
        ("source", _("Source"), lambda row: row.source_text),
    ]
    rows = []
    for key, label, value_of in fields:
        cells = [value_of(offer) for offer in offers]
        rows.append(CompareRow(key, label, cells, len({_same(cell) for cell in cells}) > 1))
    return rows


def _same(cell: str | tuple[str, ...]) -> str | tuple[str, ...]:
    """What counts as the same value: cover points in any order, case and spaces aside."""
    if isinstance(cell, tuple):
        return tuple(sorted(" ".join(point.lower().split()) for point in cell))
    return cell
