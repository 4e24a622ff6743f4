"""German-first display formats: dates, times in Europe/Berlin, money, file sizes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_timedelta
from babel.numbers import format_currency, format_decimal

from tenant_app.text.i18n import get_locale, gettext

DISPLAY_TZ = ZoneInfo("Europe/Berlin")


def local_today() -> date:
    """Today where the broker and customers are (dates typed and shown, validity, losses)."""
    return datetime.now(DISPLAY_TZ).date()


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
    local = as_local(value)
    if get_locale() == "de":  # babel's "dd.MM.yyyy HH:mm", without its pattern machinery
        return f"{fmt_date(local.date())} {local.hour:02d}:{local.minute:02d}"
    return format_datetime(local, "medium", tzinfo=DISPLAY_TZ, locale=_locale())


def fmt_ago(value: datetime, now: datetime) -> str:
    """How long ago, roughly: "gerade eben", "vor 5 Minuten", "vor 2 Stunden" (de)."""
    elapsed = now - value
    if elapsed.total_seconds() < 60:
        return gettext("just now")
    return format_timedelta(-elapsed, add_direction=True, locale=_locale())


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


_SIZE_UNITS = ("KB", "MB", "GB", "TB")


def fmt_filesize(size: int | None) -> str:
    """512 Byte, 1,5 KB, 23 KB, 4,2 MB (de); 512 bytes, 1.5 KB (en). Never "0 KB".

    Binary units (1 KB = 1,024 bytes); one decimal below 10, whole numbers from there.
    """
    if size is None:
        return ""
    if size < 1024:
        return gettext("%(n)s bytes", n=size)  # stored files have 4 bytes at least
    value = float(size)
    for unit in _SIZE_UNITS:
        value /= 1024
        shown = round(value, 1) if value < 10 else round(value)
        if shown < 1024 or unit == _SIZE_UNITS[-1]:
            break
    # babel's "#,##0.#" for de and en without its pattern machinery (a list shows many sizes)
    number = f"{shown:,.1f}".removesuffix(".0") if isinstance(shown, float) else f"{shown:,}"
    if get_locale() == "de":
        number = number.translate(_DE_SEPARATORS)
    elif get_locale() != "en":
        number = format_decimal(shown, format="#,##0.#", locale=_locale())
    return f"{number}\xa0{unit}"
