"""German-first display formats: dates, times in Europe/Berlin, money."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency

from tenant_app.i18n import get_locale

DISPLAY_TZ = ZoneInfo("Europe/Berlin")


def as_local(value: datetime) -> datetime:
    return value.astimezone(DISPLAY_TZ)


def fmt_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = as_local(value).date()
    return format_date(
        value, "dd.MM.yyyy" if get_locale() == "de" else "medium", locale=get_locale()
    )


def fmt_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    pattern = "dd.MM.yyyy HH:mm" if get_locale() == "de" else "medium"
    return format_datetime(as_local(value), pattern, tzinfo=DISPLAY_TZ, locale=get_locale())


def fmt_money(value: Decimal | None) -> str:
    if value is None:
        return ""
    return format_currency(value, "EUR", locale="de_DE" if get_locale() == "de" else "en_IE")
