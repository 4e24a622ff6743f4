"""A trusted person (Vertrauensperson) as the customer names them for the emergency folder."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BeforeValidator

from tenant_app.schemas.base import FormInput, Required, fail
from tenant_app.schemas.rules import parse_date
from tenant_app.text.i18n import addressed as _a
from tenant_app.text.i18n import gettext as _
from tenant_app.vocabulary import EMAIL_RE

WAIT_DAYS = (1, 3, 7, 14, 30)  # the waiting periods a customer may choose, in days
DEFAULT_WAIT_DAYS = 7


def _wait_days(value: object) -> int:
    text = str(value or "").strip()
    if not (text.isascii() and text.isdigit()) or int(text) not in WAIT_DAYS:
        raise fail(_a("Please choose how long the waiting period is."))
    return int(text)


def _email(value: object) -> str:
    """As the staff forms check it, in the customer's form of address."""
    text = str(value or "").strip()
    if not text:
        raise fail(_a("Please enter an e-mail address."))
    if not EMAIL_RE.fullmatch(text):
        raise fail(_a("Please enter a valid e-mail address."))
    return text.lower()


def _birthdate(value: object) -> date:
    raw = str(value or "").strip()
    if not raw:
        raise fail(_a("Please enter the date of birth."))
    birthdate = parse_date(raw)
    if birthdate is None:
        raise fail(_("Please enter a valid date, e.g. 03.04.1985."))
    if birthdate > date.today():
        raise fail(_("The date of birth cannot be in the future."))
    if birthdate.year < 1900:
        raise fail(_a("Please check the year of birth."))
    return birthdate


WaitDays = Annotated[int, BeforeValidator(_wait_days)]  # one of WAIT_DAYS
Email = Annotated[str, BeforeValidator(_email)]  # a valid address, lower-case
Birthdate = Annotated[date, BeforeValidator(_birthdate)]  # a real date, not future, from 1900


class TrustedPersonInput(FormInput):
    first_name: Required
    last_name: Required
    email: Email
    birthdate: Birthdate
    wait_days: WaitDays = DEFAULT_WAIT_DAYS


TRUSTED_PERSON_FIELDS = tuple(TrustedPersonInput.model_fields)
