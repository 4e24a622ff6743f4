"""What the broker's tender pages read: the case page's card per product line, the start form's
choices, and a tender's page with its frozen risk, messages and released offers. A few
queries each. The writes are in services/tenders.py and services/tender_messages.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tenant_app.actors import CurrentUser
from tenant_app.models.cases import AdviceCase, CaseRisk
from tenant_app.models.contacts import Contact
from tenant_app.models.tenders import Backoffice, CaseOffer, Tender
from tenant_app.permissions import can_edit_cases, can_manage_settings, staff_may_read_folder
from tenant_app.schemas.product_lines import line_label
from tenant_app.schemas.tender_questions import HINTS, LONG_TEXT, questions
from tenant_app.services import tender_messages
from tenant_app.services.cases import CASE_FOLDER
from tenant_app.services.tenders import (
    ANSWER_PREFIX,
    SHAREABLE,
    calculated_offers,
    engaged_backoffices,
    running_tenders,
    service_days,
)
from tenant_app.text.case_risks import shown_attributes
from tenant_app.text.formatting import fmt_date
from tenant_app.text.labels import N_, Labels
from tenant_app.text.legal_forms import with_legal_form
from tenant_app.text.tender_snapshot import snapshot_view
from tenant_app.vocabulary import CLOSED_CASE_STATUSES, CLOSED_TENDER_STATUSES

STATUS_LABELS = Labels(  # vocabulary.TENDER_STATUSES, as the broker reads them
    {
        "new": N_("Handed over"),
        "open": N_("In progress"),
        "question": N_("Question to you"),
        "offered": N_("Offers received"),
        "chosen": N_("Offer chosen"),
        "withdrawn": N_("Withdrawn"),
    }
)
SHARE_LABELS = Labels(
    {
        "name": N_("Name"),
        "company": N_("Company"),
        "birthdate": N_("Date of birth"),
        "address": N_("Address"),
        "phone": N_("Phone"),
        "email": N_("E-mail"),
    }
)
VISIBLE_OFFERS = ("released", "chosen")  # of a tender's: what the broker sees


@dataclass(frozen=True, slots=True)
class TenderRow:
    id: int
    number: str
    status: str
    status_label: str
    backoffice_name: str
    due_at: datetime
    closed: bool


@dataclass(frozen=True, slots=True)
class LineTenders:
    """A product line of the case on its page: "n of x insurers with offers", its tenders."""

    key: str
    label: str
    with_offers: int  # n: insurers with an offer the broker sees
    asked: int  # x: insurers asked (by tenders, or whose offer came otherwise)
    has_offers: bool  # calculated ones (or released ones): starting again needs a reason
    running: bool  # a tender not closed: no second one
    tenders: list[TenderRow]


def _row(tender: Tender) -> TenderRow:
    return TenderRow(
        id=tender.id,
        number=tender.number,
        status=tender.status,
        status_label=STATUS_LABELS[tender.status],
        backoffice_name=tender.backoffice.name,
        due_at=tender.due_at,
        closed=tender.status in CLOSED_TENDER_STATUSES,
    )


async def case_tenders(actor: CurrentUser, case: AdviceCase) -> dict[str, Any]:
    """The case page's tender card (two queries): each product line of the case."""
    tenders = (
        await Tender.filter(case_id=case.id).select_related("backoffice").order_by("-id")
        if case.product_lines
        else []
    )
    offers = await CaseOffer.filter(case_id=case.id).values(
        "product_line", "insurer_name", "source", "status"
    )
    lines = []
    for key in case.product_lines:
        mine = [tender for tender in tenders if tender.product_line == key]
        seen = [
            row
            for row in offers
            if row["product_line"] == key
            and (row["source"] != "tender" or row["status"] in VISIBLE_OFFERS)
        ]
        insurers = {row["insurer_name"] for row in seen}
        elsewhere = {row["insurer_name"] for row in seen if row["source"] != "tender"}
        asked = len(elsewhere) + sum(tender.insurers_asked for tender in mine)
        lines.append(
            LineTenders(
                key=key,
                label=line_label(key),
                with_offers=len(insurers),
                asked=max(asked, len(insurers)),
                has_offers=bool(seen),
                running=any(tender.status not in CLOSED_TENDER_STATUSES for tender in mine),
                tenders=[_row(tender) for tender in mine],
            )
        )
    editable = can_edit_cases(actor) and case.status not in CLOSED_CASE_STATUSES
    return {"tender_lines": lines, "can_tender": editable}


def customer_rows(contact: Contact) -> list[tuple[str, str, str]]:
    """The customer's data to review before sharing: (field, label, value); the name always
    goes with a tender, the others only when ticked."""
    address = ", ".join(
        part for part in (contact.street, f"{contact.postal_code} {contact.city}".strip()) if part
    )
    values = {
        "name": contact.full_name,
        "company": contact.company_display if contact.company_name else "",
        "birthdate": fmt_date(contact.birthdate),
        "address": address,
        "phone": contact.phone,
        "email": contact.email,
    }
    return [(key, label, values[key]) for key, label in SHARE_LABELS if values[key]]


async def start_page(actor: CurrentUser, case: AdviceCase, line: str) -> dict[str, Any]:
    """What the start form shows for one of the case's product lines."""
    running = await running_tenders(case.id, line).order_by("-id").first()
    backoffices = await engaged_backoffices()
    risks = await CaseRisk.filter(case_id=case.id, product_line=line).order_by("id")
    return {
        "case": case,
        "contact": case.contact,
        "line_key": line,
        "line_label": line_label(line),
        "lines": [(key, line_label(key)) for key in case.product_lines],
        "customer": customer_rows(case.contact),
        "shareable": SHAREABLE,
        "questions": questions(line),
        "hints": HINTS,
        "long_text": LONG_TEXT,
        "prefix": ANSWER_PREFIX,
        "risks": [(risk.label, shown_attributes(line, risk.attributes)) for risk in risks],
        "backoffices": [
            (row.id, with_legal_form(row.name, row.legal_form), service_days(row, line))
            for row in backoffices
        ],
        "needs_reason": await calculated_offers(case.id, line).exists(),
        "running": running,
        "settings_link": can_manage_settings(actor),
    }


async def tender_page(actor: CurrentUser, tender: Tender) -> dict[str, Any]:
    """A tender's page (the tender from `tender_access.tender_for`, with its case): the frozen
    risk as started, the message module, and the offers released to the broker."""
    snapshot: dict[str, Any] = dict(tender.snapshot)
    backoffice = await Backoffice.get(id=tender.backoffice_id)
    # The offers belong in the insurance folder: only for those who may read it (as on the case).
    offers = (
        await CaseOffer.filter(tender_id=tender.id, status__in=VISIBLE_OFFERS).order_by(
            "premium", "id"
        )
        if staff_may_read_folder(actor, CASE_FOLDER)
        else []
    )
    return {
        "tender": tender,
        "case": tender.case,
        "contact": tender.case.contact,
        "line_label": line_label(tender.product_line),
        "status_label": STATUS_LABELS[tender.status],
        "backoffice": backoffice,
        "frozen": snapshot_view(snapshot, tender.product_line),
        "reason": str(snapshot.get("reason") or ""),
        "started_by": str(snapshot.get("started_by") or ""),
        "messages": await tender_messages.messages(tender),
        "may_write": tender_messages.may_write(actor, tender) and can_edit_cases(actor),
        "may_withdraw": can_edit_cases(actor) and tender.status not in CLOSED_TENDER_STATUSES,
        "offers": offers,
        "insurers_with_offers": len({offer.insurer_name for offer in offers}),
    }
