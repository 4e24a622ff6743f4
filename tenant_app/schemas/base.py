"""The form base model, its typed fields, and how failures become messages next to fields."""

from __future__ import annotations

from collections.abc import Mapping
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
            errors.setdefault(field, str(ctx.get("message") or _("Invalid input.")))
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


Required = Annotated[str, BeforeValidator(_required)]  # not blank, stripped
Text = Annotated[str, BeforeValidator(_stripped)]  # may be blank, stripped
Email = Annotated[str, BeforeValidator(_email)]  # a valid address, lower-case
Birthdate = Annotated[date, BeforeValidator(_birthdate)]  # a real date, not future, from 1900
