"""The settings page's section on the broker profile (Maklerprofil): firm, address, phone,
e-mail, opening hours, register number and broker ID, which the portal home shows, and the
register entry, representatives and VAT id the generated imprint and mail signature need
(services/broker_profile.py, services/legal_profile.py)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.schemas.broker_profile import BROKER_PROFILE_FIELDS
from tenant_app.services import broker_profile
from tenant_app.services.versions import VERSION_FIELD
from tenant_app.web.staff.settings import save_section

FIELDS = (*BROKER_PROFILE_FIELDS, VERSION_FIELD)
MAX_CHARS = 2000  # the read's limit; the form model says what each field allows


async def broker_profile_save(request: Request) -> Response:
    return await save_section(
        request,
        section="broker",
        fields=FIELDS,
        save=broker_profile.save_profile,
        flash="profile_saved",
        max_chars=MAX_CHARS,
    )


routes = [
    Route(
        "/staff/settings/broker-profile",
        broker_profile_save,
        methods=["POST"],
        name="broker_profile_save",
    ),
]
