"""A contact's prospect requests (Kunde werden) in its export and erasure.

The request a contact was made from is the person's own data: exported with the consent
they gave, and erased with them. Requests the contact recommended are other people's:
they stay (the database forgets who recommended them: SET NULL); the export says only how
many there were.
"""

from __future__ import annotations

from typing import Any

from tenant_app.models.leads import Lead

LEAD_EXPORT_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "interest",
    "message",
    "consent_text",
    "status",
    "created_at",
    "confirmed_at",
)


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


async def export_of(contact_id: int) -> dict[str, Any]:
    own = await Lead.filter(contact_id=contact_id).order_by("id")
    return {
        "prospect_requests": [
            {name: _plain(getattr(lead, name)) for name in LEAD_EXPORT_FIELDS} for lead in own
        ],
        "recommendations": await Lead.filter(referred_by_id=contact_id).count(),
    }


async def forget(contact_id: int) -> int:
    """Before the contact goes: the requests it was made from. How many."""
    gone: int = await Lead.filter(contact_id=contact_id).delete()
    return gone
