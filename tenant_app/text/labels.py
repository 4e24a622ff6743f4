"""Display names of fixed choices, translated when read (so in the request's language)."""

from __future__ import annotations

from collections.abc import Iterator

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
RIGHTS = Labels(
    {
        "sees_all_contacts": N_("Sees all contacts (otherwise only their own)"),
        "handles_tickets": N_("Handles tickets (communication)"),
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
    }
)
CONTRACT_STATUSES = Labels(
    {
        "active": N_("Active"),
        "offer": N_("Offer"),
        "start": N_("Start (to check)"),
        "cancelled": N_("Cancelled"),
        "ended": N_("Ended"),
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
PRODUCT_LINES = (
    "Privathaftpflicht",
    "Hausrat",
    "Wohngebäude",
    "Kfz",
    "Rechtsschutz",
    "Unfall",
    "Berufsunfähigkeit",
    "Risikolebensversicherung",
    "Private Rentenversicherung",
    "Private Krankenversicherung",
    "Krankenzusatz",
    "Pflege",
    "Tierhalterhaftpflicht",
    "Reise",
    "Gewerbe",
    "Bausparen",
    "Fondssparplan",
    "Baufinanzierung",
    "Darlehen",
    "Strom",
    "Gas",
    "Mobilfunk",
    "Internet",
    "Vorsorgevollmacht",
    "Patientenverfügung",
)
