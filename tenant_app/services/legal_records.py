"""A contact's legal-duty records in its data export: the legal holds on it, the
data-protection requests it made, its consents (with withdrawals) and the advice
documentation of its cases. The erasure needs nothing here: the rows go with the contact
(ON DELETE CASCADE from the contact and the case); what retention keeps is kept by
services/erasure.py before anything is deleted. Never exported: the storage key of a
request's archive (a technical name)."""

from __future__ import annotations

from typing import Any

from tenant_app.models.legal import AdviceRecord, ConsentRecord, DataRequest, LegalHold
from tenant_app.services.cases import names_of
from tenant_app.services.claim_records import export_value

HOLD_FIELDS = ("id", "document_id", "reason", "set_by_name", "created_at", "released_at")
REQUEST_FIELDS = (
    "id",
    "kind",
    "status",
    "message",
    "due_on",
    "handled_at",
    "outcome",
    "created_at",
)
CONSENT_FIELDS = ("id", "kind", "text_version", "given_at", "withdrawn_at")
ADVICE_FIELDS = (
    "id",
    "case_id",
    "number",
    "wishes",
    "advice",
    "reasons",
    "delivered_at",
    "document_id",
    "read_at",
    "created_at",
)


def _row(row: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: export_value(getattr(row, name)) for name in fields}


async def export_of(contact_id: int) -> dict[str, Any]:
    """`legal_holds`, `data_requests` (who handled each), `consents` (who gave or withdrew
    each) and `advice_records` (who wrote and who delivered each)."""
    holds = await LegalHold.filter(contact_id=contact_id).order_by("id")
    requests = await DataRequest.filter(contact_id=contact_id).order_by("id")
    consents = await ConsentRecord.filter(contact_id=contact_id).order_by("id")
    advice = await AdviceRecord.filter(case__contact_id=contact_id).order_by("case_id", "number")
    names = await names_of(
        [row.handled_by_id for row in requests]
        + [row.given_by_id for row in consents]
        + [row.withdrawn_by_id for row in consents]
        + [row.created_by_id for row in advice]
        + [row.delivered_by_id for row in advice]
    )

    def name(user_id: int | None) -> str:
        return names.get(user_id or 0, "")

    return {
        "legal_holds": [_row(row, HOLD_FIELDS) for row in holds],
        "data_requests": [
            {**_row(row, REQUEST_FIELDS), "handled_by": name(row.handled_by_id)} for row in requests
        ],
        "consents": [
            {
                **_row(row, CONSENT_FIELDS),
                "given_by": name(row.given_by_id),
                "withdrawn_by": name(row.withdrawn_by_id),
            }
            for row in consents
        ],
        "advice_records": [
            {
                **_row(row, ADVICE_FIELDS),
                "written_by": name(row.created_by_id),
                "delivered_by": name(row.delivered_by_id),
            }
            for row in advice
        ],
    }
