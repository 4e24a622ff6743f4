"""Money amounts typed into forms: German notation, a dot-decimal fallback, nothing else.

The expected answers are those of the hand-written parser that Babel's parse_decimal replaced.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tenant_app.schemas.rules import MONEY_MAX, parse_money

CASES: list[tuple[str, str | None]] = [
    # German notation
    ("1.234,56", "1234.56"),
    ("1234,56", "1234.56"),
    ("1234,5", "1234.50"),
    ("1.234,5", "1234.50"),
    ("89", "89.00"),
    ("0", "0.00"),
    ("0,5", "0.50"),
    ("0,00", "0.00"),
    ("1.234", "1234.00"),
    ("1.234.567,89", "1234567.89"),
    ("007", "7.00"),
    ("007,50", "7.50"),
    # a dot as the decimal separator: one or two decimals, no grouping
    ("89.90", "89.90"),
    ("89.9", "89.90"),
    ("12.34", "12.34"),
    ("0.01", "0.01"),
    # blanks and the currency
    (" 1.234,56 € ", "1234.56"),
    ("1.234,56€", "1234.56"),
    ("1.234,56 EUR", "1234.56"),
    ("1.234,56EUR", "1234.56"),
    ("1\u00a0234,56", "1234.56"),
    ("1 234,56", "1234.56"),
    ("1,5\n", "1.50"),
    ("5EUR€", "5.00"),
    # the upper limit
    ("9999999999,99", "9999999999.99"),
    ("9.999.999.999,99", "9999999999.99"),
    ("9999999999.99", "9999999999.99"),
    ("10000000000", None),
    ("10.000.000.000", None),
    ("1000000000000000000000000000000000", None),
    # more than two decimals
    ("12,345", None),
    ("1.234,567", None),
    ("9999999999,995", None),
    ("1234.567", None),
    ("1.2345", None),
    # signs, other notations, rubbish
    ("-5", None),
    ("+5", None),
    ("1,234.56", None),
    ("12.34.567", None),
    ("1,2,3", None),
    ("1e3", None),
    ("NaN", None),
    ("Infinity", None),
    ("1_000", None),
    ("abc", None),
    ("", None),
    ("   ", None),
    (",5", None),
    ("5,", None),
    ("5.", None),
    (".5", None),
    ("1.234,", None),
    ("€ 5", None),
    ("5 eur", None),
    ("5€EUR", None),
    ("1\t000", None),
    ("1\u202f234,56", None),
    ("²", None),
    # quirks kept from the old parser: zeros in front of a grouped number, any script's digits
    ("0.500", "500.00"),
    ("0.001", "1.00"),
    ("01.234", "1234.00"),
    ("0.000", "0.00"),
    ("0000.001", None),
    ("00.0012", None),
    ("000.000.000.000.000.000.000.000.000.000.001", "1.00"),
    ("\u0663", "3.00"),
    ("\u0661.\u0662\u0663\u0664", "1234.00"),
    ("\uff11\uff12,\uff15\uff10", "12.50"),
]


@pytest.mark.parametrize(("raw", "expected"), CASES)
def test_parse_money(raw: str, expected: str | None) -> None:
    result = parse_money(raw)
    if expected is None:
        assert result is None
    else:
        assert result == Decimal(expected)
        assert str(result) == expected  # always two decimals


def test_the_limit_is_the_largest_amount_taken() -> None:
    assert parse_money(str(MONEY_MAX)) == MONEY_MAX
