"""The public form Kunde werden: who the prospect is, what they are interested in, and
their consent to be contacted."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, ConfigDict

from tenant_app.schemas.base import Email, FormInput, Text, at_most, fail, filled, one_of
from tenant_app.text.i18n import addressed as _a
from tenant_app.vocabulary import PRODUCT_LINES

LEAD_FIELDS = ("first_name", "last_name", "email", "phone", "interest", "message")
INTERESTS = (*PRODUCT_LINES, "other")  # "other": none of the product lines
MAX_NAME = 100  # characters, as the columns
MAX_PHONE = 40
MAX_MESSAGE = 2000


def _phone(value: object) -> str:
    text = str(value or "").strip()
    if text and not all(ch.isdigit() or ch in " +-/()" for ch in text):
        raise fail(_a("Please enter a phone number (digits, spaces, + - / ( ) only)."))
    return text


def _consented(value: object) -> bool:
    if not value:
        raise fail(_a("Please agree to be contacted, else we cannot answer you."))
    return True


FirstName = Annotated[Text, at_most(MAX_NAME), filled(lambda: _a("Please enter your first name."))]
LastName = Annotated[Text, at_most(MAX_NAME), filled(lambda: _a("Please enter your last name."))]
Phone = Annotated[str, BeforeValidator(_phone), at_most(MAX_PHONE)]
Interest = Annotated[
    str, one_of(INTERESTS, lambda: _a("Please choose what you are interested in."))
]
Message = Annotated[Text, at_most(MAX_MESSAGE)]


class LeadInput(FormInput):
    """A prospect's request, as typed on the public page."""

    model_config = ConfigDict(frozen=True, extra="ignore", validate_default=True)

    first_name: FirstName = ""
    last_name: LastName = ""
    email: Annotated[Email, at_most(254)] = ""
    phone: Phone = ""
    interest: Interest = ""
    message: Message = ""
    consent: Annotated[bool, BeforeValidator(_consented)] = False
