"""Staff decide about others' second factors: the requirement for all staff (a section of the
settings page), and a customer's factor reset by link and PIN (the contact's account card)."""

from __future__ import annotations

from typing import cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.errors import ValidationFailed
from tenant_app.pages import redirect
from tenant_app.permissions import can_manage_settings, can_use_staff_area
from tenant_app.services import contacts, factor_admin
from tenant_app.web import forms
from tenant_app.web.guards import require
from tenant_app.web.staff.settings import settings_page


async def staff_factor_require(request: Request) -> Response:
    actor = require(request, can_manage_settings)
    form = await forms.read_form(request)
    values = {"grace_days": ""}
    try:
        values["grace_days"] = forms.text(form, "grace_days", max_chars=10)
        await factor_admin.require_staff_factor(actor, grace_days=values["grace_days"])
    except ValidationFailed as failed:
        return await settings_page(
            request, actor, status_code=422, factor_values=values, factor_errors=failed.errors
        )
    return redirect(request, "branding_form", flash="staff_factor_saved")


async def staff_factor_lift(request: Request) -> Response:
    actor = require(request, can_manage_settings)
    await factor_admin.lift_staff_factor(actor)
    return redirect(request, "branding_form", flash="staff_factor_lifted")


async def contact_factor_reset(request: Request) -> Response:
    """Mail the customer a link that, with their PIN and a new password, removes their
    second factors (as after a forgotten password: nobody else can complete it)."""
    actor = require(request, can_use_staff_area)
    contact_id = cast(int, request.path_params["contact_id"])
    contact = await contacts.get_visible_contact(actor, contact_id)  # 404 if not visible
    try:
        await factor_admin.send_factor_reset(
            actor, settings=request.app.state.settings, contact_id=contact.id
        )
    except ValidationFailed:
        return redirect(request, "contact_detail", flash="factor_error", contact_id=contact.id)
    return redirect(request, "contact_detail", flash="factor_reset_sent", contact_id=contact.id)


async def user_factor_reset(request: Request) -> Response:
    """The same for a staff user, from their page in the user administration."""
    actor = require(request, can_use_staff_area)
    user_id = cast(int, request.path_params["user_id"])
    try:
        await factor_admin.send_staff_factor_reset(
            actor, settings=request.app.state.settings, user_id=user_id
        )
    except ValidationFailed:
        return redirect(request, "user_detail", flash="factor_error", user_id=user_id)
    return redirect(request, "user_detail", flash="factor_reset_sent", user_id=user_id)


routes = [
    Route(
        "/staff/settings/second-factor/require",
        staff_factor_require,
        methods=["POST"],
        name="staff_factor_require",
    ),
    Route(
        "/staff/settings/second-factor/lift",
        staff_factor_lift,
        methods=["POST"],
        name="staff_factor_lift",
    ),
    Route(
        "/staff/contacts/{contact_id:id}/second-factor/reset",
        contact_factor_reset,
        methods=["POST"],
        name="contact_factor_reset",
    ),
    Route(
        "/staff/users/{user_id:id}/second-factor/reset",
        user_factor_reset,
        methods=["POST"],
        name="user_factor_reset",
    ),
]
