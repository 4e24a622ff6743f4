"""Contacts as the broker's system keeps them in step (the JSON API): pages in id order
after a cursor, changed since a moment; external ids, unique per tenant; partial changes,
upserts, permissions and erasure guarded by the version. The checks and the writes are the
staff's use cases (contacts, access, erasure), so the API and the forms agree on what a
valid contact is and record the same."""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, TypeVar

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Case, Q, When

from tenant_app.actors import CurrentUser
from tenant_app.errors import EditConflict, NotFound, PermissionDenied, ValidationFailed
from tenant_app.files.storage import Storage
from tenant_app.models.accounts import User
from tenant_app.models.contacts import Contact
from tenant_app.permissions import CustomerRights, can_use_staff_area
from tenant_app.schemas.people import CONTACT_FIELDS
from tenant_app.services import access, contacts, erasure
from tenant_app.services.versions import MAX_VERSION, VERSION_FIELD
from tenant_app.settings import Settings
from tenant_app.text.i18n import gettext as _
from tenant_app.text.labels import N_

T = TypeVar("T")
AccountState = Literal["none", "created", "active", "deactivated"]  # "created": not registered
EXTERNAL_ID_TAKEN = N_("Another contact already has this external ID.")
NO_CONTACT = N_("There is no such contact.")
NAME_THE_CONTACT = N_("Please name the contact by contact_id or by contact_external_id.")
_SEARCHED = ("first_name", "last_name", "email", "customer_number", "company_name")


@dataclass(frozen=True)
class SyncedContact:
    contact: Contact
    account_state: AccountState


async def contact_page(
    actor: CurrentUser,
    *,
    after_id: int,
    limit: int,
    updated_since: datetime | None = None,
    external_id: str | None = None,
    customer_number: str | None = None,
    search: str | None = None,
) -> list[SyncedContact]:
    """Up to `limit + 1` visible contacts after `after_id`, in id order (one more than
    `limit`: there is a next page). Two queries, however many rows."""
    if not can_use_staff_area(actor):
        raise PermissionDenied
    rows = contacts.contacts_visible_to(actor).filter(id__gt=after_id)
    if updated_since is not None:
        rows = rows.filter(updated_at__gte=updated_since)
    if external_id:
        rows = rows.filter(external_id=external_id)
    if customer_number:
        rows = rows.filter(customer_number=customer_number)
    if search and search.strip():
        term = search.strip()
        anywhere = Q(*(Q(**{f"{name}__icontains": term}) for name in _SEARCHED), join_type="OR")
        rows = rows.filter(anywhere)
    return await _with_accounts(list(await rows.order_by("id").limit(limit + 1)))


async def _with_accounts(found: list[Contact]) -> list[SyncedContact]:
    """The contacts with the state of their portal logins, read in one query."""
    if not found:
        return []
    rows = (
        await User.filter(contact_id__in=[contact.id for contact in found], kind="customer")
        .annotate(registered=Case(When(password_hash__isnull=True, then="no"), default="yes"))
        .values("contact_id", "is_active", "registered")
    )
    states: dict[int, AccountState] = {
        row["contact_id"]: _state(row["is_active"], row["registered"] == "yes") for row in rows
    }
    return [SyncedContact(contact, states.get(contact.id, "none")) for contact in found]


def _state(is_active: bool, registered: bool) -> AccountState:
    if not is_active:
        return "deactivated"
    return "active" if registered else "created"


async def synced(contact: Contact) -> SyncedContact:
    return (await _with_accounts([contact]))[0]


async def contact_for(actor: CurrentUser, contact_id: int) -> SyncedContact:
    return await synced(await contacts.get_visible_contact(actor, contact_id))


async def contact_by_external_id(actor: CurrentUser, external_id: str) -> Contact | None:
    """The contact with this external id, None if none has it (NotFound if not visible)."""
    found = await Contact.filter(external_id=external_id).first()
    return None if found is None else await contacts.get_visible_contact(actor, found.id)


async def contact_named(
    actor: CurrentUser, contact_id: int | None, contact_external_id: str | None
) -> int:
    """The contact a request names, by exactly one of its ids (422 for one not visible)."""
    if (contact_id is None) == (contact_external_id is None):
        raise ValidationFailed({"contact_id": _(NAME_THE_CONTACT)})
    field = "contact_id" if contact_id is not None else "contact_external_id"
    try:
        if contact_id is not None:
            return (await contacts.get_visible_contact(actor, contact_id)).id
        found = await contact_by_external_id(actor, str(contact_external_id))
    except NotFound:
        found = None
    if found is None:
        raise ValidationFailed({field: _(NO_CONTACT)})
    return found.id


