"""The form base model, its typed fields, and how failures become messages next to fields."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import date
from typing import Annotated, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError
from pydantic_core import PydanticCustomError

from tenant_app.schemas.rules import birthdate_error, email_error
from tenant_app.text.i18n import gettext as _

M = TypeVar("M", bound="FormInput")


class FormInput(BaseModel):
    """One form's input: every field arrives as the text the user typed (checkboxes as bool)."""

    model_config = ConfigDict(frozen=True, extra="ignore")


def fail(message: str) -> PydanticCustomError:
    """A failure whose message (already in the user's language) is shown next to the field."""
    return PydanticCustomError("form", "{message}", {"message": message})


def checked(model: type[M], values: Mapping[str, object]) -> tuple[M | None, dict[str, str]]:
    """The validated input, or None and one message per failing field (in field order)."""
    try:
        return model.model_validate(dict(values)), {}
    except ValidationError as invalid:
        errors: dict[str, str] = {}
        for error in invalid.errors():
            field = str(error["loc"][0]) if error["loc"] else "form"
            ctx = error.get("ctx") or {}
            if error["type"] == "missing":
                message = _("This field is required.")
            else:
                message = str(ctx.get("message") or _("Invalid input."))
            errors.setdefault(field, message)
        return None, errors


def _required(value: object) -> str:
    text = str(value or "").strip()
    if not text:
        raise fail(_("This field is required."))
    return text


def _email(value: object) -> str:
    if message := email_error(str(value or "")):
        raise fail(message)
    return str(value).strip().lower()


def _birthdate(value: object) -> date:
    birthdate, message = birthdate_error(str(value or ""))
    if message or birthdate is None:
        raise fail(message or _("Please enter the date of birth."))
    return birthdate


def _stripped(value: object) -> str:
    return str(value or "").strip()


def one_of(
    options: Collection[object], message: Callable[[], str], *, blank: str | None = None
) -> BeforeValidator:
    """A choice taken exactly as sent (not stripped); `message()` next to the field if it is
    none of `options` (a callable, so the message is in the language of the request). With
    `blank`, an empty value becomes `blank` instead of failing."""

    def choose(value: object) -> object:
        if blank is not None and not value:
            return blank
        if value not in options:
            raise fail(message())
        return value

    return BeforeValidator(choose)


def at_most(limit: int) -> BeforeValidator:
    """Refuse text longer than `limit` characters as typed (surrounding spaces count)."""

    def check(value: object) -> object:
        if len(str(value or "")) > limit:
            raise fail(_("Please enter at most %(n)s characters.", n=limit))
        return value

    return BeforeValidator(check)


def filled(message: Callable[[], str]) -> BeforeValidator:
    """Refuse a blank value with `message()` (for fields that say what is missing)."""

    def check(value: object) -> object:
        if not str(value or "").strip():
            raise fail(message())
        return value

    return BeforeValidator(check)


Required = Annotated[str, BeforeValidator(_required)]  # not blank, stripped
Text = Annotated[str, BeforeValidator(_stripped)]  # may be blank, stripped
Email = Annotated[str, BeforeValidator(_email)]  # a valid address, lower-case
Birthdate = Annotated[date, BeforeValidator(_birthdate)]  # a real date, not future, from 1900
Flag = Annotated[bool, BeforeValidator(bool)]  # a checkbox as read (forms.checkbox), any truthy
