"""View as customer ("Als Kunde ansehen"): starting it; the audit trail and the event stream
record it."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import PermissionDenied
from tenant_app.models.folders import AuditEntry
from tenant_app.permissions import can_view_as_customer
from tenant_app.services import contacts, events
from tenant_app.services.access import access_of

VIEWED_AS_CUSTOMER = events.VIEWED_AS_CUSTOMER


async def start(actor: CurrentUser, *, contact_id: int) -> int:
    """Allow the view and record it (who, whose portal; nothing personal in the details).

    NotFound if the contact is not one the actor sees, PermissionDenied without the right."""
    contact = await contacts.get_visible_contact(actor, contact_id)
    if not can_view_as_customer(actor, await access_of(contact.id)):
        raise PermissionDenied
    async with in_transaction():
        await AuditEntry.create(action=VIEWED_AS_CUSTOMER, actor_id=actor.id, subject_id=contact.id)
        # and in the event stream, for the customer's access trail (told to nobody)
        await events.record(
            actor,
            events.VIEWED_AS_CUSTOMER,
            contact_id=contact.id,
            object_type="contact",
            object_id=contact.id,
            tell=events.NOBODY,
        )
    return contact.id
