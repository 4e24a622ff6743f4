"""People's data: contacts (customers), the customer's own profile, and staff users."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator

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
from tenant_app.vocabulary import FOLDER_LEVELS, STAFF_ROLES


class ContactInput(FormInput):
    """A contact as staff enter it (Kontakt anlegen / bearbeiten)."""

    first_name: Required
    last_name: Required
    email: Email
    birthdate: Birthdate
    company_name: Text = ""
    legal_form: Text = ""
    street: Text = ""
    postal_code: Text = ""
    city: Text = ""
    phone: Text = ""
    customer_number: Text = ""


CONTACT_FIELDS = tuple(ContactInput.model_fields)


def _postal_code(value: object) -> str:
    code = str(value or "").strip()
    if code and not (code.isdigit() and len(code) == 5):
        raise fail(_("Please enter a postal code with five digits."))
    return code


def _phone(value: object) -> str:
    phone = str(value or "").strip()
    if phone and not all(c.isdigit() or c in " +-/()" for c in phone):
        raise fail(_("Please enter a phone number using digits, spaces and + - / ( )."))
    return phone


PostalCode = Annotated[str, BeforeValidator(_postal_code)]  # blank or five digits, stripped
Phone = Annotated[str, BeforeValidator(_phone)]  # blank or digits, spaces and + - / ( )


class ProfileInput(FormInput):
    """The customer's own address and phone (Mein Profil); name and e-mail stay with the broker."""

    street: Text = ""
    postal_code: PostalCode = ""
    city: Text = ""
    phone: Phone = ""


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
    role: StaffRole = "mitarbeiter"
    access_insurance: FolderLevel = "none"
    access_finance: FolderLevel = "none"
    access_other: FolderLevel = "none"
    access_emergency: FolderLevel = "none"
    sees_all_contacts: Flag = False
    handles_tickets: Flag = False
    manages_contacts: Flag = False
    manages_users: Flag = False
    manages_settings: Flag = False
