"""Multipart bodies of the API's upload operations: one file in the part `file` and a few
text fields, read as the upload forms are (files spooled to disk, everything bounded), and
every refusal a problem: a malformed body 400, a body too large 413, a wrong media type 415,
a repeated or misplaced field 422."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request

from tenant_app.api.problems import ApiError, FieldError
from tenant_app.files.storage import StorageFull, disk_full
from tenant_app.services.upload_checks import Upload
from tenant_app.text.i18n import gettext as _

FILE_FIELD = "file"
MAX_FIELDS = 30  # text parts of one upload (the operations name about a dozen)
MAX_FIELD_CHARS = 20_000
MULTIPART = "multipart/form-data"
_BOUNDARY = re.compile(r';\s*boundary=(?:"([^"]*)"|([^";\s]*))', re.IGNORECASE)
# What the edge refuses while the body arrives (edge/limits.py: cut off, too slow, too
# large). The API may not import the edge, so its refusals are known by their status.
_REFUSED_BODY = (400, 408, 413)


@dataclass(frozen=True)
class Received:
    """An upload's text fields (each sent once; empty ones left out) and its file, if any."""

    fields: dict[str, str]
    upload: Upload | None


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def fingerprint(request: Request, body: bytes) -> bytes:
    """The body as an idempotency key's hash sees it: without the multipart boundary, which
    a client chooses anew for every try (curl, httpx and browsers do), so that a retry of the
    same upload is recognised as the same request."""
    found = _BOUNDARY.search(request.headers.get("content-type", ""))
    boundary = (found.group(1) or found.group(2)) if found else ""
    if media_type(request) != MULTIPART or not boundary:
        return body
    return body.replace(boundary.encode("latin-1", "replace"), b"")


@asynccontextmanager
async def received(request: Request) -> AsyncIterator[Received]:
    """The upload while the block runs (its file is removed afterwards)."""
    if media_type(request) != MULTIPART:
        raise ApiError(415, _("Send the body as multipart/form-data."))
    form = await _form(request)
    try:
        yield Received(_fields(form), _file(form))
    finally:
        await form.close()


async def _form(request: Request) -> FormData:
    try:
        return await request.form(max_files=1, max_fields=MAX_FIELDS)
    except HTTPException:  # Starlette's parser: malformed, too many parts, a part too large
        raise ApiError(400, _("The multipart body is malformed.")) from None
    except ClientDisconnect:  # nobody reads the answer; no server error in the log
        raise ApiError(400) from None
    except OSError as error:
        if disk_full(error):
            raise StorageFull(str(error)) from error
        raise
    except Exception as error:
        status = getattr(error, "status", None)
        if status in _REFUSED_BODY:
            raise ApiError(int(status)) from None
        raise


def _invalid(name: str) -> ApiError:
    return ApiError(
        422, errors=[FieldError(field=name, message=_("Invalid input."), type="invalid")]
    )


def _fields(form: FormData) -> dict[str, str]:
    """Each text field once; a repeated one, a file where text belongs, NUL (which no client
    means and PostgreSQL cannot store) or a huge value is refused."""
    fields: dict[str, str] = {}
    for name, value in form.multi_items():
        if name == FILE_FIELD:
            continue
        if not isinstance(value, str) or name in fields or "\x00" in value + name:
            raise _invalid(name.replace("\x00", ""))
        if len(value) > MAX_FIELD_CHARS:
            raise _invalid(name)
        fields[name] = value
    return {name: value for name, value in fields.items() if value != ""}


def _file(form: FormData) -> Upload | None:
    """The one file, or None (not sent, sent as text, or without a name: the upload checks
    then ask for a file)."""
    values = form.getlist(FILE_FIELD)
    if len(values) != 1 or not isinstance(values[0], UploadFile) or not values[0].filename:
        return None
    received = values[0]
    if "\x00" in (received.filename or ""):
        raise _invalid(FILE_FIELD)
    return Upload(file=received.file, filename=received.filename or "", size=received.size or 0)
