"""The customer portal's home: the folders the broker shares, as tiles."""

from __future__ import annotations

from typing import cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound
from tenant_app.pages import render
from tenant_app.permissions import CustomerRights, can_use_portal, customer_may
from tenant_app.services import access
from tenant_app.web.guards import require


async def customer_with_rights(request: Request) -> tuple[CurrentUser, CustomerRights]:
    user = require(request, can_use_portal)
    if user.contact_id is None:
        raise NotFound
    permissions = await access.access_of(user.contact_id, user)  # came with the session
    return user, permissions


async def portal_home(request: Request) -> Response:
    user, permissions = await customer_with_rights(request)
    counts = await access.folder_counts(cast(int, user.contact_id), permissions)
    context = {
        "me": user,
        "permissions": permissions,
        "folders": [c for c in counts if customer_may(c.flags, "view_folder")],
    }
    return render(request, "portal/home.html", context)


routes = [
    Route("/portal", portal_home, methods=["GET"], name="portal_home"),
]
