"""The settings page's section on the broker profile (Maklerprofil): firm, address, phone,
e-mail, opening hours, register number and broker ID, which the portal home shows
(services/broker_profile.py)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.errors import ValidationFailed
from tenant_app.pages import redirect
from tenant_app.permissions import can_manage_settings
from tenant_app.schemas.broker_profile import BROKER_PROFILE_FIELDS
from tenant_app.services import broker_profile
from tenant_app.services.versions import VERSION_FIELD
from tenant_app.web import forms
from tenant_app.web.guards import require
from tenant_app.web.staff.settings import settings_page

FIELDS = (*BROKER_PROFILE_FIELDS, VERSION_FIELD)
MAX_CHARS = 2000  # the read's limit; the form model says what each field allows


async def broker_profile_save(request: Request) -> Response:
    actor = require(request, can_manage_settings)
    form = await forms.read_form(request, max_fields=20)
    values = dict.fromkeys(FIELDS, "")
    try:
        values = forms.texts(form, FIELDS, max_chars=MAX_CHARS)
        await broker_profile.save_profile(actor, values=values)
    except ValidationFailed as failed:
        kept, status = failed.kept(values), failed.status_code
        return await settings_page(
            request, actor, status_code=status, broker=kept, broker_errors=failed.errors
        )
    return redirect(request, "branding_form", flash="profile_saved")


routes = [
    Route(
        "/staff/settings/broker-profile",
        broker_profile_save,
        methods=["POST"],
        name="broker_profile_save",
    ),
]
