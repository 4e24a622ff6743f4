"""View as customer ("Als Kunde ansehen"): the marker a staff session carries.

The marker is a signed cookie naming the contact and the staff session it was set in, bound
to the tenant: it ends with that session (a new login has another id) and when the view is
ended. While it is valid, requests under /portal are served as the customer: the same
handlers and templates with the customer's account and rights, only to read.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from tenant_app.actors import CurrentUser
from tenant_app.models.accounts import User
from tenant_app.models.contacts import Contact
from tenant_app.models.folders import CustomerAccess
from tenant_app.permissions import CustomerRights, can_see_all_contacts, can_view_as_customer
from tenant_app.security import cookies
from tenant_app.settings import Settings
from tenant_app.vocabulary import ACCESS_FIELDS

PURPOSE = "view_as"
PORTAL_PREFIX = "/portal"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class ViewAs:
    """What the banner shows and links back to."""

    staff_id: int
    contact_id: int
    name: str
    has_account: bool


def cookie_name(settings: Settings) -> str:
    return cookies.cookie_name(settings, PURPOSE)


def is_portal_path(path: str) -> bool:
    return path == PORTAL_PREFIX or path.startswith(PORTAL_PREFIX + "/")


def marker(settings: Settings, tenant_id: int, staff: CurrentUser, contact_id: int) -> str:
    return cookies.sign(settings, PURPOSE, tenant_id, f"{staff.session_id}:{contact_id}")


def marked_contact(
    settings: Settings, tenant_id: int, staff: CurrentUser, raw: str | None
) -> int | None:
    """The contact a staff session views the portal as, or None (none, forged, other session)."""
    if not staff.is_staff:
        return None
    value = cookies.unsign(
        settings, PURPOSE, tenant_id, raw, max_age=settings.session_max_hours * 3600
    )
    session_id, _, contact = (value or "").partition(":")
    if not value or session_id != staff.session_id or not contact.isdigit():
        return None
    return int(contact)


async def customer_rights(contact_id: int) -> CustomerRights:
    row = await CustomerAccess.filter(contact_id=contact_id).values(*ACCESS_FIELDS)
    return CustomerRights.from_values(contact_id, row[0] if row else {})


async def staff_may_view(staff: CurrentUser, contact_id: int) -> CustomerRights | None:
    """The contact's rights if the staff member may view the portal as it (asked anew at every
    request: a right taken away ends the view); None if not, or if the contact is not theirs."""
    contacts = Contact.filter(id=contact_id, restricted_at=None)  # not one kept after erasure
    if not can_see_all_contacts(staff):
        contacts = contacts.filter(responsibles__user_id=staff.id)
    if not await contacts.exists():
        return None
    rights = await customer_rights(contact_id)
    return rights if can_view_as_customer(staff, rights) else None


async def viewed_customer(staff: CurrentUser, contact_id: int) -> tuple[CurrentUser, ViewAs] | None:
    """The customer as the portal sees them, marked as viewed by `staff`; None when not allowed.

    The account's own names, id and rights make the pages exactly the customer's (unread
    counts and the profile go by the account id). A contact without an account is shown from
    its permissions alone. The language and CSRF token stay the staff member's: they read it.
    """
    rights = await staff_may_view(staff, contact_id)
    if rights is None:
        return None
    account = (
        await User.filter(contact_id=contact_id, kind="customer")
        .order_by("-is_active", "id")
        .first()
    )
    contact = await Contact.get(id=contact_id)
    source: User | Contact = account or contact
    customer = replace(
        staff,
        id=account.id if account else 0,
        kind="customer",
        role=account.role if account else "kunde",
        username=account.username if account else "",
        email=source.email,
        first_name=source.first_name,
        last_name=source.last_name,
        contact_id=contact_id,
        access_insurance="none",
        access_finance="none",
        access_other="none",
        access_emergency="none",
        sees_all_contacts=False,
        handles_tickets=False,
        handles_chat=False,
        manages_contacts=False,
        manages_users=False,
        manages_settings=False,
        must_change_password=False,
        has_second_factor=False,
        own_contact_id=contact_id,
        linked_contacts=0,
        access=rights,
        viewing_staff_id=staff.id,
    )
    name = f"{contact.first_name} {contact.last_name}".strip()
    return customer, ViewAs(staff.id, contact_id, name, account is not None)
