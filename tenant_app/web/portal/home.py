"""The customer portal's home: the broker's card and the customer's advisor, then the folders
the broker shares, as tiles."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.actors import CurrentUser
from tenant_app.pages import redirect, render
from tenant_app.permissions import can_use_portal
from tenant_app.services import access, broker_profile
from tenant_app.web.guards import require


def portal_customer(request: Request) -> tuple[CurrentUser, int]:
    """The logged-in customer and their contact (an account without one finds nothing: 404)."""
    user = require(request, can_use_portal)
    return user, access.own_contact_id(user)


async def portal_home(request: Request) -> Response:
    login = require(request, can_use_portal)
    if login.contact_id is None and not login.linked_contacts:
        # A login that is only someone's trusted person: its home is those emergency folders.
        return redirect(request, "portal_trust_home")
    user, _ = portal_customer(request)
    permissions, folders = await access.shared_folders(user)
    cards = await broker_profile.home_cards(user, permissions)
    context = {"me": user, "permissions": permissions, "folders": folders, "cards": cards}
    return render(request, "portal/home.html", context)


routes = [
    Route("/portal", portal_home, methods=["GET"], name="portal_home"),
]
