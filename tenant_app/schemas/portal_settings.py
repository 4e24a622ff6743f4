"""The settings page's "Kunden-App" section: which portal modules are on, the document
categories the invitation preselects, what an accepted offer becomes, and the broker's status
under § 34d GewO with the chamber, for the first information (Erstinformation).

The form sends one checkbox per module (`module_offers`) and per category
(`category_policy`), so that every field is one text, as the settings sections read them."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict

from tenant_app.schemas.base import Flag, FormInput, Text, at_most, one_of
from tenant_app.text.i18n import gettext as _
from tenant_app.text.labels import N_, Labels
from tenant_app.vocabulary import BROKER_STATUSES, CONTRACT_STATUSES, DOCUMENT_CATEGORIES, MODULES

# What the first information (Erstinformation) says the broker is; the settings page
# (templates/staff/settings/_portal_app.html) offers the same words.
BROKER_STATUS_LABELS = Labels(
    {
        "makler": N_("Insurance broker with permission under § 34d (1) GewO"),
        "berater": N_("Insurance consultant with permission under § 34d (2) GewO"),
        "vertreter": N_("Tied insurance agent under § 34d (7) GewO"),
    }
)
ACCEPTED_STATUSES = tuple(s for s in CONTRACT_STATUSES if s != "offer")
MODULE_FIELDS = tuple(f"module_{name}" for name in MODULES)
CATEGORY_FIELDS = tuple(f"category_{name}" for name in DOCUMENT_CATEGORIES)


class PortalSettingsInput(FormInput):
    """One flag per module and per category, and the three choices."""

    model_config = ConfigDict(validate_default=True)

    module_offers: Flag = False
    module_claims: Flag = False
    module_first_information: Flag = False
    module_push: Flag = False
    module_new_customers: Flag = False
    module_chat: Flag = False
    chat_transcripts: Flag = False  # file a transcript when a chat is archived
    category_policy: Flag = False
    category_application: Flag = False
    category_invoice: Flag = False
    category_correspondence: Flag = False
    category_claim: Flag = False
    category_identity: Flag = False
    category_other: Flag = False

    offer_accepted_status: Annotated[
        str, one_of(ACCEPTED_STATUSES, lambda: _("Please choose a contract status."))
    ] = ""
    # What a tender's chosen offer becomes once confirmed (a form without it keeps "start").
    tender_contract_status: Annotated[
        str,
        one_of(ACCEPTED_STATUSES, lambda: _("Please choose a contract status."), blank="start"),
    ] = ""
    broker_status: Annotated[
        str, one_of(BROKER_STATUSES, lambda: _("Please choose your status under § 34d GewO."))
    ] = ""
    broker_chamber: Annotated[Text, at_most(200)] = ""

    def columns(self) -> dict[str, str | bool]:
        """The tenant's columns (comma-lists in the vocabulary's order)."""
        values = self.model_dump()
        return {
            "modules": ",".join(m for m in MODULES if values[f"module_{m}"]),
            "recommended_categories": ",".join(
                c for c in DOCUMENT_CATEGORIES if values[f"category_{c}"]
            ),
            "offer_accepted_status": self.offer_accepted_status,
            "tender_contract_status": self.tender_contract_status,
            "broker_status": self.broker_status,
            "broker_chamber": self.broker_chamber,
            "chat_transcripts": self.chat_transcripts,
        }


PORTAL_SETTINGS_FIELDS = tuple(PortalSettingsInput.model_fields)
assert set(PORTAL_SETTINGS_FIELDS) >= {*MODULE_FIELDS, *CATEGORY_FIELDS}  # the vocabulary's
