"""Households: a login that manages several contacts chooses whose folders the portal shows."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from tenant_app.errors import NotFound
from tenant_app.pages import render, url_for
from tenant_app.permissions import can_use_portal
from tenant_app.services import households
from tenant_app.web import forms
from tenant_app.web.guards import require


async def portal_household(request: Request) -> Response:
    """The switcher: loaded into every portal page of a household login (block `switcher`),
    or as a page of its own (without JavaScript, or from a mail about another contact)."""
    user = require(request, can_use_portal)
    params = request.query_params
    switcher = await households.switcher(
        user,
        target_id=forms.optional_id(params.get("contact", "")),
        next_path=params.get("next", ""),
    )
    return render(request, "portal/household.html", {"switcher": switcher}, block="switcher")


async def portal_household_switch(request: Request) -> Response:
    """Show the chosen contact's folders from the next page on; then the portal's home (or the
    page a mail asked for)."""
    user = require(request, can_use_portal)
    form = await forms.read_form(request)
    contact_id = forms.optional_id(forms.text(form, "contact_id", max_chars=12))
    if contact_id is None:
        raise NotFound
    await households.select_contact(user, contact_id)
    target = households.portal_next(forms.text(form, "next", max_chars=300))
    return RedirectResponse(target or url_for(request, "portal_home"), status_code=303)


routes = [
    Route("/portal/household", portal_household, methods=["GET"], name="portal_household"),
    Route(
        "/portal/household",
        portal_household_switch,
        methods=["POST"],
        name="portal_household_switch",
    ),
]
