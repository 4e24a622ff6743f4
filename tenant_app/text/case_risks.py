"""A risk's attributes as a page shows them: each with its label, in the reader's language,
dates and numbers in the reader's format, choices by their label, yes or no."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from babel import Locale
from babel.numbers import format_decimal

from tenant_app.schemas.product_lines import PRODUCT_LINE_DEFINITIONS, RiskAttribute
from tenant_app.schemas.risk_values import FREE_FIELD
from tenant_app.text.formatting import fmt_date
from tenant_app.text.i18n import get_locale, gettext


def _number(value: Any) -> str:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return format_decimal(number, format="#,##0.##", locale=Locale.parse(get_locale()))


def shown_value(attribute: RiskAttribute, value: Any) -> str:
    if attribute.type == "bool":
        return gettext("yes") if value else gettext("no")
    if attribute.type == "decimal":
        return _number(value)
    if attribute.type == "date":
        try:
            return fmt_date(date.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    if attribute.type == "choice":
        labels = dict(attribute.choices)
        return gettext(labels[value]) if value in labels else str(value)
    return str(value)  # text, and whole numbers as typed (a year is no "1.998")


def shown_attributes(product_line: str, attributes: Mapping[str, Any]) -> list[tuple[str, str]]:
    """`(label, value)` of the attributes stored, in their definition's order; free ones and
    any the definition no longer has after them, named as stored."""
    line = PRODUCT_LINE_DEFINITIONS.get(product_line)
    defined = line.attributes if line else ()
    shown = [
        (gettext(attribute.label), shown_value(attribute, attributes[attribute.key]))
        for attribute in defined
        if attributes.get(attribute.key) is not None
    ]
    known = {attribute.key for attribute in defined} | {FREE_FIELD}
    shown += [(key, str(value)) for key, value in attributes.items() if key not in known]
    free = attributes.get(FREE_FIELD)
    if isinstance(free, Mapping):
        shown += [(str(name), str(value)) for name, value in free.items()]
    return shown
