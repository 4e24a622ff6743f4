"""Data-protection requests on the staff side (those who manage contacts): the list with the
legal deadline, a request's page, and handling it: build the copy, erase (typed
confirmation, as deleting a contact), or refuse with a reason the customer reads."""

from __future__ import annotations

from typing import Any, cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.actors import CurrentUser
from tenant_app.errors import ValidationFailed
from tenant_app.pages import redirect, render
from tenant_app.permissions import can_use_staff_area
from tenant_app.services import data_request_pages, data_requests
from tenant_app.web import forms
from tenant_app.web.guards import require

PAGE = "staff/data_requests/detail.html"


async def staff_data_request_list(request: Request) -> Response:
    actor = require(request, can_use_staff_area)
    context = await data_request_pages.staff_list(actor)
    return render(request, "staff/data_requests/list.html", context)


async def _request(request: Request) -> tuple[CurrentUser, Any]:
    actor = require(request, can_use_staff_area)
    request_id = cast(int, request.path_params["request_id"])
    return actor, await data_requests.request_for(actor, request_id)


async def _detail(request: Request, found: Any, **failed: Any) -> Response:
    actor = require(request, can_use_staff_area)
    context = await data_request_pages.staff_page(actor, found)
    context |= {"errors": {}, "values": {}, **failed}
    return render(request, PAGE, context, status_code=422 if failed else 200)


async def staff_data_request_detail(request: Request) -> Response:
    _actor, found = await _request(request)
    return await _detail(request, found)


async def staff_data_request_export(request: Request) -> Response:
    actor, found = await _request(request)
    try:
        await data_requests.handle_export(actor, request.app.state.storage, found)
    except ValidationFailed as failed:
        return await _detail(request, found, errors=failed.errors)
    return redirect(request, "staff_data_request_detail", flash="copied", request_id=found.id)


async def staff_data_request_erase(request: Request) -> Response:
    actor, found = await _request(request)
    form = await forms.read_form(request)
    confirmation = forms.text(form, "confirm_text", max_chars=200)
    state = request.app.state
    try:
        gone = await data_requests.handle_erasure(
            actor, state.storage, found, confirmation=confirmation, settings=state.settings
        )
    except ValidationFailed as failed:
        return await _detail(request, found, errors=failed.errors)
    if gone or not actor.is_admin:  # the request went with the contact, or is hidden now
        return redirect(request, "staff_data_request_list", flash="erased")
    return redirect(request, "staff_data_request_detail", flash="erased", request_id=found.id)


async def staff_data_request_refuse(request: Request) -> Response:
    actor, found = await _request(request)
    form = await forms.read_form(request)
    reason = forms.text(form, "reason", max_chars=data_requests.MESSAGE_MAX + 100)
    try:
        await data_requests.refuse(actor, found, reason=reason)
    except ValidationFailed as failed:
        return await _detail(request, found, errors=failed.errors, values={"reason": reason})
    return redirect(request, "staff_data_request_detail", flash="refused", request_id=found.id)


BASE = "/staff/data-requests/{request_id:id}"
routes = [
    Route(
        "/staff/data-requests",
        staff_data_request_list,
        methods=["GET"],
        name="staff_data_request_list",
    ),
    Route(BASE, staff_data_request_detail, methods=["GET"], name="staff_data_request_detail"),
    Route(
        BASE + "/copy",
        staff_data_request_export,
        methods=["POST"],
        name="staff_data_request_export",
    ),
    Route(
        BASE + "/erase", staff_data_request_erase, methods=["POST"], name="staff_data_request_erase"
    ),
    Route(
        BASE + "/refuse",
        staff_data_request_refuse,
        methods=["POST"],
        name="staff_data_request_refuse",
    ),
]
