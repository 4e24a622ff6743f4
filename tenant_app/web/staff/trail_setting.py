"""The settings page's section on the customers' access trail: staff by name, or "your
broker's office" (services/access_trail.py)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.errors import ValidationFailed
from tenant_app.pages import redirect
from tenant_app.permissions import can_manage_settings
from tenant_app.services import access_trail
from tenant_app.services.versions import VERSION_FIELD
from tenant_app.web import forms
from tenant_app.web.guards import require
from tenant_app.web.staff.settings import settings_page

FIELDS = (access_trail.SETTING_FIELD, VERSION_FIELD)


async def trail_setting_save(request: Request) -> Response:
    actor = require(request, can_manage_settings)
    form = await forms.read_form(request)
    values = dict.fromkeys(FIELDS, "")
    try:
        values = forms.texts(form, FIELDS, max_chars=20)
        await access_trail.save_trail_setting(actor, values=values)
    except ValidationFailed as failed:
        kept, status = failed.kept(values), failed.status_code
        return await settings_page(
            request, actor, status_code=status, trail=kept, trail_errors=failed.errors
        )
    return redirect(request, "branding_form", flash="trail_saved")


routes = [
    Route(
        "/staff/settings/access-trail",
        trail_setting_save,
        methods=["POST"],
        name="trail_setting_save",
    ),
]
