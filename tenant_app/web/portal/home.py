"""The customer portal's home: the broker's card and the customer's advisor, then an overview
(open offers, what each folder holds, the newest documents, premiums, open tickets and
claims) and the folders the broker shares, as tiles."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.actors import CurrentUser
from tenant_app.pages import redirect, render, url_for
from tenant_app.permissions import can_use_portal
from tenant_app.services import access, broker_profile
from tenant_app.services import portal_home as home_overview
from tenant_app.vocabulary import MODULES
from tenant_app.web.guards import require


def portal_customer(request: Request) -> tuple[CurrentUser, int]:
    """The logged-in customer and their contact (an account without one finds nothing: 404)."""
    user = require(request, can_use_portal)
    return user, access.own_contact_id(user)


def modules_on(request: Request) -> frozenset[str]:
    """The tenant's modules that are switched on."""
    return frozenset(name for name in MODULES if request.state.tenant.has_module(name))


def optional_url(request: Request, name: str) -> str:
    """The path of a route that another part of the app may or may not have ("" if not)."""
    try:
        return url_for(request, name)
    except KeyError:
        return ""


async def portal_home(request: Request) -> Response:
    login = require(request, can_use_portal)
    if login.contact_id is None and not login.linked_contacts:
        # A login that is only someone's trusted person: its home is those emergency folders.
        return redirect(request, "portal_trust_home")
    user, _ = portal_customer(request)
    permissions, folders = await access.shared_folders(user)
    cards = await broker_profile.home_cards(user, permissions)
    overview = await home_overview.overview(user, permissions, modules=modules_on(request))
    context = {"me": user, "permissions": permissions, "folders": folders, "cards": cards}
    claims_url = optional_url(request, "portal_claims") or optional_url(
        request, "portal_claim_list"
    )
    context |= {"overview": overview, "claims_url": claims_url}
    return render(request, "portal/home.html", context)


routes = [
    Route("/portal", portal_home, methods=["GET"], name="portal_home"),
]
