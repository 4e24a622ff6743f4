"""The settings page's "Kunden-App" section: module switches, recommended categories, what an
accepted offer becomes, the broker's status and chamber (services/portal_settings.py)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.schemas.portal_settings import PORTAL_SETTINGS_FIELDS
from tenant_app.services import portal_settings
from tenant_app.services.versions import VERSION_FIELD
from tenant_app.web.staff.settings import save_section

FIELDS = (*PORTAL_SETTINGS_FIELDS, VERSION_FIELD)
MAX_CHARS = 400  # the read's limit; the form model says what each field allows


async def portal_settings_save(request: Request) -> Response:
    return await save_section(
        request,
        section="portal_app",
        fields=FIELDS,
        save=portal_settings.save_settings,
        flash="portal_app_saved",
        max_chars=MAX_CHARS,
    )


routes = [
    Route(
        "/staff/settings/customer-app",
        portal_settings_save,
        methods=["POST"],
        name="portal_settings_save",
    ),
]
