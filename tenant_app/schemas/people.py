"""People's data: contacts (customers) and staff users."""

from __future__ import annotations

from tenant_app.schemas.base import Birthdate, Email, FormInput, Required, Text


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
