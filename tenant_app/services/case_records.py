"""A contact's advice cases in its data export and its erasure (services/erasure.py).

The cases go with the contact (the foreign key cascades), their risks, tenders and offers
with them, and the documents filed on them are the contact's documents (a tender's message
module is a conversation of the contact: it goes too). Jump-in links into them (or into the
contact) point at nothing afterwards: they go too. The export holds every case with its
risks, its tenders (the frozen risk as handed to the backoffice, and the messages), its offers
and the ids of its documents, and the jump-in links made into them (never a secret).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise.expressions import Q

from tenant_app.models.cases import AdviceCase, CaseRisk
from tenant_app.models.conversations import ConversationEntry
from tenant_app.models.folders import Document
from tenant_app.models.integration import JumpLink
from tenant_app.models.tenders import CaseOffer, Tender

CASE_EXPORT_FIELDS = (
    "id",
    "title",
    "status",
    "product_lines",
    "description",
    "notes",
    "external_id",
    "chosen_contract_id",
    "created_at",
    "updated_at",
    "completed_at",
)


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _plain(value: Any) -> Any:
    return _when(value) if isinstance(value, datetime) else value


TENDER_EXPORT_FIELDS = (
    "product_line",
    "status",
    "reason",
    "snapshot",
    "snapshot_hash",
    "insurers_asked",
    "due_at",
    "created_at",
    "closed_at",
)
OFFER_EXPORT_FIELDS = (
    "id",
    "product_line",
    "tender_id",
    "source",
    "insurer_name",
    "insurer_legal_form",
    "tariff",
    "premium",
    "payment_frequency",
    "deductible",
    "sum_insured",
    "cover_points",
    "valid_until",
    "status",
    "document_id",
    "proposal_id",
    "cover_order_id",
    "contract_id",
    "released_at",
    "chosen_at",
)


def _tender_row(tender: Tender, entries: list[ConversationEntry]) -> dict[str, Any]:
    return {
        "number": tender.number,
        **{name: _plain(getattr(tender, name)) for name in TENDER_EXPORT_FIELDS},
        "backoffice": tender.backoffice.name,
        "messages": [
            {
                "from_backoffice": entry.from_backoffice,
                "body": entry.body,
                "document_id": entry.document_id,
                "created_at": _when(entry.created_at),
            }
            for entry in entries
            if entry.conversation_id == tender.conversation_id
        ],
    }


async def _tenders_and_offers(ids: list[int]) -> tuple[list[Tender], list[Any], list[CaseOffer]]:
    if not ids:
        return [], [], []
    tenders = await Tender.filter(case_id__in=ids).select_related("backoffice").order_by("id")
    conversations = [t.conversation_id for t in tenders if t.conversation_id is not None]
    entries = (
        await ConversationEntry.filter(conversation_id__in=conversations).order_by("id")
        if conversations
        else []
    )
    offers = await CaseOffer.filter(case_id__in=ids).order_by("id")
    return tenders, list(entries), list(offers)


def _offer_row(offer: CaseOffer) -> dict[str, Any]:
    row = {name: getattr(offer, name) for name in OFFER_EXPORT_FIELDS}
    return {
        name: str(value)
        if name in ("premium", "deductible", "sum_insured") and value
        else _plain(value.isoformat() if name == "valid_until" and value else value)
        for name, value in row.items()
    }


async def _links(contact_id: int, case_ids: list[int]) -> Q:
    return Q(target_type="contact", target_id=contact_id) | Q(
        target_type="case", target_id__in=case_ids or [0]
    )


async def export_of(contact_id: int) -> dict[str, list[dict[str, Any]]]:
    cases = (
        await AdviceCase.filter(contact_id=contact_id)
        .select_related("responsible", "created_by")
        .order_by("id")
    )
    ids = [case.id for case in cases]
    risks = await CaseRisk.filter(case_id__in=ids).order_by("id") if ids else []
    filed = await Document.filter(case_id__in=ids).values("id", "case_id") if ids else []
    links = await JumpLink.filter(await _links(contact_id, ids)).select_related("user")
    tenders, entries, offers = await _tenders_and_offers(ids)
    return {
        "advice_cases": [
            {
                **{name: _plain(getattr(case, name)) for name in CASE_EXPORT_FIELDS},
                "responsible": case.responsible.full_name if case.responsible else "",
                "opened_by": case.created_by.full_name if case.created_by else "",
                "documents": [row["id"] for row in filed if row["case_id"] == case.id],
                "risks": [
                    {
                        "product_line": risk.product_line,
                        "label": risk.label,
                        "attributes": risk.attributes,
                        "created_at": _when(risk.created_at),
                        "updated_at": _when(risk.updated_at),
                    }
                    for risk in risks
                    if risk.case_id == case.id
                ],
                "tenders": [_tender_row(t, entries) for t in tenders if t.case_id == case.id],
                "offers": [_offer_row(o) for o in offers if o.case_id == case.id],
            }
            for case in cases
        ],
        "jump_in_links": [
            {
                "staff_member": link.user.full_name,
                "target": f"{link.target_type} {link.target_id}",
                "created_at": _when(link.created_at),
                "expires_at": _when(link.expires_at),
                "used_at": _when(link.used_at),
            }
            for link in sorted(links, key=lambda link: link.id)
        ],
    }


async def forget(contact_id: int) -> int:
    """Before the contact goes: the jump-in links into it and its cases. Its case count."""
    ids = list(await AdviceCase.filter(contact_id=contact_id).values_list("id", flat=True))
    case_ids = [int(str(case_id)) for case_id in ids]
    await JumpLink.filter(await _links(contact_id, case_ids)).delete()
    return len(case_ids)
