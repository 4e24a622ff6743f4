"""Errors as RFC 9457 problem details (`application/problem+json`), in the caller's language."""

from __future__ import annotations

import json
from collections.abc import Mapping

from pydantic import BaseModel, Field
from starlette.responses import Response

from tenant_app.text.i18n import gettext as _
from tenant_app.text.labels import N_

MEDIA_TYPE = "application/problem+json"
TITLES = {
    400: N_("Malformed request"),
    401: N_("Authentication required"),
    403: N_("Not permitted"),
    404: N_("Not found"),
    405: N_("Method not allowed"),
    409: N_("Conflict"),
    412: N_("Precondition failed"),
    413: N_("Request too large"),
    415: N_("Unsupported media type"),
    422: N_("Invalid input"),
    428: N_("Precondition required"),
    429: N_("Too many requests"),
    500: N_("Server error"),
    503: N_("Service unavailable"),
    507: N_("Storage full"),
}


class FieldError(BaseModel):
    field: str = Field(description="The field, dotted for nested ones (`attributes.year_built`).")
    message: str
    type: str = Field(description="A stable code: `required`, `invalid`, or the rule's name.")


class Problem(BaseModel):
    """What went wrong: `status` and `title` always, `errors` per field for invalid input."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    errors: list[FieldError] = []
    current_version: int | None = Field(
        default=None, description="With 412: the version stored now (its ETag)."
    )


class ApiError(Exception):
    """Raised by API code to answer with a problem."""

    def __init__(
        self,
        status: int,
        detail: str = "",
        *,
        errors: list[FieldError] | None = None,
        headers: Mapping[str, str] | None = None,
        current_version: int | None = None,
    ) -> None:
        super().__init__(detail or str(status))
        self.status = status
        self.detail = detail
        self.errors = errors or []
        self.headers = dict(headers or {})
        self.current_version = current_version


def field_errors(errors: Mapping[str, str], *, code: str = "invalid") -> list[FieldError]:
    return [FieldError(field=name, message=message, type=code) for name, message in errors.items()]


def problem(
    status: int,
    detail: str = "",
    *,
    errors: list[FieldError] | None = None,
    headers: Mapping[str, str] | None = None,
    current_version: int | None = None,
) -> Response:
    body = Problem(
        title=_(TITLES.get(status, TITLES[400 if status < 500 else 500])),
        status=status,
        detail=detail,
        errors=errors or [],
        current_version=current_version,
    )
    return Response(
        json.dumps(body.model_dump(exclude_none=True), ensure_ascii=False),
        status_code=status,
        media_type=MEDIA_TYPE,
        headers=dict(headers or {}),
    )


def from_error(error: ApiError) -> Response:
    return problem(
        error.status,
        error.detail,
        errors=error.errors,
        headers=error.headers,
        current_version=error.current_version,
    )
