"""The broker profile (Maklerprofil): what the tenant admin says about the firm on the
settings page, and what the customer's portal home shows of it, with an "Ihr Berater" card
for the contact's responsible staff member.

The profile lives on the tenant row and shares the settings page's edit lock
(`Tenant.version`): a save from a form loaded before someone else saved the settings changes
nothing and says what is stored now.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tenant_app.actors import CurrentUser
from tenant_app.errors import PermissionDenied, ValidationFailed
from tenant_app.models.scoping import current_tenant_id
from tenant_app.models.tenancy import Tenant
from tenant_app.permissions import CustomerRights, can_manage_settings
from tenant_app.queries import broker_profile as reads
from tenant_app.schemas.base import checked
from tenant_app.schemas.broker_profile import BROKER_PROFILE_FIELDS, BrokerProfileInput
from tenant_app.services import portal_settings
from tenant_app.services.access import own_contact_id
from tenant_app.tenancy import current_tenant
from tenant_app.text import legal_rules
from tenant_app.text.labels import N_, Labels

LEGAL_COLUMNS = (  # the imprint's and signature's own fields (text/legal_rules.py)
    *("broker_representatives", "broker_board_chair", "broker_seat", "broker_register_court"),
    *("broker_trade_register", "broker_vat_id", "broker_partner_name", "broker_partner_seat"),
    *("broker_partner_register_court", "broker_partner_trade_register"),
    *("broker_partner_representatives", "broker_chamber_address", "broker_holdings"),
)
# The form's fields as it labels them (also what an edit conflict names).
PROFILE_LABELS = Labels(
    {
        "broker_firm_name": N_("Firm name"),
        "broker_legal_form": N_("Legal form"),
        "broker_phone": N_("Phone"),
        "broker_street": N_("Street and number"),
        "broker_postal_code": N_("Postal code"),
        "broker_city": N_("City"),
        "broker_email": N_("E-mail"),
        "broker_opening_hours": N_("Opening hours"),
        "broker_register_number": N_("Broker register number"),
        "broker_number": N_("Broker ID"),
        **{column: legal_rules.COLUMN_LABELS[column] for column in LEGAL_COLUMNS},
    }
)
SAVED_AUDIT = "broker_profile_saved"  # AuditEntry.action
_TEL_KEEP = re.compile(r"[^0-9+]")


def tel_href(phone: str) -> str:
    """A phone number as a tel: link ("+49 (0)221 123-4" -> "tel:+492211234")."""
    number = phone.replace("(0)", "") if phone.strip().startswith("+") else phone
    return "tel:" + _TEL_KEEP.sub("", number)


async def profile_form(actor: CurrentUser) -> dict[str, str]:
    """The settings section's starting values with the settings' version."""
    if not can_manage_settings(actor):
        raise PermissionDenied
    row = await Tenant.filter(id=current_tenant_id()).values(*BROKER_PROFILE_FIELDS, "version")
    return {name: str(value) for name, value in row[0].items()}


async def save_profile(actor: CurrentUser, *, values: dict[str, str]) -> dict[str, Any]:
    """Validate and store the whole profile at once, if nobody saved the settings since the
    form was loaded (EditConflict otherwise); ValidationFailed with a message per bad field.
    Either way a refused save changes nothing. Returns the stored values."""
    if not can_manage_settings(actor):
        raise PermissionDenied
    profile, errors = checked(BrokerProfileInput, values)
    if profile is not None:
        errors = profile.register_errors()
    if errors or profile is None:
        raise ValidationFailed(errors)
    changes = profile.model_dump()
    await portal_settings.save_section(
        actor, values=values, changes=changes, labels=PROFILE_LABELS, audit=SAVED_AUDIT
    )
    return changes


@dataclass(frozen=True, slots=True)
class BrokerCard:
    """What the portal home shows of the firm; empty strings are left out by the page."""

    name: str  # firm name and legal form ("Muster & Partner Versicherungsmakler GmbH")
    street: str
    place: str  # "50667 Köln"
    phone: str
    phone_href: str
    email: str
    opening_hours: list[str]  # lines as entered
    register_number: str
    broker_number: str


@dataclass(frozen=True, slots=True)
class AdvisorCard:
    """The contact's responsible staff member ("Ihr Berater")."""

    id: int
    name: str
    phone: str
    phone_href: str
    email: str
    can_write: bool  # communication is on and the member receives customers' messages
    photo_version: str  # "" without a photo; else a part of its key, for the picture's URL


@dataclass(frozen=True, slots=True)
class HomeCards:
    broker: BrokerCard | None  # None: nothing of the profile filled in
    advisor: AdvisorCard | None  # None: no active responsible staff member


def _broker(row: dict[str, Any], tenant_name: str) -> BrokerCard | None:
    text = {column: str(row[column] or "") for column in reads.PROFILE_COLUMNS}
    if not any(text.values()):
        return None
    name = " ".join(part for part in (text["broker_firm_name"], text["broker_legal_form"]) if part)
    place = " ".join(part for part in (text["broker_postal_code"], text["broker_city"]) if part)
    phone = text["broker_phone"]
    return BrokerCard(
        name=name if text["broker_firm_name"] else tenant_name,
        street=text["broker_street"],
        place=place,
        phone=phone,
        phone_href=tel_href(phone) if phone else "",
        email=text["broker_email"],
        opening_hours=[line for line in text["broker_opening_hours"].splitlines() if line],
        register_number=text["broker_register_number"],
        broker_number=text["broker_number"],
    )


def _advisor(row: dict[str, Any], rights: CustomerRights) -> AdvisorCard | None:
    if row["advisor_id"] is None:
        return None
    phone = str(row["advisor_phone"] or "")
    receives = row["advisor_role"] == "admin" or bool(row["advisor_handles_tickets"])
    name = f"{row['advisor_first_name'] or ''} {row['advisor_last_name'] or ''}".strip()
    return AdvisorCard(
        id=int(row["advisor_id"]),
        name=name,
        phone=phone,
        phone_href=tel_href(phone) if phone else "",
        email=str(row["advisor_email"] or ""),
        can_write=bool(rights.communication) and receives,
        photo_version=str(row["advisor_photo_key"] or "")[-12:],
    )


async def home_cards(actor: CurrentUser, rights: CustomerRights) -> HomeCards:
    """The broker card and the advisor card of the contact the portal shows (one query)."""
    row = await reads.portal_cards(own_contact_id(actor))
    return HomeCards(_broker(row, current_tenant().name), _advisor(row, rights))
