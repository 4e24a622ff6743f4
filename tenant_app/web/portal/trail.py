"""The customer's access trail: what the broker's staff did with their data."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.pages import render
from tenant_app.services import access_trail
from tenant_app.web import forms
from tenant_app.web.portal.home import portal_customer


async def portal_trail(request: Request) -> Response:
    user, _ = portal_customer(request)
    page_number = forms.optional_id(request.query_params.get("page", "")) or 1
    trail = await access_trail.trail_page(user, page=page_number)
    return render(request, "portal/trail.html", {"trail": trail})


routes = [
    Route("/portal/trail", portal_trail, methods=["GET"], name="portal_trail"),
]
