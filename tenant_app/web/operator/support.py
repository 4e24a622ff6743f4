"""Operator console: the support requests of every firm (services/support_operator.py), an
inbox, one request with its conversation and screenshots, an answer (with an optional
screenshot) and closing. Only on the platform host, only for operators (else 404)."""

from __future__ import annotations

from typing import Any, cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.errors import ValidationFailed
from tenant_app.pages import redirect, render
from tenant_app.services import support_operator
from tenant_app.web import forms
from tenant_app.web.operator.backoffices import require_operator
from tenant_app.web.staff.support import inline_image, limits, read_entry_form

INBOX = "operator/support/inbox.html"
DETAIL = "operator/support/request.html"


def _request_id(request: Request) -> int:
    return cast(int, request.path_params["request_id"])


async def _detail(request: Request, **extra: Any) -> Response:
    actor = require_operator(request)
    page = await support_operator.request_page(actor, _request_id(request))
    context = {"page": page, "values": {}, "errors": {}, "limits": limits(), **extra}
    return render(request, DETAIL, context, status_code=422 if extra.get("errors") else 200)


async def operator_support_inbox(request: Request) -> Response:
    actor = require_operator(request)
    return render(request, INBOX, {"rows": await support_operator.inbox(actor)})


async def operator_support(request: Request) -> Response:
    return await _detail(request)


async def operator_support_answer(request: Request) -> Response:
    actor = require_operator(request)
    values: dict[str, str] = {}
    try:
        data = await read_entry_form(request, ("body",), values)
        state = request.app.state
        await support_operator.answer(
            actor, state.settings, state.storage, _request_id(request), **values, screenshot=data
        )
    except ValidationFailed as failed:
        return await _detail(request, values=values, errors=failed.errors)
    return redirect(request, "operator_support", flash="sent", request_id=_request_id(request))


async def operator_support_close(request: Request) -> Response:
    actor = require_operator(request)
    await forms.read_form(request, max_fields=3)
    await support_operator.close(actor, request.app.state.settings, _request_id(request))
    return redirect(request, "operator_support", flash="closed", request_id=_request_id(request))


async def operator_support_screenshot(request: Request) -> Response:
    actor = require_operator(request)
    entry_id = cast(int, request.path_params["entry_id"])
    found = await support_operator.screenshot_of(actor, _request_id(request), entry_id)
    return await inline_image(request.app.state.storage, *found)


BASE = "/operator/support"
ONE = BASE + "/{request_id:id}"
routes = [
    Route(BASE, operator_support_inbox, methods=["GET"], name="operator_support_inbox"),
    Route(ONE, operator_support, methods=["GET"], name="operator_support"),
    Route(
        ONE + "/entries", operator_support_answer, methods=["POST"], name="operator_support_answer"
    ),
    Route(ONE + "/close", operator_support_close, methods=["POST"], name="operator_support_close"),
    Route(
        ONE + "/entries/{entry_id:id}/screenshot",
        operator_support_screenshot,
        methods=["GET"],
        name="operator_support_screenshot",
    ),
]
