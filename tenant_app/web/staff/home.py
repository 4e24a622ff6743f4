"""The staff area's home: a dashboard of what needs attention."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.pages import render
from tenant_app.permissions import can_use_staff_area, has_any_folder_access
from tenant_app.services import dashboard
from tenant_app.text import labels
from tenant_app.web.guards import require


async def staff_home(request: Request) -> Response:
    user = require(request, can_use_staff_area)
    context = {
        "me": user,
        "board": await dashboard.for_staff(user, chat=request.state.tenant.has_module("chat")),
        "has_folder_access": has_any_folder_access(user),
        "role_label": labels.ROLES[user.role],
    }
    return render(request, "staff/home.html", context)


routes = [
    Route("/staff", staff_home, methods=["GET"], name="staff_home"),
]
