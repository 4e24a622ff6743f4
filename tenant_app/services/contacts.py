"""Contacts: creating, changing and finding the ones a staff member may see."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, PermissionDenied, ValidationFailed
from tenant_app.models.accounts import User
from tenant_app.models.contacts import Contact, ContactResponsible
from tenant_app.permissions import can_manage_contacts, can_see_all_contacts, can_use_staff_area
from tenant_app.queries import contacts as contact_reads
from tenant_app.queries.contacts import ContactPage
from tenant_app.schemas import rules
from tenant_app.schemas.base import checked
from tenant_app.schemas.people import ContactInput
from tenant_app.services import events
from tenant_app.services.profile import save_contact_recorded
from tenant_app.services.unique import write_unless_taken
from tenant_app.services.versions import version_of
from tenant_app.text import labels
from tenant_app.text.i18n import gettext as _
from tenant_app.text.labels import N_

T = TypeVar("T", bound=Model)


def _scope_for(actor: CurrentUser) -> QuerySet[Contact]:
    """Contacts the actor may see: all of them, or those they are responsible for."""
    if can_see_all_contacts(actor):
        return Contact.filter(restricted_at=None)  # retained for legal reasons: hidden
    return Contact.filter(responsibles__user_id=actor.id, restricted_at=None)


def of_visible_contacts(actor: CurrentUser, rows: QuerySet[T]) -> QuerySet[T]:
    """Rows of a model that belongs to a contact (its `contact` relation), limited to the
    contacts the actor may see: the same rule as `contacts_visible_to`, one join."""
    if can_see_all_contacts(actor):
        return rows.filter(contact__restricted_at=None)  # retained for legal reasons: hidden
    return rows.filter(contact__responsibles__user_id=actor.id, contact__restricted_at=None)


def contacts_visible_to(actor: CurrentUser) -> QuerySet[Contact]:
    """The contacts the actor may see, to be filtered further (the API's lists)."""
    return _scope_for(actor)


async def get_visible_contact(actor: CurrentUser, contact_id: int) -> Contact:
    """404 whether the contact does not exist, is another tenant's or not the actor's."""
    contact = await _scope_for(actor).filter(id=contact_id).first()
    if contact is None:
        raise NotFound
    return contact


async def contact_to_manage(actor: CurrentUser, contact_id: int) -> Contact:
    """A visible contact the actor may change: 404 if it is not visible, 403 if only visible."""
    contact = await get_visible_contact(actor, contact_id)
    if not can_manage_contacts(actor):
        raise PermissionDenied
    return contact


EMAIL_TAKEN = N_("There is already a contact or user with this e-mail address.")


async def _clean(values: dict[str, str], *, except_contact: int | None = None) -> dict[str, Any]:
    """The contact's columns from the form, or ValidationFailed with a message per field."""
    contact, errors = checked(ContactInput, values)
    if contact is not None or "email" not in errors:
        email = contact.email if contact else values.get("email", "").strip().lower()
        if await _email_taken(email, except_contact=except_contact):
            errors["email"] = _(EMAIL_TAKEN)
    rules.check_lengths(Contact, values, errors)
    if errors or contact is None:
        raise ValidationFailed(errors)
    return contact.model_dump()


async def _email_taken(email: str, *, except_contact: int | None) -> bool:
    same_contact = Contact.filter(email=email)
    same_user = User.filter(email=email)
    if except_contact is not None:
        same_contact = same_contact.exclude(id=except_contact)
        # Staff accounts have no contact (NULL), so a plain exclude() would skip them.
        same_user = same_user.filter(Q(contact_id__isnull=True) | Q(contact_id__not=except_contact))
    return await same_contact.exists() or await same_user.exists()


async def create_contact(
    actor: CurrentUser,
    *,
    values: dict[str, str],
    responsible: list[int] | None = None,
    external_id: str | None = None,  # the broker's system's id (the API); unique per tenant
) -> Contact:
    if not can_manage_contacts(actor):
        raise PermissionDenied
    clean = await _clean(values)
    staff_ids = set(responsible or [])
    if not can_see_all_contacts(actor):  # the creator stays responsible, so they can find it again
        staff_ids.add(actor.id)
    async with in_transaction():
        contact = await Contact.create(**clean, external_id=external_id)
        await set_responsible(contact, staff_ids)
        await events.record(  # for the webhooks (and the export); told to nobody
            actor,
            events.CONTACT_ADDED,
            contact_id=contact.id,
            object_type="contact",
            object_id=contact.id,
            tell=events.NOBODY,
        )
    return contact


async def update_contact(
    actor: CurrentUser,
    contact: Contact,
    *,
    values: dict[str, str],
    responsible: list[int] | None,
    more_columns: Mapping[str, Any] | None = None,
) -> Contact:
    """Save the edit form (`values` with its version). `responsible` None keeps them;
    `more_columns` the form does not have (the API's `external_id`) are written with it."""
    if not can_manage_contacts(actor):
        raise PermissionDenied
    clean = await _clean(values, except_contact=contact.id)
    async with in_transaction():  # contact, account and responsibles change together or not at all
        await save_contact_recorded(  # recorded for the customer's trail, told to nobody
            actor,
            contact,
            version=version_of(values),
            changes=clean,
            labels=dict(labels.CONTACT_FIELDS),
        )
        followed = await write_unless_taken(  # the account follows name and e-mail
            lambda: User.filter(contact_id=contact.id).update(
                first_name=clean["first_name"],
                last_name=clean["last_name"],
                email=clean["email"],
                birthdate=clean["birthdate"],
            )
        )
        if followed is None:  # a login took the address after the check: nothing is saved
            raise ValidationFailed({"email": _(EMAIL_TAKEN)})
        # The row stays ours until the commit: the version just written covers these too.
        if more_columns:
            await Contact.filter(id=contact.id).update(**more_columns)
        if responsible is not None:
            await set_responsible(contact, set(responsible))
    return await Contact.get(id=contact.id)


async def set_responsible(contact: Contact, staff_ids: set[int]) -> None:
    valid = set(
        await User.filter(id__in=list(staff_ids), kind="staff").values_list("id", flat=True)
    )
    await ContactResponsible.filter(contact_id=contact.id).exclude(user_id__in=list(valid)).delete()
    existing = set(
        await ContactResponsible.filter(contact_id=contact.id).values_list("user_id", flat=True)
    )
    for user_id in sorted(valid - existing):
        await ContactResponsible.create(contact_id=contact.id, user_id=user_id)


async def responsible_ids(contact_id: int) -> list[int]:
    rows = await ContactResponsible.filter(contact_id=contact_id).values_list("user_id", flat=True)
    return [int(str(user_id)) for user_id in rows]


async def staff_choices() -> list[User]:
    return list(await User.filter(kind="staff", is_active=True).order_by("last_name", "first_name"))


async def visible_contacts(
    actor: CurrentUser, *, search: str = "", sort: str = "name", page: int = 1
) -> ContactPage:
    """One page of the contacts the actor may see: all, or those they are responsible for."""
    if not can_use_staff_area(actor):
        raise PermissionDenied
    return await contact_reads.visible_contacts(actor, search=search, sort=sort, page=page)
