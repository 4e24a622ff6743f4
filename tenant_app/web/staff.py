"""The staff area's home."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.htmx import render
from tenant_app.permissions import can_use_staff_area
from tenant_app.web.guards import require


async def staff_home(request: Request) -> Response:
    user = require(request, can_use_staff_area)
    return render(request, "staff/home.html", {"me": user})


routes = [
    Route("/staff", staff_home, methods=["GET"], name="staff_home"),
]
