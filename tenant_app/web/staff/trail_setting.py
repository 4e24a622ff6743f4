"""The settings page's section on the customers' access trail: staff by name, or "your
broker's office" (services/access_trail.py)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.services import access_trail
from tenant_app.services.versions import VERSION_FIELD
from tenant_app.web.staff.settings import save_section

FIELDS = (access_trail.SETTING_FIELD, VERSION_FIELD)


async def trail_setting_save(request: Request) -> Response:
    return await save_section(
        request,
        section="trail",
        fields=FIELDS,
        save=access_trail.save_trail_setting,
        flash="trail_saved",
        max_chars=20,
    )


routes = [
    Route(
        "/staff/settings/access-trail",
        trail_setting_save,
        methods=["POST"],
        name="trail_setting_save",
    ),
]
