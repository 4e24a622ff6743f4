"""Empfehlen: the customer's personal link to the public page Kunde werden, which names them
(first name and initial only) to whoever opens it."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.pages import render, url_for
from tenant_app.services import leads_public
from tenant_app.tenancy import public_base_url
from tenant_app.web.guards import require_module
from tenant_app.web.portal.home import portal_customer


async def portal_referral(request: Request) -> Response:
    require_module(request, "new_customers")
    _user, contact_id = portal_customer(request)
    settings = request.app.state.settings
    token = leads_public.referral_token(settings, contact_id)
    base = public_base_url(settings, request.state.tenant)
    link = f"{base}{url_for(request, 'lead_form')}?von={token}"
    return render(request, "portal/referral.html", {"referral_link": link})


routes = [
    Route("/portal/empfehlen", portal_referral, methods=["GET"], name="portal_referral"),
]
