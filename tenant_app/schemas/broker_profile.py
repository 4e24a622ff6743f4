"""The broker profile (Maklerprofil) as the tenant admin enters it on the settings page.

Every field may stay blank when saved: the portal home shows only what is filled in, and the
go-live check (services/legal_profile.py) names what the imprint and the signature still
need before customers may be invited. Lengths are those of the columns (models/tenancy.py
`Tenant.broker_*`). The legal form is one of vocabulary.LEGAL_FORMS ("" = a sole trader
without a register entry); register numbers, VAT ids and representatives are checked here."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BeforeValidator, ConfigDict

from tenant_app.schemas.base import FormInput, Text, at_most, fail
from tenant_app.schemas.people import Phone
from tenant_app.schemas.rules import email_error
from tenant_app.text.i18n import gettext as _
from tenant_app.text.legal_rules import PARTNER_REGISTER_WORDS, REGISTER_WORDS
from tenant_app.vocabulary import LEGAL_FORMS

OPENING_HOURS_MAX_CHARS = 500
OPENING_HOURS_MAX_LINES = 8
# The register's numbers: "D-" and three or four groups of letters and digits, e.g.
# D-ABCD-EFGHI-12 (Versicherungsmakler) or D-W-133-TNSS-07 (older numbers with a letter).
_REGISTER_NUMBER = re.compile(r"D(-[A-Z0-9]{1,6}){3,4}")
_POSTAL_CODE = re.compile(r"[0-9]{4,5}")  # Germany 5 digits, Austria and Switzerland 4
# A register entry: the department and its number, a court's letter after it ("HRB 12345 B").
_TRADE_REGISTER = re.compile(r"(HRA|HRB|PR|GnR|VR|GsR) ?([0-9]{1,6})( ?[A-Z]{1,2})?")
_REGISTER_CASE = {"HRA": "HRA", "HRB": "HRB", "PR": "PR", "GNR": "GnR", "VR": "VR", "GSR": "GsR"}
_VAT_ID = re.compile(r"DE[0-9]{9}|ATU[0-9]{8}")  # Germany, Austria
REPRESENTATIVES_MAX_LINES = 12


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


def _trade_register(value: object) -> str:
    raw = " ".join(str(value or "").split())
    if not raw:
        return ""
    match = _TRADE_REGISTER.fullmatch(raw.upper())
    if match is None:
        raise fail(
            _(
                "Please enter the register number as the register shows it, e.g. HRB 12345,"
                " HRA 123, PR 12, GnR 3 or VR 45."
            )
        )
    words, number, court = match.groups()
    return " ".join(part for part in (_REGISTER_CASE[words], number, (court or "").strip()) if part)


def _vat_id(value: object) -> str:
    raw = "".join(str(value or "").split()).upper()
    if raw and not _VAT_ID.fullmatch(raw):
        raise fail(
            _(
                "Please enter the VAT identification number as DE and 9 digits"
                " (e.g. DE123456789) or ATU and 8 digits."
            )
        )
    return raw


def _representatives(value: object) -> str:
    """One person a line, each with the family name and at least one first name written out
    (§ 35a GmbHG, § 80 AktG, § 15b GewO): "Anna Admin", not "A. Admin" or "Admin"."""
    lines = [" ".join(line.split()) for line in str(value or "").splitlines()]
    lines = [line for line in lines if line]
    if len(lines) > REPRESENTATIVES_MAX_LINES:
        raise fail(_("Please use at most %(n)s lines.", n=REPRESENTATIVES_MAX_LINES))
    for line in lines:
        words = line.split()
        if len(words) < 2 or len(words[0].rstrip(".")) < 2 or words[0].endswith("."):
            raise fail(
                _(
                    "Please enter one person a line with a first name written out and the"
                    " family name, e.g. “Anna Admin” (not “%(line)s”).",
                    line=line,
                )
            )
    return "\n".join(lines)


def _legal_form(value: object) -> str:
    if value not in LEGAL_FORMS:
        raise fail(_("Please choose the legal form from the list."))
    return str(value)


class BrokerProfileInput(FormInput):
    """Firm name and legal form, phone, address, e-mail, opening hours, the broker register
    number (Vermittlerregisternummer) and the broker ID customers quote; the register entry,
    VAT id and representatives of the firm (and of a GmbH & Co. KG's general partner), the
    chamber's address and the holdings the imprint and the first information state."""

    model_config = ConfigDict(validate_default=True)

    broker_firm_name: Annotated[Text, at_most(200)] = ""
    broker_legal_form: Annotated[str, BeforeValidator(_legal_form)] = ""
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
    broker_representatives: Annotated[str, BeforeValidator(_representatives), at_most(2000)] = ""
    broker_board_chair: Annotated[Text, at_most(200)] = ""
    broker_seat: Annotated[Text, at_most(100)] = ""
    broker_register_court: Annotated[Text, at_most(100)] = ""
    broker_trade_register: Annotated[str, BeforeValidator(_trade_register), at_most(40)] = ""
    broker_vat_id: Annotated[str, BeforeValidator(_vat_id), at_most(20)] = ""
    broker_partner_name: Annotated[Text, at_most(200)] = ""
    broker_partner_seat: Annotated[Text, at_most(100)] = ""
    broker_partner_register_court: Annotated[Text, at_most(100)] = ""
    broker_partner_trade_register: Annotated[str, BeforeValidator(_trade_register), at_most(40)] = (
        ""
    )
    broker_partner_representatives: Annotated[
        str, BeforeValidator(_representatives), at_most(2000)
    ] = ""
    broker_chamber_address: Annotated[Text, at_most(200)] = ""
    broker_holdings: Annotated[Text, at_most(1000)] = ""

    def register_errors(self) -> dict[str, str]:
        """A register number of another department than the legal form's (a GmbH is in
        HRB, an e.K. in HRA, a PartG in the partnership register PR)."""
        errors: dict[str, str] = {}
        wanted = REGISTER_WORDS.get(self.broker_legal_form, ())
        given = self.broker_trade_register.split(" ")[0]
        if wanted and self.broker_trade_register and given not in wanted:
            errors["broker_trade_register"] = _(
                "A %(form)s is entered in %(words)s: please check the register number.",
                form=self.broker_legal_form,
                words=" / ".join(wanted),
            )
        partner = self.broker_partner_trade_register.split(" ")[0]
        if self.broker_partner_trade_register and partner not in PARTNER_REGISTER_WORDS:
            errors["broker_partner_trade_register"] = _(
                "The general partner (a GmbH) is entered in HRB: please check the register number."
            )
        return errors


BROKER_PROFILE_FIELDS = tuple(BrokerProfileInput.model_fields)
