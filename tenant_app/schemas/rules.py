"""Field rules shared by the form models and the use cases. Messages are for the user."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from babel.numbers import parse_decimal

from tenant_app.schemas import passwords
from tenant_app.text.i18n import gettext as _
from tenant_app.vocabulary import EMAIL_RE

_DATE_DE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def parse_date(raw: str) -> date | None:
    """`TT.MM.JJJJ` or ISO `JJJJ-MM-TT` (what a date input sends); None if not a real date."""
    raw = raw.strip()
    if match := _DATE_DE.fullmatch(raw):
        day, month, year = (int(part) for part in match.groups())
    elif match := _DATE_ISO.fullmatch(raw):
        year, month, day = (int(part) for part in match.groups())
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def birthdate_error(raw: str, today: date | None = None) -> tuple[date | None, str | None]:
    if not raw.strip():
        return None, _("Please enter the date of birth.")
    value = parse_date(raw)
    if value is None:
        return None, _("Please enter a valid date, e.g. 03.04.1985.")
    today = today or date.today()
    if value > today:
        return None, _("The date of birth cannot be in the future.")
    if value.year < 1900:
        return None, _("Please check the year of birth.")
    return value, None


def required(values: dict[str, str], errors: dict[str, str], *names: str) -> None:
    for name in names:
        if not values.get(name, "").strip():
            errors.setdefault(name, _("This field is required."))


def email_error(raw: str) -> str | None:
    if not raw.strip():
        return _("Please enter an e-mail address.")
    if not EMAIL_RE.fullmatch(raw.strip()):
        return _("Please enter a valid e-mail address.")
    return None


def pin_for(birthdate: date) -> str:
    """The registration PIN: the birthdate as TTMMJJJJ."""
    return birthdate.strftime("%d%m%Y")


class PasswordOwner(Protocol):
    """What the password rules read of an account (a User row)."""

    birthdate: date | None
    username: str
    email: str
    first_name: str
    last_name: str


def password_errors_of(owner: PasswordOwner, password: str, repeat: str) -> dict[str, str]:
    """`password_errors` for an existing account, judged against its own personal data."""
    return password_errors(
        password,
        repeat,
        birthdate=owner.birthdate,
        username=owner.username,
        email=owner.email,
        first_name=owner.first_name,
        last_name=owner.last_name,
    )


def password_errors(
    password: str,
    repeat: str,
    *,
    birthdate: date | None,
    username: str,
    email: str,
    first_name: str = "",
    last_name: str = "",
) -> dict[str, str]:
    """The new password's rules (schemas/passwords.py) and its repetition, by field."""
    problem = passwords.new_password_error(
        password,
        birthdate=birthdate,
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
    )
    if problem:
        return {"password": problem}
    if password != repeat:
        return {"password2": _("The two passwords do not match.")}
    return {}


# German grouping ("1.234,56") or none ("1234,5"); or a dot as the decimal separator ("89.90").
_MONEY_DE = re.compile(r"[0-9]{1,3}(\.[0-9]{3})*(,[0-9]{1,2})?|[0-9]+(,[0-9]{1,2})?")
_MONEY_DOT = re.compile(r"[0-9]+\.[0-9]{1,2}")
MONEY_MAX = Decimal("9999999999.99")


def parse_money(raw: str) -> Decimal | None:
    """Euros as exact Decimal from German input ("1.234,56", "1234,5", "89") or "89.90".

    The shapes decide what is accepted (no sign, exponent or third decimal, which Babel
    alone would take); Babel reads the number.
    """
    text = raw.strip().replace("\u00a0", "").replace(" ", "").removesuffix("€").removesuffix("EUR")
    # Digits of any script count ("١٢", "１２"), as they always did; the shapes want 0-9.
    text = "".join(str(unicodedata.decimal(char, char)) for char in text)
    if _MONEY_DOT.fullmatch(text):
        text = text.replace(".", ",")
    elif not _MONEY_DE.fullmatch(text):
        return None
    value = parse_decimal(text, locale="de_DE")
    return value.quantize(Decimal("0.01")) if value <= MONEY_MAX else None


def check_lengths(model: Any, values: dict[str, str], errors: dict[str, str]) -> None:
    """Refuse text longer than its column, with a message next to the field."""
    for name, value in values.items():
        field = model._meta.fields_map.get(name)
        limit = getattr(field, "max_length", None)
        if limit and len(value.strip()) > limit:
            errors.setdefault(name, _("Please enter at most %(n)s characters.", n=limit))
