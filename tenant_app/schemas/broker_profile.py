"""The broker profile (Maklerprofil) as the tenant admin enters it on the settings page.

Every field may stay blank: the portal home shows only what is filled in. Lengths are those
of the columns (models/tenancy.py `Tenant.broker_*`)."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BeforeValidator, ConfigDict

from tenant_app.schemas.base import FormInput, Text, at_most, fail
from tenant_app.schemas.people import Phone
from tenant_app.schemas.rules import email_error
from tenant_app.text.i18n import gettext as _

OPENING_HOURS_MAX_CHARS = 500
OPENING_HOURS_MAX_LINES = 8
# The register's numbers: "D-" and three or four groups of letters and digits, e.g.
# D-ABCD-EFGHI-12 (Versicherungsmakler) or D-W-133-TNSS-07 (older numbers with a letter).
_REGISTER_NUMBER = re.compile(r"D(-[A-Z0-9]{1,6}){3,4}")
_POSTAL_CODE = re.compile(r"[0-9]{4,5}")  # Germany 5 digits, Austria and Switzerland 4


def _register_number(value: object) -> str:
    raw = "".join(str(value or "").split()).upper()  # spaces typed around the dashes go
    if raw and not _REGISTER_NUMBER.fullmatch(raw):
        raise fail(
            _(
                "Please enter the register number as the broker register shows it:"
                " D- and groups of letters and digits, e.g. D-ABCD-EFGHI-12."
            )
        )
    return raw


def _optional_email(value: object) -> str:
    raw = str(value or "").strip()
    if raw and (message := email_error(raw)):
        raise fail(message)
    return raw.lower()


def _postal_code(value: object) -> str:
    code = str(value or "").strip()
    if code and not (code.isascii() and _POSTAL_CODE.fullmatch(code)):
        raise fail(_("Please enter the postal code as 4 or 5 digits."))
    return code


def _opening_hours(value: object) -> str:
    lines = [line.strip() for line in str(value or "").strip().splitlines()]
    if len(lines) > OPENING_HOURS_MAX_LINES:
        raise fail(_("Please use at most %(n)s lines.", n=OPENING_HOURS_MAX_LINES))
    return "\n".join(lines)


class BrokerProfileInput(FormInput):
    """Firm name and legal form, phone, address, e-mail, opening hours, the broker register
    number (Vermittlerregisternummer) and the broker ID customers quote."""

    model_config = ConfigDict(validate_default=True)

    broker_firm_name: Annotated[Text, at_most(200)] = ""
    broker_legal_form: Annotated[Text, at_most(60)] = ""
    broker_phone: Annotated[Phone, at_most(40)] = ""
    broker_street: Annotated[Text, at_most(200)] = ""
    broker_postal_code: Annotated[str, BeforeValidator(_postal_code), at_most(10)] = ""
    broker_city: Annotated[Text, at_most(100)] = ""
    broker_email: Annotated[str, BeforeValidator(_optional_email), at_most(254)] = ""
    broker_opening_hours: Annotated[
        str, BeforeValidator(_opening_hours), at_most(OPENING_HOURS_MAX_CHARS)
    ] = ""
    broker_register_number: Annotated[str, BeforeValidator(_register_number), at_most(40)] = ""
    broker_number: Annotated[Text, at_most(40)] = ""


BROKER_PROFILE_FIELDS = tuple(BrokerProfileInput.model_fields)
