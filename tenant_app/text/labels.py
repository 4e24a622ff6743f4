"""Display names of fixed choices, translated when read (so in the request's language)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from decimal import Decimal

from tenant_app.text.formatting import fmt_date, fmt_money
from tenant_app.text.i18n import gettext


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark for extraction"
    return message


class Labels:
    def __init__(self, pairs: dict[str, str]) -> None:
        self._pairs = pairs

    def __getitem__(self, key: str) -> str:
        return gettext(self._pairs.get(key, key))

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return ((key, gettext(message)) for key, message in self._pairs.items())

    def __contains__(self, key: object) -> bool:
        return key in self._pairs

    def keys(self) -> tuple[str, ...]:
        return tuple(self._pairs)


ROLES = Labels(
    {
        "admin": N_("Administrator"),
        "mitarbeiter": N_("Employee"),
        "netzwerkpartner": N_("Network partner"),
        "experte": N_("Expert"),
        "kunde": N_("Customer"),
    }
)
FOLDERS = Labels(
    {
        "insurance": N_("Insurance"),
        "finance": N_("Finances"),
        "other": N_("Other contracts"),
        "emergency": N_("Emergency folder"),
    }
)
ACCESS = Labels({"none": N_("No access"), "read": N_("Read"), "write": N_("Read and write")})
API_RESOURCES = Labels(  # vocabulary.API_RESOURCES, as the API token form names them
    {
        "contacts": N_("Contacts"),
        "contracts": N_("Contracts"),
        "documents": N_("Documents"),
        "tickets": N_("Tickets"),
        "cases": N_("Advice cases"),
        "imports": N_("Imports"),
        "jump_links": N_("Jump-in links"),
    }
)
RIGHTS = Labels(
    {
        "sees_all_contacts": N_("Sees all contacts (otherwise only their own)"),
        "handles_tickets": N_("Handles tickets (communication)"),
        "handles_chat": N_("Chat: sees and answers the customers' chats"),
        "manages_contacts": N_("Manages contacts and customer accounts"),
        "manages_users": N_("Manages users"),
        "manages_settings": N_("Manages branding and settings"),
    }
)
ACCOUNT_STATES = Labels(
    {
        "none": N_("No user account"),
        "created": N_("Account created, no mail sent"),
        "mail_sent": N_("Registration mail sent"),
        "active": N_("Active"),
        "deactivated": N_("Login deactivated"),
    }
)
CONTRACT_STATUSES = Labels(
    {
        "active": N_("Active"),
        "offer": N_("Offer"),
        "start": N_("Start (to check)"),
        "prospect": N_("Prospect"),
        "cancelled": N_("Cancelled"),
        "ended": N_("Ended"),
    }
)
CASE_STATUSES = Labels(  # an advice case's (Vorgang)
    {
        "open": N_("Open"),
        "in_progress": N_("In advice"),
        "offered": N_("Offer made"),
        "completed": N_("Completed"),
        "cancelled": N_("Called off"),
    }
)
WEBHOOK_EVENT_TYPES = Labels(  # vocabulary.WEBHOOK_EVENT_TYPES, as the webhook form names them
    {
        "contact.created": N_("Contact created"),
        "contact.updated": N_("Contact changed"),
        "contact.deleted": N_("Contact deleted"),
        "contract.created": N_("Contract added"),
        "contract.updated": N_("Contract changed or restored"),
        "contract.deleted": N_("Contract deleted"),
        "document.created": N_("Document uploaded"),
        "document.updated": N_("Document shared with the customer"),
        "document.deleted": N_("Document deleted"),
        "ticket.message": N_("New request or reply"),
        "ticket.closed": N_("Request closed"),
        "case.created": N_("Advice case opened"),
        "case.updated": N_("Advice case changed or closed"),
        "claim.reported": N_("Claim reported"),
        "claim.updated": N_("Claim changed"),
        "offer.accepted": N_("Offer accepted by the customer"),
        "offer.requested": N_("Offer requested by the customer"),
        "chat.message": N_("New chat message"),
    }
)
PAYMENT_FREQUENCIES = Labels(
    {
        "monthly": N_("monthly"),
        "quarterly": N_("quarterly"),
        "half_yearly": N_("half-yearly"),
        "yearly": N_("yearly"),
        "single": N_("single payment"),
    }
)
PAYMENT_METHODS = Labels(
    {
        "direct_debit": N_("Direct debit"),
        "transfer": N_("Bank transfer"),
        "invoice": N_("Invoice"),
        "other": N_("Other"),
    }
)
DOCUMENT_CATEGORIES = Labels(
    {
        "policy": N_("Policy"),
        "application": N_("Application"),
        "invoice": N_("Premium invoice"),
        "correspondence": N_("Correspondence"),
        "claim": N_("Claim"),
        "identity": N_("Identity document"),
        "other": N_("Other"),
    }
)
FOLDER_DESCRIPTIONS = Labels(
    {
        "insurance": N_("Your insurance contracts and policies"),
        "finance": N_("Savings, investments and loans"),
        "other": N_("Other contracts such as energy or mobile phone"),
        "emergency": N_("Important documents for emergencies"),
    }
)
COUNTRIES = Labels({"DE": N_("Germany"), "AT": N_("Austria"), "CH": N_("Switzerland")})
# The contact's fields as the contact form labels them (also what an edit conflict names).
CONTACT_FIELDS = Labels(
    {
        "first_name": N_("First name"),
        "last_name": N_("Last name"),
        "birthdate": N_("Date of birth"),
        "email": N_("E-mail"),
        "company_name": N_("Company (without legal form)"),
        "legal_form": N_("Legal form"),
        "street": N_("Street and number"),
        "postal_code": N_("Postal code"),
        "city": N_("City"),
        "country": N_("Country"),
        "phone": N_("Phone"),
        "customer_number": N_("Customer number"),
    }
)
CONTRACT_FIELDS = Labels(  # besides the three whose label depends on the folder (ContractKind)
    {
        "status": N_("Status"),
        "payment_method": N_("Payment method"),
        "payment_frequency": N_("Payment frequency"),
        "note": N_("Note"),
        "valid_until": N_("Offer valid until"),
    }
)
ACCESS_FLAGS = Labels(
    {"unlock": N_("Unlock"), "share": N_("Data share"), "readonly": N_("Read-only")}
)
ACCESS_MODULES = Labels(
    {
        "profile_visible": N_("Customer can see their profile"),
        "profile_editable": N_("Customer can edit address and phone"),
        "communication": N_("Customer can write to us (tickets)"),
    }
)


def staff_user_fields() -> dict[str, str]:
    """A staff user's columns as the user form labels them (in the request's language)."""
    named = {name: CONTACT_FIELDS[name] for name in ("first_name", "last_name", "email")}
    named |= {"birthdate": CONTACT_FIELDS["birthdate"], "phone": CONTACT_FIELDS["phone"]}
    named |= {"role": gettext("Role")}
    named |= {f"access_{folder}": label for folder, label in FOLDERS}
    return named | dict(RIGHTS)


_CHOICES: Mapping[str, Labels] = {
    "role": ROLES,
    "access_insurance": ACCESS,
    "access_finance": ACCESS,
    "access_other": ACCESS,
    "access_emergency": ACCESS,
    "status": CONTRACT_STATUSES,
    "payment_method": PAYMENT_METHODS,
    "payment_frequency": PAYMENT_FREQUENCIES,
    "country": COUNTRIES,
}


def shown_value(name: str, value: object) -> str:
    """A stored value of field `name` as a page shows it (dates, money, choices by label)."""
    if value is None or value == "":
        return gettext("(empty)")
    if isinstance(value, bool):
        return gettext("on") if value else gettext("off")
    if isinstance(value, Decimal):
        return fmt_money(value)
    if isinstance(value, date):
        return fmt_date(value)
    if name in _CHOICES:
        return _CHOICES[name][str(value)]
    return str(value)
