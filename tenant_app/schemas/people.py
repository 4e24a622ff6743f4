"""People's data: contacts (customers), the customer's own profile, and staff users."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, ValidationInfo, field_validator

from tenant_app.schemas.base import (
    Birthdate,
    Email,
    Flag,
    FormInput,
    Required,
    Text,
    fail,
    one_of,
)
from tenant_app.text.i18n import gettext as _
from tenant_app.text.labels import COUNTRIES as COUNTRY_LABELS
from tenant_app.vocabulary import COUNTRIES, FOLDER_LEVELS, POSTCODE_DIGITS, STAFF_ROLES

# A blank country is Germany (the column's default); anything else must be one we know.
Country = Annotated[str, one_of(COUNTRIES, lambda: _("Please choose a country."), blank="DE")]


def postal_code_for(value: object, info: ValidationInfo) -> str:
    """Blank, or as many digits as the country's postcodes have (DE 5, AT and CH 4). The
    country field comes first in the model, so it is checked (and known) by now."""
    code = str(value or "").strip()
    country = info.data.get("country")
    if code and country in POSTCODE_DIGITS:
        digits = POSTCODE_DIGITS[country]
        if not (code.isascii() and code.isdigit() and len(code) == digits):
            raise fail(
                _(
                    "Postal code for %(country)s: %(n)s digits, please.",
                    country=COUNTRY_LABELS[country],
                    n=digits,
                )
            )
    return code


class ContactInput(FormInput):
    """A contact as staff enter it (Kontakt anlegen / bearbeiten)."""

    first_name: Required
    last_name: Required
    email: Email
    birthdate: Birthdate
    company_name: Text = ""
    legal_form: Text = ""
    street: Text = ""
    country: Country = "DE"
    postal_code: str = ""
    city: Text = ""
    phone: Text = ""
    customer_number: Text = ""

    @field_validator("postal_code", mode="before")
    @classmethod
    def _check_postal_code(cls, value: object, info: ValidationInfo) -> str:
        return postal_code_for(value, info)


CONTACT_FIELDS = tuple(ContactInput.model_fields)


def _phone(value: object) -> str:
    phone = str(value or "").strip()
    if phone and not all(c.isdigit() or c in " +-/()" for c in phone):
        raise fail(_("Please enter a phone number using digits, spaces and + - / ( )."))
    return phone


Phone = Annotated[str, BeforeValidator(_phone)]  # blank or digits, spaces and + - / ( )


class ProfileInput(FormInput):
    """The customer's own address and phone (Mein Profil); name and e-mail stay with the broker."""

    street: Text = ""
    country: Country = "DE"
    postal_code: str = ""
    city: Text = ""
    phone: Phone = ""

    @field_validator("postal_code", mode="before")
    @classmethod
    def _check_postal_code(cls, value: object, info: ValidationInfo) -> str:
        return postal_code_for(value, info)


def _folder_level(value: object) -> object:
    return value if value in FOLDER_LEVELS else "none"  # anything else: no access, no message


StaffRole = Annotated[str, one_of(STAFF_ROLES, lambda: _("Please choose a role."))]
FolderLevel = Annotated[str, BeforeValidator(_folder_level)]  # one of FOLDER_LEVELS


class StaffUserInput(FormInput):
    """A staff user as an administrator enters them (Benutzer anlegen / bearbeiten).

    The folder levels and right flags are the columns named in vocabulary.FOLDERS and
    RIGHT_FLAGS (tests/test_schemas_people.py keeps them in step).
    """

    first_name: Required
    last_name: Required
    email: Email
    birthdate: Birthdate
    phone: Phone = ""  # shown to customers on their advisor card
    role: StaffRole = "mitarbeiter"
    access_insurance: FolderLevel = "none"
    access_finance: FolderLevel = "none"
    access_other: FolderLevel = "none"
    access_emergency: FolderLevel = "none"
    sees_all_contacts: Flag = False
    handles_tickets: Flag = False
    handles_chat: Flag = False
    manages_contacts: Flag = False
    manages_users: Flag = False
    manages_settings: Flag = False
