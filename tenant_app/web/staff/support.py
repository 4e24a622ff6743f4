"""Einstellungen › Support (services/support.py): the firm's administrators write to the
platform's operator ("send us an issue"), with an optional screenshot, and read the answers.
For administrators only; another firm's request is not found (404)."""

from __future__ import annotations

from typing import Any, cast

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.errors import NotFound, ValidationFailed
from tenant_app.files.screenshots import CONTENT_TYPES, SCREENSHOT_MAX_BYTES
from tenant_app.files.storage import Storage
from tenant_app.pages import redirect, render
from tenant_app.permissions import is_admin
from tenant_app.services import support
from tenant_app.web import forms
from tenant_app.web.downloads import SANDBOX_CSP
from tenant_app.web.guards import require

LIST = "staff/support/list.html"
FORM = "staff/support/form.html"
DETAIL = "staff/support/request.html"
LIMITS = {"subject": support.SUBJECT_CHARS, "body": support.BODY_CHARS}


def _request_id(request: Request) -> int:
    return cast(int, request.path_params["request_id"])


def _texts(form: FormData, names: tuple[str, ...], values: dict[str, str]) -> dict[str, str]:
    """Each field as typed into `values`; the messages of those refused."""
    errors = {}
    for name in names:
        try:
            values[name] = forms.text(form, name, max_chars=LIMITS[name])
        except ValidationFailed as failed:
            values[name], errors[name] = "", failed.errors[name]
    return errors


async def read_entry_form(
    request: Request, names: tuple[str, ...], values: dict[str, str]
) -> bytes | None:
    """The text fields as typed (into `values`, kept for the form again) and the screenshot's
    bytes (None: no file chosen); at most the limit plus one byte is read, so that a larger
    file is still refused as too large."""
    async with forms.multipart(request) as form:
        errors = _texts(form, names, values)
        chosen = form.getlist(support.SCREENSHOT_FIELD)
        upload = chosen[0] if len(chosen) == 1 else None
        data = None
        if isinstance(upload, UploadFile) and upload.filename:
            data = await upload.read(SCREENSHOT_MAX_BYTES + 1)
    if errors:
        raise ValidationFailed(errors)
    return data


async def inline_image(storage: Storage, key: str, content_type: str) -> Response:
    """A stored screenshot, shown in the page: re-encoded when stored, so its type is known
    (PNG or JPEG); sandboxed and never sniffed, as every stored file."""
    if content_type not in CONTENT_TYPES:
        raise NotFound
    headers = {
        "Content-Security-Policy": SANDBOX_CSP,
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
        "Content-Disposition": "inline",
    }
    return Response(await storage.read(key), media_type=content_type, headers=headers)


def limits() -> dict[str, int]:
    return {"file_bytes": SCREENSHOT_MAX_BYTES, "mb": SCREENSHOT_MAX_BYTES // 2**20}


async def _detail(request: Request, **extra: Any) -> Response:
    actor = require(request, is_admin)
    page = await support.request_page(actor, _request_id(request))
    context = {"page": page, "values": {}, "errors": {}, "limits": limits(), **extra}
    return render(request, DETAIL, context, status_code=422 if extra.get("errors") else 200)


async def staff_support_list(request: Request) -> Response:
    actor = require(request, is_admin)
    return render(request, LIST, {"rows": await support.request_rows(actor)})


async def staff_support_form(request: Request) -> Response:
    require(request, is_admin)
    return render(request, FORM, {"values": {}, "errors": {}, "limits": limits()})


async def staff_support_create(request: Request) -> Response:
    actor = require(request, is_admin)
    values: dict[str, str] = {}
    try:
        data = await read_entry_form(request, ("subject", "body"), values)
        state = request.app.state
        made = await support.open_request(
            actor, state.settings, state.storage, **values, screenshot=data
        )
    except ValidationFailed as failed:
        context = {"values": values, "errors": failed.errors, "limits": limits()}
        return render(request, FORM, context, status_code=422)
    return redirect(request, "staff_support", flash="sent", request_id=made.id)


async def staff_support(request: Request) -> Response:
    return await _detail(request)


async def staff_support_reply(request: Request) -> Response:
    actor = require(request, is_admin)
    values: dict[str, str] = {}
    try:
        data = await read_entry_form(request, ("body",), values)
        state = request.app.state
        await support.reply(
            actor, state.settings, state.storage, _request_id(request), **values, screenshot=data
        )
    except ValidationFailed as failed:
        return await _detail(request, values=values, errors=failed.errors)
    return redirect(request, "staff_support", flash="sent", request_id=_request_id(request))


async def staff_support_status(request: Request) -> Response:
    actor = require(request, is_admin)
    form = await forms.read_form(request, max_fields=5)
    is_open = forms.text(form, "status", max_chars=10) == support.OPEN
    await support.set_open(actor, _request_id(request), is_open=is_open)
    flash = "reopened" if is_open else "closed"
    return redirect(request, "staff_support", flash=flash, request_id=_request_id(request))


async def staff_support_screenshot(request: Request) -> Response:
    actor = require(request, is_admin)
    entry_id = cast(int, request.path_params["entry_id"])
    key, content_type = await support.screenshot_of(actor, _request_id(request), entry_id)
    return await inline_image(request.app.state.storage, key, content_type)


BASE = "/staff/settings/support"
ONE = BASE + "/{request_id:id}"
routes = [
    Route(BASE, staff_support_list, methods=["GET"], name="staff_support_list"),
    Route(BASE + "/new", staff_support_form, methods=["GET"], name="staff_support_form"),
    # Not BASE: "/staff/settings/{kind}" (the logo's upload, web/staff/settings.py) takes it.
    Route(BASE + "/new", staff_support_create, methods=["POST"], name="staff_support_create"),
    Route(ONE, staff_support, methods=["GET"], name="staff_support"),
    Route(ONE + "/entries", staff_support_reply, methods=["POST"], name="staff_support_reply"),
    Route(ONE + "/status", staff_support_status, methods=["POST"], name="staff_support_status"),
    Route(
        ONE + "/entries/{entry_id:id}/screenshot",
        staff_support_screenshot,
        methods=["GET"],
        name="staff_support_screenshot",
    ),
]
