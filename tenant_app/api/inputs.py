"""Reading an API request: query and JSON body into their models, the If-Match version, the
idempotency key. Anything malformed is an ApiError with the field it concerns."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from tenant_app.api.problems import ApiError, FieldError
from tenant_app.text.i18n import gettext as _

_ETAG = re.compile(r'^(?:W/)?"(\d{1,10})"$')
MAX_JSON_BYTES = 1024 * 1024  # records are small: files go as multipart, never in JSON
MAX_JSON_DEPTH = 20
_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")  # printable ASCII, no spaces
MAX_VERSION = 2**31 - 1  # the version columns' range: a larger number names no version


def etag(version: int) -> str:
    return f'"{version}"'


def if_match(header: str | None) -> int:
    if header is None or not header.strip():
        raise ApiError(428, _("Send the ETag you read in an If-Match header."))
    found = _ETAG.match(header.strip())
    if found is None or int(found.group(1)) > MAX_VERSION:
        raise ApiError(412, _("If-Match does not name the current version of this record."))
    return int(found.group(1))


def idempotency_key(request: Request) -> str | None:
    key = request.headers.get("idempotency-key")
    if key is None:
        return None
    if not _KEY.match(key):
        raise ApiError(
            400,
            _("The Idempotency-Key must be 1 to 200 visible ASCII characters."),
            errors=[
                FieldError(field="Idempotency-Key", message=_("Invalid input."), type="invalid")
            ],
        )
    return key


def validated(model: type[BaseModel], values: Any) -> Any:
    """The model of `values`, or 422 with one message per failing field in the caller's
    language (the models' own messages are translated; pydantic's built-in ones are not, so
    they become a generic message with their type code)."""
    try:
        return model.model_validate(values)
    except ValidationError as invalid:
        raise ApiError(422, errors=_field_errors(invalid)) from None


def _field_errors(invalid: ValidationError) -> list[FieldError]:
    errors: list[FieldError] = []
    for error in invalid.errors():
        name = ".".join(str(part) for part in error["loc"]) or "body"
        ctx = error.get("ctx") or {}
        if error["type"] == "missing":
            errors.append(
                FieldError(field=name, message=_("This field is required."), type="required")
            )
        elif error["type"] == "form":  # our own rules: already a message for the user
            errors.append(FieldError(field=name, message=str(ctx.get("message")), type="invalid"))
        else:
            errors.append(FieldError(field=name, message=_("Invalid input."), type=error["type"]))
    return errors


def query(request: Request, model: type[BaseModel] | None) -> Any:
    if model is None:
        return None
    return validated(model, dict(request.query_params))


async def body(request: Request, model: type[BaseModel]) -> Any:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        raise ApiError(415, _("Send the body as application/json."))
    raw = await request.body()
    if len(raw) > MAX_JSON_BYTES:
        raise ApiError(413, _("A JSON body may have at most %(n)s KB.", n=MAX_JSON_BYTES // 1024))
    try:
        values = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise ApiError(400, _("The body is not valid JSON.")) from None
    if _depth(values) > MAX_JSON_DEPTH:
        raise ApiError(400, _("The body is nested too deeply."))
    if not isinstance(values, dict):
        raise ApiError(
            422, errors=[FieldError(field="body", message=_("Invalid input."), type="object")]
        )
    if unstorable := list(_unstorable_strings(values, "")):
        message = _("Invalid input.")
        errors = [FieldError(field=name, message=message, type="characters") for name in unstorable]
        raise ApiError(422, errors=errors)
    return validated(model, values)


def _depth(value: Any, level: int = 0) -> int:
    """How deep `value` nests, counted no further than one past the limit."""
    if level > MAX_JSON_DEPTH or not isinstance(value, dict | list):
        return level
    items = value.values() if isinstance(value, dict) else value
    return max((_depth(item, level + 1) for item in items), default=level + 1)


def _unstorable_strings(value: Any, where: str) -> Iterator[str]:
    """Fields holding NUL or a lone surrogate, which JSON allows but no database stores
    (PostgreSQL refuses both): refused for every resource before its model sees them."""
    if isinstance(value, str):
        if "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value):
            yield where or "body"
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _unstorable_strings(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _unstorable_strings(item, f"{where}.{index}" if where else str(index))