async def add_contact(
    actor: CurrentUser, *, values: Mapping[str, Any], external_id: str | None
) -> SyncedContact:
    """A new contact through the staff's use case, with the broker system's id."""
    await _check_external_id(external_id)
    contact = await _unique(
        contacts.create_contact(actor, values=form_text(values), external_id=external_id)
    )
    return SyncedContact(contact, "none")


async def change_contact(
    actor: CurrentUser, contact_id: int, *, version: int, changes: Mapping[str, Any]
) -> SyncedContact:
    """Change the fields in `changes` (the others stay) if the contact is still at
    `version` (else EditConflict): the staff edit form's use case with the stored values."""
    contact = await contacts.contact_to_manage(actor, contact_id)
    columns: dict[str, Any] = {}
    if "external_id" in changes:
        columns["external_id"] = changes["external_id"]
        await _check_external_id(columns["external_id"], except_id=contact.id)
    sent = {name: value for name, value in changes.items() if name != "external_id"}
    values = _stored(contact) | form_text(sent) | {VERSION_FIELD: str(version)}
    changed = await _unique(
        contacts.update_contact(
            actor, contact, values=values, responsible=None, more_columns=columns
        )
    )
    return await synced(changed)


async def replace_contact(
    actor: CurrentUser, contact: Contact, *, version: int, values: Mapping[str, Any]
) -> SyncedContact:
    """An upsert of an existing contact: every field as sent (an omitted one is empty)."""
    return await change_contact(actor, contact.id, version=version, changes=values)


async def erase_contact(
    actor: CurrentUser,
    store: Storage,
    *,
    contact_id: int,
    version: int,
    settings: Settings | None = None,
) -> None:
    """Erase the contact as staff do (what the law keeps is restricted), if it is still at
    `version` (EditConflict otherwise: the client has not seen the last change)."""
    contact = await contacts.contact_to_manage(actor, contact_id)
    await erasure.delete_contact(
        actor, store, contact, confirmation=contact.last_name, version=version, settings=settings
    )


async def contact_permissions(actor: CurrentUser, contact_id: int) -> tuple[CustomerRights, int]:
    """The customer's permissions and their version (0: never saved)."""
    contact = await contacts.get_visible_contact(actor, contact_id)
    return await access.access_form(actor, contact_id=contact.id)


async def set_contact_permissions(
    actor: CurrentUser, contact_id: int, *, flags: dict[str, bool], version: int
) -> tuple[CustomerRights, int]:
    """Save all permissions at once, as the staff's permission page does."""
    _rights, stored = await contact_permissions(actor, contact_id)
    if stored == 0 and version != 0:  # none saved yet: only "0" is current
        raise EditConflict({}, version=0)
    known = version if version <= MAX_VERSION else None  # None: stale
    await access.save_access(actor, contact_id=contact_id, flags=flags, version=known)
    return await access.access_form(actor, contact_id=contact_id)


def form_text(values: Mapping[str, Any]) -> dict[str, str]:
    """Checked JSON values as a form sends them (the use cases read text): ISO dates,
    amounts with a decimal point, nothing as ""."""
    return {name: _as_text(value) for name, value in values.items()}


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def _stored(contact: Contact) -> dict[str, str]:
    return form_text({name: getattr(contact, name) for name in CONTACT_FIELDS})


async def _check_external_id(external_id: str | None, *, except_id: int | None = None) -> None:
    if external_id is None:
        return
    same = Contact.filter(external_id=external_id)
    if except_id is not None:
        same = same.exclude(id=except_id)
    if await same.exists():
        raise ValidationFailed({"external_id": _(EXTERNAL_ID_TAKEN)})


async def _unique(write: Awaitable[T]) -> T:
    """The write, or ValidationFailed when another request took its external id between
    the check and the write (the constraint decides; the use case's transaction is undone)."""
    try:
        return await write
    except IntegrityError:
        raise ValidationFailed({"external_id": _(EXTERNAL_ID_TAKEN)}) from None
