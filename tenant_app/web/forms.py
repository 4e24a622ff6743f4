"""Reading form input: each field exactly one string, bounded in size."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request

from tenant_app.errors import ValidationFailed
from tenant_app.files.storage import StorageFull, disk_full
from tenant_app.services.upload_checks import Upload
from tenant_app.text.i18n import gettext as _

MAX_FIELD_CHARS = 20_000
# File parts read from one form at all: more is a malformed request (400). Well above the
# documents one upload may add (upload_checks.MAX_UPLOADS), so that choosing a few too many
# gets the form again with a message, not an error page.
MAX_FILE_PARTS = 100


def text(form: FormData, name: str, *, max_chars: int = 500) -> str:
    """One string field; a repeated field, a file or an oversize value is rejected."""
    values = form.getlist(name)
    if len(values) > 1 or (values and not isinstance(values[0], str)):
        raise ValidationFailed({name: _("Invalid input.")})
    value = values[0] if values else ""
    assert isinstance(value, str)
    if len(value) > min(max_chars, MAX_FIELD_CHARS):
        raise ValidationFailed({name: _("Please enter at most %(n)s characters.", n=max_chars)})
    return value


async def read_form(request: Request, **limits: Any) -> FormData:
    """Parse a url-encoded or multipart body with tight limits; the caller closes it."""
    async with request.form(
        max_files=limits.get("max_files", 0), max_fields=limits.get("max_fields", 100)
    ) as form:
        return _well_formed(form)


def _well_formed(form: FormData) -> FormData:
    """The form, unless a field or file name holds NUL (which no browser sends and PostgreSQL
    cannot store): a 400 like any other malformed body (the edge checked url-encoded ones)."""
    for _name, value in form.multi_items():
        content = value if isinstance(value, str) else value.filename or ""
        if "\x00" in content:
            raise HTTPException(400, "NUL character in a form field")
    return form


def safe_next(target: str | None, default: str) -> str:
    """Only a relative path on this host: no scheme, no host, no `//` or backslash tricks."""
    if not target or len(target) > 500:
        return default
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(ch) < 32 for ch in target):
        return default
    return target


def client_address(request: Request) -> str:
    """The client's IP as uvicorn saw it (behind a proxy: from trusted forwarded headers)."""
    return request.client.host if request.client else "unknown"


def checkbox(form: FormData, name: str) -> bool:
    return text(form, name, max_chars=10) in {"on", "1", "true", "yes"}


@contextlib.asynccontextmanager
async def multipart(request: Request, *, max_files: int = 1) -> AsyncIterator[FormData]:
    """A multipart form whose files stay readable (spooled to disk) until the block ends.

    A disk too full to spool the upload is StorageFull (507), not a server error."""
    try:
        async with request.form(max_files=max_files, max_fields=50) as form:
            yield _well_formed(form)
    except OSError as error:
        if disk_full(error):
            raise StorageFull(str(error)) from error
        raise


def upload_from(form: FormData, name: str = "file") -> Upload | None:
    """The one uploaded file in field `name`, or None if there is none (or several)."""
    values = form.getlist(name)
    if len(values) != 1 or not isinstance(values[0], UploadFile) or not values[0].filename:
        return None
    received = values[0]
    return Upload(file=received.file, filename=received.filename or "", size=received.size or 0)


def uploads_from(form: FormData, name: str = "file") -> list[Upload]:
    """The files uploaded in field `name` (an input with `multiple`), in the order sent; parts
    without a file name (nothing chosen) are left out. How many may be used is the service's
    rule (ValidationFailed there)."""
    return [
        Upload(file=value.file, filename=value.filename, size=value.size or 0)
        for value in form.getlist(name)
        if isinstance(value, UploadFile) and value.filename
    ]


def texts(form: FormData, names: tuple[str, ...], *, max_chars: int = 2000) -> dict[str, str]:
    return {name: text(form, name, max_chars=max_chars) for name in names}


def bounded_texts(form: FormData, limits: dict[str, int]) -> tuple[dict[str, str], dict[str, str]]:
    """The fields as typed, and a message for each one refused (too long, repeated, a file)."""
    values, errors = {}, {}
    for name, limit in limits.items():
        try:
            values[name] = text(form, name, max_chars=limit)
        except ValidationFailed as failed:
            values[name], errors[name] = "", failed.errors[name]
    return values, errors


def translated(failed: ValidationFailed) -> dict[str, str]:
    """A use case's msgids in the reader's language (services answer msgids where they are
    shared by several audiences)."""
    return {name: _(message) for name, message in failed.errors.items()}


DOCUMENT_FIELDS = ("title", "category", "document_date", "note", "folder", "contract_id")


MAX_ID = 2**31 - 1  # the database's integer keys


def optional_id(value: str) -> int | None:
    """A row id from a form or query, or None (ASCII digits only: "²".isdigit() is true too)."""
    if not (value.isascii() and value.isdigit()) or len(value) > 10:
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def document_fields(form: FormData) -> tuple[dict[str, str], int | None]:
    """The text fields of an upload form, and the contract it belongs to (if any)."""
    values = texts(form, DOCUMENT_FIELDS)
    return values, optional_id(values["contract_id"])
