"""A contact's invitations in its export, and what erasing it leaves of them: its invitation
rows go with the contact (cascade); the batches that invited it forget its id and name."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from tenant_app.models.engagement import Invitation, InvitationBatch

EXPORTED = (
    "created_at",
    "address_form",
    "share_mode",
    "categories",
    "first_information_opened_at",
    "revoked_at",
)


async def export_of(contact_id: int) -> dict[str, Any]:
    rows = await Invitation.filter(contact_id=contact_id).order_by("created_at", "id")
    return {
        "invitations": [{name: _plain(getattr(row, name)) for name in EXPORTED} for row in rows]
    }


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


async def forget(contact_id: int) -> None:
    """Remove the contact from every batch that listed it (its report line names it): its id
    becomes 0 (a running batch keeps its positions and reports it as not found). In the
    erasure's transaction; only the batches naming it are rewritten."""
    async with in_transaction():
        for batch in await InvitationBatch.all().only("id", "contact_ids", "report"):
            if contact_id not in batch.contact_ids:
                continue
            kept = [line for line in batch.report if line.get("contact_id") != contact_id]
            await InvitationBatch.filter(id=batch.id).update(
                contact_ids=[0 if c == contact_id else c for c in batch.contact_ids], report=kept
            )
