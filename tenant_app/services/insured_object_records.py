"""A contact's insured objects, its applications through insurer interfaces and their calls
in its data export. The erasure needs nothing here: the rows go with the contact (ON DELETE
CASCADE from the contact, the object and the application), the filed papers with its
documents. Never exported: an application's idempotency key (a technical token between the
portal and the insurer); credentials are in none of these rows (calls are kept masked)."""

from __future__ import annotations

from typing import Any

from tenant_app.models.interfaces import InsuredObject, InterfaceApplication, InterfaceCall
from tenant_app.services.cases import names_of
from tenant_app.services.claim_records import export_value

OBJECT_FIELDS = (
    "id",
    "product_line",
    "label",
    "attributes",
    "insurance_state",
    "contract_id",
    "declined_at",
    "created_at",
    "updated_at",
)
APPLICATION_FIELDS = (
    "id",
    "plugin",
    "insured_object_id",
    "case_id",
    "status",
    "step",
    "answers",
    "quote",
    "agent_number",
    "external_id",
    "paper_id",
    "signed_paper_id",
    "signature",
    "signature_record",
    "signed_at",
    "contract_id",
    "last_error",
    "created_at",
    "updated_at",
    "finalized_at",
)
CALL_FIELDS = (
    "operation",
    "method",
    "url",
    "attempt",
    "status_code",
    "request_body",
    "response_body",
    "error",
    "duration_ms",
    "created_at",
)


def _row(row: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: export_value(getattr(row, name)) for name in fields}


async def export_of(contact_id: int) -> dict[str, Any]:
    """`insured_objects` (who added each) and `interface_applications`, each with the calls
    made to the insurer for it."""
    objects = await InsuredObject.filter(contact_id=contact_id).order_by("id")
    applications = await InterfaceApplication.filter(contact_id=contact_id).order_by("id")
    calls = await InterfaceCall.filter(
        application_id__in=[application.id for application in applications] or [0]
    ).order_by("created_at", "id")
    names = await names_of(
        [row.created_by_id for row in objects] + [row.created_by_id for row in applications]
    )
    return {
        "insured_objects": [
            {**_row(row, OBJECT_FIELDS), "added_by": names.get(row.created_by_id or 0, "")}
            for row in objects
        ],
        "interface_applications": [
            {
                **_row(application, APPLICATION_FIELDS),
                "started_by": names.get(application.created_by_id or 0, ""),
                "calls": [
                    _row(call, CALL_FIELDS)
                    for call in calls
                    if call.application_id == application.id
                ],
            }
            for application in applications
        ],
    }
