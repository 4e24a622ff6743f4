"""The customer's own profile, as far as the broker lets them change it."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.errors import ValidationFailed
from tenant_app.pages import redirect, render
from tenant_app.services import profile
from tenant_app.web import forms
from tenant_app.web.portal.home import portal_customer


async def portal_profile(request: Request) -> Response:
    user, _ = portal_customer(request)
    contact, editable = await profile.profile_page(user)
    values = profile.form_values(contact) if contact else {}
    context = {"contact": contact, "values": values, "errors": {}, "editable": editable}
    return render(request, "portal/profile.html", context)


async def portal_profile_save(request: Request) -> Response:
    user, _ = portal_customer(request)
    contact, _editable = await profile.profile_for(user, action="edit")
    form = await forms.read_form(request)
    values: dict[str, str] = {}
    try:
        values = forms.texts(form, profile.PROFILE_FORM_FIELDS, max_chars=254)
        await profile.update_profile(user, contact, values=values)
    except ValidationFailed as failed:
        kept = failed.kept(values)
        context = {"contact": contact, "values": kept, "errors": failed.errors, "editable": True}
        return render(request, "portal/profile.html", context, status_code=failed.status_code)
    return redirect(request, "portal_profile", flash="saved")


routes = [
    Route("/portal/profile", portal_profile, methods=["GET"], name="portal_profile"),
    Route("/portal/profile", portal_profile_save, methods=["POST"], name="portal_profile_save"),
]
