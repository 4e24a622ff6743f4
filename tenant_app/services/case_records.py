"""A contact's advice cases in its data export and its erasure (services/erasure.py).

The cases go with the contact (the foreign key cascades), their risks with them, and the
documents filed on them are the contact's documents. Jump-in links into them (or into the
contact) point at nothing afterwards: they go too. The export holds every case with its
risks and the ids of its documents, and the jump-in links made into them (never a secret).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise.expressions import Q

from tenant_app.models.cases import AdviceCase, CaseRisk
from tenant_app.models.folders import Document
from tenant_app.models.integration import JumpLink

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
