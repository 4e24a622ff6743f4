"""The customer's own profile, as far as the broker lets them change it."""

from __future__ import annotations

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, ValidationFailed
from tenant_app.models.contacts import Contact
from tenant_app.services import validation
from tenant_app.text.i18n import gettext as _

# Name, birthdate and e-mail stay with the broker: they identify the account.
PROFILE_FIELDS = ("street", "postal_code", "city", "phone")


async def update_profile(
    actor: CurrentUser, contact: Contact, *, values: dict[str, str]
) -> Contact:
    errors: dict[str, str] = {}
    validation.check_lengths(
        Contact, {name: values.get(name, "") for name in PROFILE_FIELDS}, errors
    )
    code = values.get("postal_code", "").strip()
    if code and not (code.isdigit() and len(code) == 5):
        errors["postal_code"] = _("Please enter a postal code with five digits.")
    phone = values.get("phone", "").strip()
    if phone and not all(c.isdigit() or c in " +-/()" for c in phone):
        errors["phone"] = _("Please enter a phone number using digits, spaces and + - / ( ).")
    if errors:
        raise ValidationFailed(errors)
    await Contact.filter(id=contact.id).update(
        **{name: values.get(name, "").strip() for name in PROFILE_FIELDS}
    )
    return await Contact.get(id=contact.id)


async def own_contact(actor: CurrentUser) -> Contact:
    """The customer's own contact record (name, address) for the profile page."""
    if actor.contact_id is None:
        raise NotFound
    return await Contact.get(id=actor.contact_id)
