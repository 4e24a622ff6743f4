"""Prospects (Interessenten) on the staff side: the list, one prospect, its status, deleting
it, and turning it into a contact. Staff who manage contacts only; for anyone else a
prospect does not exist (404)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, PermissionDenied, ValidationFailed
from tenant_app.models.accounts import User
from tenant_app.models.contacts import Contact
from tenant_app.models.leads import Lead
from tenant_app.permissions import can_manage_contacts, can_manage_users
from tenant_app.queries import leads as reads
from tenant_app.schemas.leads import INTERESTS
from tenant_app.schemas.product_lines import line_label
from tenant_app.services import contacts
from tenant_app.text.i18n import gettext as _
from tenant_app.text.labels import N_

STATUSES = ("pending", "new", "contacted", "converted", "dismissed")
OPEN = ("new", "contacted")  # confirmed and not yet dealt with
# Staff see a request once its sender confirmed it (double opt-in): before, the address may
# be someone else's, and nobody may be contacted on it.
CONFIRMED = STATUSES[1:]
STATUS_FILTERS = ("open", *CONFIRMED, "all")
STATUS_LABELS = {
    "pending": N_("Not confirmed yet"),
    "new": N_("New"),
    "contacted": N_("Contacted"),
    "converted": N_("Contact created"),
    "dismissed": N_("Dismissed"),
}
STAFF_MAY_SET = ("new", "contacted", "dismissed")  # converted: by creating the contact


def status_label(status: str) -> str:
    return _(STATUS_LABELS.get(status, status))


def interest_label(key: str) -> str:
    return _("Other") if key == "other" else line_label(key)


def interest_choices() -> list[tuple[str, str]]:
    return [(key, interest_label(key)) for key in INTERESTS]


def _require(actor: CurrentUser) -> None:
    if not actor.is_staff or not can_manage_contacts(actor):
        raise NotFound


@dataclass(frozen=True, slots=True)
class LeadList:
    rows: list[reads.LeadRow]
    page: int
    pages: int
    total: int

    @property
    def page_numbers(self) -> list[int]:
        around = range(max(2, self.page - 2), min(self.pages - 1, self.page + 2) + 1)
        return sorted({1, *around, self.pages})


async def lead_list(actor: CurrentUser, *, status: str, page: int) -> LeadList:
    _require(actor)
    if status == "open":
        statuses: tuple[str, ...] = OPEN
    elif status in CONFIRMED:
        statuses = (status,)
    else:
        statuses = CONFIRMED
    rows, total = await reads.lead_page(statuses=statuses, page=page)
    pages = max(1, -(-total // reads.PER_PAGE))
    return LeadList(rows=rows, page=page, pages=pages, total=total)


async def lead_for(actor: CurrentUser, lead_id: int) -> Lead:
    _require(actor)
    lead = await Lead.get_or_none(id=lead_id)
    if lead is None or lead.status not in CONFIRMED:
        raise NotFound
    return lead


@dataclass(frozen=True, slots=True)
class LinkedContact:
    name: str
    contact_id: int | None  # None: the actor may not open it


async def _linked(actor: CurrentUser, contact_id: int | None) -> LinkedContact | None:
    if contact_id is None:
        return None
    contact = await Contact.get_or_none(id=contact_id, restricted_at=None)  # erased: no one
    if contact is None:
        return None
    try:
        await contacts.get_visible_contact(actor, contact_id)
    except NotFound:
        return LinkedContact(f"{contact.first_name} {contact.last_name[:1]}.", None)
    return LinkedContact(contact.full_name, contact_id)


async def lead_page(actor: CurrentUser, lead_id: int) -> dict[str, Any]:
    """What the prospect's page shows: the request, who recommended it, the contact made."""
    lead = await lead_for(actor, lead_id)
    return {
        "lead": lead,
        "interest": interest_label(lead.interest),
        "status_text": status_label(lead.status),
        "referrer": await _linked(actor, lead.referred_by_id),
        "made_contact": await _linked(actor, lead.contact_id),
    }


async def set_status(actor: CurrentUser, lead_id: int, *, status: str) -> Lead:
    """Contacted, dismissed or back to new: only a confirmed request not yet converted."""
    lead = await lead_for(actor, lead_id)
    if status not in STAFF_MAY_SET or lead.status in ("pending", "converted"):
        raise ValidationFailed({"status": _("This status cannot be set here.")})
    lead.status = status
    await lead.save(update_fields=["status", "updated_at"])
    return lead


async def delete_lead(actor: CurrentUser, lead_id: int) -> None:
    """Gone for good (a prospect's personal data: asked to be forgotten, or spam)."""
    lead = await lead_for(actor, lead_id)
    await Lead.filter(id=lead.id).delete()


def contact_values(lead: Lead) -> dict[str, str]:
    """The contact form, filled with what the prospect gave (the birthdate staff ask for)."""
    return {
        "first_name": lead.first_name,
        "last_name": lead.last_name,
        "email": lead.email,
        "phone": lead.phone,
        "country": "DE",
    }


async def lead_to_convert(actor: CurrentUser, lead_id: int) -> Lead:
    lead = await lead_for(actor, lead_id)
    if lead.status in ("pending", "converted"):
        raise NotFound  # not confirmed, or a contact was made already
    return lead


async def convert_lead(
    actor: CurrentUser, lead_id: int, *, values: dict[str, str], responsible: list[int]
) -> Contact:
    """Create the contact from the form and link the prospect to it, in one transaction."""
    lead = await lead_to_convert(actor, lead_id)
    async with in_transaction():
        contact = await contacts.create_contact(actor, values=values, responsible=responsible)
        done = await Lead.filter(id=lead.id, status__in=OPEN).update(
            status="converted", contact_id=contact.id, updated_at=datetime.now(UTC)
        )
        if done != 1:  # converted by a colleague meanwhile: no second contact
            raise NotFound
    return contact


async def set_receives_leads(actor: CurrentUser, *, user_id: int, on: bool) -> None:
    """Whether a staff member is told of confirmed requests (the user form's checkbox)."""
    if not can_manage_users(actor):
        raise PermissionDenied
    await User.filter(id=user_id, kind="staff").update(receives_leads=on)
