"""German-first display formats: dates, times in Europe/Berlin, money."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_currency

from tenant_app.text.i18n import get_locale

DISPLAY_TZ = ZoneInfo("Europe/Berlin")
# Parsed once: babel parses a locale given by name again at every call.
_LOCALES = {name: Locale.parse(name) for name in ("de", "en")}
_MONEY_LOCALES = {"de": Locale.parse("de_DE"), "en": Locale.parse("en_IE")}
_DE_SEPARATORS = str.maketrans(",.", ".,")


def _locale() -> Locale:
    return _LOCALES.get(get_locale()) or Locale.parse(get_locale())


def as_local(value: datetime) -> datetime:
    return value.astimezone(DISPLAY_TZ)


def fmt_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = as_local(value).date()
    if get_locale() == "de":  # babel's "dd.MM.yyyy", without its pattern machinery
        return f"{value.day:02d}.{value.month:02d}.{value.year:04d}"
    return format_date(value, "medium", locale=_locale())


def fmt_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    pattern = "dd.MM.yyyy HH:mm" if get_locale() == "de" else "medium"
    return format_datetime(as_local(value), pattern, tzinfo=DISPLAY_TZ, locale=_locale())


def fmt_money(value: Decimal | None) -> str:
    """1.234,56 € (de) or €1,234.56 (en), as babel writes them for de_DE and en_IE."""
    if value is None:
        return ""
    if isinstance(value, Decimal) and value.is_finite():
        # Babel rounds half to even; so does Decimal's format. Lists show many amounts, and
        # babel's general formatter costs as much as the rest of a row.
        amount = f"{abs(value):,.2f}"
        sign = "-" if value.is_signed() else ""
        if get_locale() == "de":
            return sign + amount.translate(_DE_SEPARATORS) + "\xa0€"
        return f"{sign}€{amount}"
    return format_currency(
        value, "EUR", locale=_MONEY_LOCALES["de" if get_locale() == "de" else "en"]
    )
