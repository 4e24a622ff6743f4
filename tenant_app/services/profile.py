"""The customer's own profile, as far as the broker lets them change it."""

from __future__ import annotations

from typing import Any

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, PermissionDenied, ValidationFailed
from tenant_app.models.contacts import Contact
from tenant_app.permissions import CustomerRights
from tenant_app.schemas import rules
from tenant_app.schemas.base import checked
from tenant_app.schemas.people import ProfileInput
from tenant_app.services.access import access_of, own_contact_id

# Name, birthdate and e-mail stay with the broker: they identify the account.
PROFILE_FIELDS = tuple(ProfileInput.model_fields)  # street, postal_code, city, phone


async def _rights(actor: CurrentUser, action: str) -> CustomerRights:
    """NotFound unless the broker shows the profile; `edit` also needs it to be editable."""
    rights = await access_of(own_contact_id(actor), actor)  # came with the session
    if not rights.profile_visible:
        raise NotFound
    if action == "edit" and not rights.profile_editable:
        raise PermissionDenied
    return rights


async def profile_for(actor: CurrentUser, *, action: str = "view") -> tuple[Contact, bool]:
    """The customer's own contact if they may `view` (or `edit`) it, and whether it is editable."""
    rights = await _rights(actor, action)
    return await own_contact(actor), rights.profile_editable


def form_values(contact: Contact) -> dict[str, Any]:
    """The profile as its form shows it."""
    return {name: getattr(contact, name) for name in PROFILE_FIELDS}


async def update_profile(
    actor: CurrentUser, contact: Contact, *, values: dict[str, str]
) -> Contact:
    """Change the customer's own address and phone, where the broker allows it."""
    await _rights(actor, "edit")
    if contact.id != actor.contact_id:
        raise NotFound
    profile, errors = checked(ProfileInput, values)
    # A format message wins over the column's length (setdefault), as the form always showed.
    rules.check_lengths(Contact, {name: values.get(name, "") for name in PROFILE_FIELDS}, errors)
    if errors or profile is None:
        raise ValidationFailed(errors)
    await Contact.filter(id=contact.id).update(**profile.model_dump())
    return await Contact.get(id=contact.id)


async def own_contact(actor: CurrentUser) -> Contact:
    """The customer's own contact record (name, address) for the profile page."""
    if actor.contact_id is None:
        raise NotFound
    return await Contact.get(id=actor.contact_id)
