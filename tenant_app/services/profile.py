"""The customer's own profile, as far as the broker lets them change it."""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, PermissionDenied, ValidationFailed
from tenant_app.models.contacts import Contact
from tenant_app.permissions import CustomerRights
from tenant_app.schemas import rules
from tenant_app.schemas.base import checked
from tenant_app.schemas.people import ProfileInput
from tenant_app.services import events
from tenant_app.services.access import access_of, own_contact_id
from tenant_app.services.versions import VERSION_FIELD, save_if_unchanged, version_of
from tenant_app.text import labels

# Name, birthdate and e-mail stay with the broker: they identify the account.
PROFILE_FIELDS = tuple(ProfileInput.model_fields)  # street, country, postal_code, city, phone
# The form also carries the contact's version: staff may change the same contact meanwhile.
PROFILE_FORM_FIELDS = (*PROFILE_FIELDS, VERSION_FIELD)


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


async def profile_page(actor: CurrentUser) -> tuple[Contact | None, bool]:
    """The profile page: the customer's contact if the broker shows it (else None: the page
    then holds only their login, which is always theirs), and whether it is editable."""
    rights = await access_of(own_contact_id(actor), actor)  # came with the session
    if not rights.profile_visible:
        return None, False
    return await own_contact(actor), rights.profile_editable


def form_values(contact: Contact) -> dict[str, Any]:
    """The profile as its form shows it."""
    return {name: getattr(contact, name) for name in PROFILE_FORM_FIELDS}


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
    async with in_transaction():
        return await save_contact_recorded(
            actor,
            contact,
            version=version_of(values),
            changes=profile.model_dump(),
            labels={name: labels.CONTACT_FIELDS[name] for name in PROFILE_FIELDS},
        )


async def save_contact_recorded(
    actor: CurrentUser,
    contact: Contact,
    *,
    version: int | None,
    changes: dict[str, Any],
    labels: dict[str, str],
) -> Contact:
    """Save a contact's edit form (`save_if_unchanged`) and record what it changed, old → new,
    in the caller's transaction: a customer's change goes to the staff, a staff member's to
    nobody (the customer's trail shows it). Saving an unchanged form records nothing."""
    before = contact
    if version is not None and version != contact.version:  # then that later row is the old one
        before = await Contact.get_or_none(id=contact.id) or contact
    await save_if_unchanged(
        Contact, where={"id": contact.id}, version=version, changes=changes, labels=labels
    )
    after = await Contact.get(id=contact.id)
    found = events.changes_between(
        {column: getattr(before, column) for column in changes},
        {column: getattr(after, column) for column in changes},
        changes,
    )
    if found:
        await events.record(
            actor,
            events.PROFILE_CHANGED,
            contact_id=contact.id,
            object_type="contact",
            object_id=contact.id,
            changes=found,
            tell=None if actor.kind == "customer" else events.NOBODY,
        )
    return after


async def own_contact(actor: CurrentUser) -> Contact:
    """The customer's own contact record (name, address) for the profile page."""
    if actor.contact_id is None:
        raise NotFound
    return await Contact.get(id=actor.contact_id)
