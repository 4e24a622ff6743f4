"""A risk's attributes checked by the types its product line defines (schemas/product_lines.py).

One pydantic model per product line, built from the definitions: it takes what a form sends
(text: "1.234,56", "03.04.2019", "on") and what the JSON API sends (numbers, booleans, ISO
dates) alike, and says what is wrong next to each attribute. Stored as JSON: text, whole
numbers and booleans as themselves, amounts as decimal strings ("85.50"), dates in ISO.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, ConfigDict, create_model

from tenant_app.schemas import rules
from tenant_app.schemas.base import FormInput, checked, fail
from tenant_app.schemas.product_lines import PRODUCT_LINE_DEFINITIONS, RiskAttribute
from tenant_app.text.i18n import gettext as _

FREE_FIELD = "free"  # the free attributes of a line that has them, one "name: value" a line
FREE_MAX_PAIRS = 30
FREE_NAME_MAX = 60  # characters
FREE_VALUE_MAX = 500  # characters
EARLIEST, LATEST = date(1900, 1, 1), date(2100, 12, 31)
_WHOLE = re.compile(r"[0-9]{1,3}(\.[0-9]{3})+|[0-9]+")  # "12000" or "12.000"
_TRUE, _FALSE = {"on", "1", "true", "yes"}, {"", "0", "false", "off", "no"}


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _bounded(attribute: RiskAttribute, number: Decimal) -> None:
    low, high = attribute.minimum, attribute.maximum
    if (low is not None and number < low) or (high is not None and number > high):
        raise fail(_("Please enter a number from %(low)s to %(high)s.", low=low, high=high))


def _text(attribute: RiskAttribute, value: object) -> str:
    text = str(value).strip()
    if len(text) > attribute.max_length:
        raise fail(_("Please enter at most %(n)s characters.", n=attribute.max_length))
    if attribute.pattern and not re.fullmatch(attribute.pattern, text):
        raise fail(_(attribute.pattern_message))
    return text


def _whole(attribute: RiskAttribute, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise fail(_("Please enter a whole number."))
    if isinstance(value, str):
        text = value.strip().replace(" ", "")
        if not _WHOLE.fullmatch(text):
            raise fail(_("Please enter a whole number."))
        value = int(text.replace(".", ""))
    _bounded(attribute, Decimal(value))
    return value


def _decimal(attribute: RiskAttribute, value: object) -> Decimal:
    number: Decimal | None = None
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        try:
            number = Decimal(str(value)).quantize(Decimal("0.01"))
        except InvalidOperation:
            number = None
    elif isinstance(value, str):
        number = rules.parse_money(value)
    if number is None or not number.is_finite():
        raise fail(_("Please enter a number, e.g. 1.234,56."))
    _bounded(attribute, number)
    return number


def _date(attribute: RiskAttribute, value: object) -> date:
    parsed = value if isinstance(value, date) else rules.parse_date(str(value))
    if parsed is None or not EARLIEST <= parsed <= LATEST:
        raise fail(_("Please enter a valid date, e.g. 03.04.1985."))
    return parsed


def _bool(attribute: RiskAttribute, value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text not in _TRUE | _FALSE:
        raise fail(_("Please answer yes or no."))
    return text in _TRUE


def _choice(attribute: RiskAttribute, value: object) -> str:
    text = str(value).strip()
    if text not in {choice for choice, _label in attribute.choices}:
        raise fail(_("Please choose one of the options."))
    return text


_CONVERT: dict[str, Callable[[RiskAttribute, object], object]] = {
    "text": _text,
    "int": _whole,
    "decimal": _decimal,
    "date": _date,
    "bool": _bool,
    "choice": _choice,
}


def _storable(text: str) -> bool:
    """Text a JSON column keeps on every database: no NUL (PostgreSQL's jsonb refuses it), no
    lone surrogate (an escape like "\\ud800" is valid JSON, but no UTF-8)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


def _converter(attribute: RiskAttribute) -> BeforeValidator:
    """Blank: None (or False for a yes/no), refused if required; else the typed value. Only
    single values (JSON may send a list or an object where a value is meant)."""

    def convert(value: object) -> object:
        scalar = value is None or isinstance(value, str | int | float | Decimal | date)
        if not scalar or (isinstance(value, str) and not _storable(value)):
            raise fail(_("Invalid input."))
        if _blank(value):
            if attribute.type == "bool":
                return False
            if attribute.required:
                raise fail(_("This field is required."))
            return None
        return _CONVERT[attribute.type](attribute, value)

    return BeforeValidator(convert)


def _python_type(attribute: RiskAttribute) -> Any:
    if attribute.type == "choice":
        return Literal[tuple(value for value, _label in attribute.choices)]
    return {"text": str, "int": int, "decimal": Decimal, "date": date, "bool": bool}[attribute.type]


def _free(value: object) -> dict[str, str]:
    """Free attributes: a mapping (API) or text with one "name: value" a line (form)."""
    if _blank(value):
        return {}
    if isinstance(value, Mapping):
        pairs = [(str(name).strip(), str(text).strip()) for name, text in value.items()]
    else:
        lines = [line.strip() for line in str(value).splitlines() if line.strip()]
        if any(":" not in line for line in lines):
            raise fail(_("Please write each line as name: value, e.g. Colour: red."))
        pairs = [
            (name.strip(), text.strip())
            for name, _sep, text in (line.partition(":") for line in lines)
        ]
    if not all(_storable(name) and _storable(text) for name, text in pairs):
        raise fail(_("Invalid input."))
    if len(pairs) > FREE_MAX_PAIRS:
        raise fail(_("Please enter at most %(n)s attributes.", n=FREE_MAX_PAIRS))
    for name, text in pairs:
        if not name or len(name) > FREE_NAME_MAX or len(text) > FREE_VALUE_MAX:
            raise fail(
                _(
                    "Each name needs 1 to %(name)s characters, each value at most %(value)s.",
                    name=FREE_NAME_MAX,
                    value=FREE_VALUE_MAX,
                )
            )
    return dict(pairs)


class _RiskAttributes(FormInput):
    # An attribute not sent counts as empty (and so is refused if required).
    model_config = ConfigDict(frozen=True, extra="ignore", validate_default=True)


@cache
def attributes_model(product_line: str) -> type[FormInput]:
    """The pydantic model of one product line's risk attributes (KeyError if unknown)."""
    line = PRODUCT_LINE_DEFINITIONS[product_line]
    return model_of(
        f"{product_line.title()}RiskAttributes", line.attributes, free=line.free_attributes
    )


def model_of(
    name: str, attributes: tuple[RiskAttribute, ...], *, free: bool = False
) -> type[FormInput]:
    """A pydantic model checking values by typed definitions (a line's risk attributes, a
    tender's questions); with `free`, the free "name: value" attributes too."""
    fields: dict[str, Any] = {
        attribute.key: (Annotated[_python_type(attribute) | None, _converter(attribute)], None)
        for attribute in attributes
    }
    if free:
        fields[FREE_FIELD] = (Annotated[dict[str, str], BeforeValidator(_free)], {})
    model: type[FormInput] = create_model(name, __base__=_RiskAttributes, **fields)
    return model


def check_attributes(
    product_line: str, values: Mapping[str, object]
) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """The attributes as stored (JSON values), or None and a message per attribute key (one
    the product line does not have, too)."""
    model = attributes_model(product_line)
    found, errors = checked(model, values)
    for key in values:
        if key not in model.model_fields:
            errors[str(key)] = _("This product line has no such attribute.")
    if found is None or errors:
        return None, errors
    return stored_values(found.model_dump()), {}


def stored_values(typed: Mapping[str, Any]) -> dict[str, Any]:
    """Typed values as JSON: amounts as strings, dates in ISO; empty ones left out."""
    stored: dict[str, Any] = {}
    for key, value in typed.items():
        if value is None or value == {}:
            continue
        if isinstance(value, Decimal):
            value = str(value)
        elif isinstance(value, date):
            value = value.isoformat()
        stored[key] = value
    return stored


def form_values(product_line: str, stored: Mapping[str, Any]) -> dict[str, str]:
    """Stored attributes as a form shows them again (what `check_attributes` reads back):
    amounts with a decimal comma, dates in ISO (the date input's), a yes as "on"."""
    line = PRODUCT_LINE_DEFINITIONS.get(product_line)
    if line is None:
        return {}
    values = shown_values(((a.key, a.type) for a in line.attributes), stored)
    free = stored.get(FREE_FIELD)
    if line.free_attributes and isinstance(free, Mapping):
        values[FREE_FIELD] = "\n".join(f"{name}: {text}" for name, text in free.items())
    return values


def shown_values(typed: Iterable[tuple[str, str]], stored: Mapping[str, Any]) -> dict[str, str]:
    """Stored values of typed fields (key, type) as their form shows them again."""
    values: dict[str, str] = {}
    for key, kind in typed:
        value = stored.get(key)
        if value is None:
            continue
        if kind == "bool":
            values[key] = "on" if value else ""
        elif kind == "decimal":
            values[key] = str(value).replace(".", ",")
        else:
            values[key] = str(value)
    return values
