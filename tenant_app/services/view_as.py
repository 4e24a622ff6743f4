"""View as customer ("Als Kunde ansehen"): starting it; the audit trail records it."""

from __future__ import annotations

from tenant_app.actors import CurrentUser
from tenant_app.errors import PermissionDenied
from tenant_app.models.folders import AuditEntry
from tenant_app.permissions import can_view_as_customer
from tenant_app.services import contacts
from tenant_app.services.access import access_of

VIEWED_AS_CUSTOMER = "viewed_as_customer"


async def start(actor: CurrentUser, *, contact_id: int) -> int:
    """Allow the view and record it (who, whose portal; nothing personal in the details).

    NotFound if the contact is not one the actor sees, PermissionDenied without the right."""
    contact = await contacts.get_visible_contact(actor, contact_id)
    if not can_view_as_customer(actor, await access_of(contact.id)):
        raise PermissionDenied
    await AuditEntry.create(action=VIEWED_AS_CUSTOMER, actor_id=actor.id, subject_id=contact.id)
    return contact.id
