"""The customer's "Meine Daten": ask for a copy of his data (Art. 15 GDPR) or their erasure
(Art. 17), see his requests with their status, and download a copy while it is offered."""

from __future__ import annotations

from typing import Any, cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.actors import CurrentUser
from tenant_app.errors import ValidationFailed
from tenant_app.pages import redirect, render
from tenant_app.services import data_request_pages, data_requests
from tenant_app.web import forms
from tenant_app.web.downloads import download_response
from tenant_app.web.portal.home import portal_customer

PAGE = "portal/data_requests/page.html"


async def _page(
    request: Request, user: CurrentUser, values: dict[str, Any], errors: dict[str, str]
) -> Response:
    context = await data_request_pages.customer_page(user)
    context |= {"values": values, "errors": errors}
    return render(request, PAGE, context, status_code=422 if errors else 200)


async def portal_data_requests(request: Request) -> Response:
    user, _ = portal_customer(request)
    return await _page(request, user, {}, {})


async def portal_data_request_create(request: Request) -> Response:
    user, _ = portal_customer(request)
    form = await forms.read_form(request)
    values = forms.texts(form, ("kind", "message"), max_chars=data_requests.MESSAGE_MAX + 100)
    try:
        await data_requests.request_data(user, kind=values["kind"], message=values["message"])
    except ValidationFailed as failed:
        return await _page(request, user, values, failed.errors)
    except data_requests.AlreadyOpen as already:
        flash = f"already_{already.request.kind}"
        return redirect(request, "portal_data_requests", flash=flash)
    return redirect(request, "portal_data_requests", flash=f"asked_{values['kind']}")


async def portal_data_export(request: Request) -> Response:
    user, _ = portal_customer(request)
    found = await data_requests.export_of(user, cast(int, request.path_params["request_id"]))
    return download_response(request.app.state.storage, data_requests.archive_file(found))


routes = [
    Route("/portal/data", portal_data_requests, methods=["GET"], name="portal_data_requests"),
    Route(
        "/portal/data",
        portal_data_request_create,
        methods=["POST"],
        name="portal_data_request_create",
    ),
    Route(
        "/portal/data/{request_id:id}/copy",
        portal_data_export,
        methods=["GET"],
        name="portal_data_export",
    ),
]
