"""The customer portal's home."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.htmx import render
from tenant_app.permissions import can_use_portal
from tenant_app.web.guards import require


async def portal_home(request: Request) -> Response:
    user = require(request, can_use_portal)
    return render(request, "portal/home.html", {"me": user})


routes = [
    Route("/portal", portal_home, methods=["GET"], name="portal_home"),
]
