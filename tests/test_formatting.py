"""German-first display formats: the fast paths write exactly what babel writes."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from babel.dates import format_date
from babel.numbers import format_currency

from tenant_app.text import formatting, i18n

AMOUNTS = [
    Decimal(text)
    for text in ("0", "-0", "1.5", "-1234.56", "1234567.891", "0.005", "0.015", "12.345")
] + [Decimal(random.Random(7).randint(-(10**9), 10**9)).scaleb(-n) for n in range(5)]


@pytest.fixture
def locale():
    tokens = []

    def use(name: str) -> None:
        tokens.append(i18n.set_locale(name))

    yield use
    for token in reversed(tokens):
        i18n._current_locale.reset(token)


@pytest.mark.parametrize(("name", "babel_locale"), [("de", "de_DE"), ("en", "en_IE")])
def test_money_is_written_as_babel_writes_it(locale, name: str, babel_locale: str) -> None:
    locale(name)
    for amount in AMOUNTS:
        assert formatting.fmt_money(amount) == format_currency(amount, "EUR", locale=babel_locale)


def test_money_in_german(locale) -> None:
    locale("de")
    assert formatting.fmt_money(Decimal("1234.56")) == "1.234,56\xa0€"
    assert formatting.fmt_money(Decimal("-0.5")) == "-0,50\xa0€"
    assert formatting.fmt_money(None) == ""


def test_dates_in_german_as_babel_writes_them(locale) -> None:
    locale("de")
    for day in (date(1985, 4, 3), date(1900, 1, 1), date(2026, 12, 31)):
        assert formatting.fmt_date(day) == format_date(day, "dd.MM.yyyy", locale="de")
    # a moment late on 31 December in UTC is already 1 January in Berlin
    assert formatting.fmt_date(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == "01.01.2027"


def test_dates_in_english(locale) -> None:
    locale("en")
    assert formatting.fmt_date(date(1985, 4, 3)) == "Apr 3, 1985"


@pytest.mark.parametrize(
    ("size", "german", "english"),
    [
        (4, "4 Byte", "4 bytes"),
        (511, "511 Byte", "511 bytes"),  # was "0 KB"
        (512, "512 Byte", "512 bytes"),
        (1023, "1023 Byte", "1023 bytes"),
        (1024, "1\xa0KB", "1\xa0KB"),
        (1536, "1,5\xa0KB", "1.5\xa0KB"),
        (10 * 1024 - 1, "10\xa0KB", "10\xa0KB"),
        (250 * 1024, "250\xa0KB", "250\xa0KB"),
        (1024 * 1024 - 1, "1\xa0MB", "1\xa0MB"),  # not "1.024 KB"
        (int(4.2 * 1024 * 1024), "4,2\xa0MB", "4.2\xa0MB"),
        (25 * 1024 * 1024, "25\xa0MB", "25\xa0MB"),
        (3 * 1024**3, "3\xa0GB", "3\xa0GB"),
    ],
)
def test_file_sizes(locale, size: int, german: str, english: str) -> None:
    locale("de")
    assert formatting.fmt_filesize(size) == german
    locale("en")
    assert formatting.fmt_filesize(size) == english
