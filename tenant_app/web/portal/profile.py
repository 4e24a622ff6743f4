"""The customer's own profile, as far as the broker lets them change it."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from tenant_app.errors import NotFound, PermissionDenied, ValidationFailed
from tenant_app.pages import render
from tenant_app.services import profile
from tenant_app.web import forms
from tenant_app.web.portal.home import customer_with_rights


async def portal_profile(request: Request) -> Response:
    user, permissions = await customer_with_rights(request)
    if not permissions.profile_visible:
        raise NotFound
    contact = await profile.own_contact(user)
    values = {name: getattr(contact, name) for name in profile.PROFILE_FIELDS}
    return render(
        request,
        "portal/profile.html",
        {
            "contact": contact,
            "values": values,
            "errors": {},
            "editable": permissions.profile_editable,
        },
    )


async def portal_profile_save(request: Request) -> Response:
    user, permissions = await customer_with_rights(request)
    if not permissions.profile_visible:
        raise NotFound
    if not permissions.profile_editable:
        raise PermissionDenied
    contact = await profile.own_contact(user)
    form = await forms.read_form(request)
    values: dict[str, str] = {}
    try:
        values = forms.texts(form, profile.PROFILE_FIELDS, max_chars=254)
        await profile.update_profile(user, contact, values=values)
    except ValidationFailed as failed:
        return render(
            request,
            "portal/profile.html",
            {"contact": contact, "values": values, "errors": failed.errors, "editable": True},
            status_code=422,
        )
    return RedirectResponse("/portal/profile?saved=1", status_code=303)


routes = [
    Route("/portal/profile", portal_profile, methods=["GET"], name="portal_profile"),
    Route("/portal/profile", portal_profile_save, methods=["POST"], name="portal_profile_save"),
]
