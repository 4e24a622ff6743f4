"""Contacts: creating them and finding the ones a staff member may see."""

from __future__ import annotations

from typing import Any

from tortoise.expressions import Q

from tenant_app.errors import NotFound, PermissionDenied, ValidationFailed
from tenant_app.i18n import gettext as _
from tenant_app.models.accounts import User
from tenant_app.models.contacts import Contact, ContactResponsible
from tenant_app.permissions import can_manage_contacts, can_see_all_contacts
from tenant_app.services import validation
from tenant_app.tenancy import TenantInfo

CONTACT_FIELDS = (
    "first_name",
    "last_name",
    "birthdate",
    "email",
    "company_name",
    "legal_form",
    "street",
    "postal_code",
    "city",
    "phone",
    "customer_number",
)
PAGE_SIZE = 50


def _scope_for(actor: Any) -> Any:
    """Contacts the actor may see: all of them, or those they are responsible for."""
    if can_see_all_contacts(actor):
        return Contact.all()
    return Contact.filter(responsibles__user_id=actor.id)


async def visible_contacts(actor: Any, *, search: str = "") -> list[Contact]:
    query = _scope_for(actor)
    term = search.strip()
    if term:
        query = query.filter(
            Q(first_name__icontains=term)
            | Q(last_name__icontains=term)
            | Q(email__icontains=term)
            | Q(customer_number__icontains=term)
        )
    return list(await query.order_by("last_name", "first_name").limit(PAGE_SIZE))


async def get_visible_contact(actor: Any, contact_id: int) -> Contact:
    """404 whether the contact does not exist, is another tenant's or not the actor's."""
    contact = await _scope_for(actor).filter(id=contact_id).first()
    if contact is None:
        raise NotFound
    return contact


async def create_contact(tenant: TenantInfo, actor: Any, *, values: dict[str, str]) -> Contact:
    if not can_manage_contacts(actor):
        raise PermissionDenied
    errors: dict[str, str] = {}
    validation.required(values, errors, "first_name", "last_name")
    if message := validation.email_error(values.get("email", "")):
        errors["email"] = message
    birthdate, message = validation.birthdate_error(values.get("birthdate", ""))
    if message:
        errors["birthdate"] = message
    email = values.get("email", "").strip().lower()
    if "email" not in errors and (
        await Contact.filter(email=email).exists() or await User.filter(email=email).exists()
    ):
        errors["email"] = _("There is already a contact or user with this e-mail address.")
    if errors:
        raise ValidationFailed(errors)
    clean: dict[str, Any] = {name: values.get(name, "").strip() for name in CONTACT_FIELDS}
    clean["email"] = email
    clean["birthdate"] = birthdate
    contact = await Contact.create(**clean)
    if not can_see_all_contacts(actor):  # the creator stays responsible, so they can find it again
        await ContactResponsible.create(contact_id=contact.id, user_id=actor.id)
    return contact
