"""A contact's offer acceptances and offer requests in its export. Both go with the contact
when it is erased (their rows cascade; the receipts are its documents)."""

from __future__ import annotations

from typing import Any

from tenant_app.models.engagement import OfferAcceptance, OfferRequest

ACCEPTANCE_EXPORT_FIELDS = (
    "contract_id",
    "user_name",
    "text",
    "client",
    "user_agent",
    "new_status",
    "receipt_id",
    "created_at",
)
REQUEST_EXPORT_FIELDS = (
    "product_line",
    "description",
    "status",
    "conversation_id",
    "offer_id",
    "created_at",
    "updated_at",
)


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


async def export_of(contact_id: int) -> dict[str, Any]:
    accepted = await OfferAcceptance.filter(contact_id=contact_id).order_by("id")
    requested = await OfferRequest.filter(contact_id=contact_id).order_by("id")
    return {
        "offer_acceptances": [
            {name: _plain(getattr(row, name)) for name in ACCEPTANCE_EXPORT_FIELDS}
            for row in accepted
        ],
        "offer_requests": [
            {name: _plain(getattr(row, name)) for name in REQUEST_EXPORT_FIELDS}
            for row in requested
        ],
    }
