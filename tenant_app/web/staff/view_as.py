"""View as customer ("Als Kunde ansehen"): start the read-only view of a portal, end it."""

from __future__ import annotations

from typing import Any, cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.pages import redirect
from tenant_app.permissions import can_use_staff_area
from tenant_app.security import view_as as marker
from tenant_app.services import view_as
from tenant_app.settings import Settings
from tenant_app.web.guards import require


def _settings(request: Request) -> Settings:
    return cast(Settings, request.app.state.settings)


def _cookie(settings: Settings) -> dict[str, Any]:
    """Like the session cookie: the marker lives no longer than a session could."""
    return {
        "key": marker.cookie_name(settings),
        "path": "/",
        "httponly": True,
        "samesite": "lax",
        "secure": settings.secure_cookies,
    }


async def view_as_start(request: Request) -> Response:
    """Mark this session as viewing the contact's portal (bound to the session and tenant)."""
    actor = require(request, can_use_staff_area)
    contact_id = cast(int, request.path_params["contact_id"])
    await view_as.start(actor, contact_id=contact_id)  # 404 / 403 before anything is marked
    settings = _settings(request)
    value = marker.marker(settings, request.state.tenant.id, actor, contact_id)
    response = redirect(request, "portal_home")
    response.set_cookie(value=value, max_age=settings.session_max_hours * 3600, **_cookie(settings))
    return response


async def view_as_end(request: Request) -> Response:
    """Back to the contact the view was of (or the staff home), the marker gone."""
    actor = require(request, can_use_staff_area)
    settings = _settings(request)
    raw = request.cookies.get(marker.cookie_name(settings))
    contact_id = marker.marked_contact(settings, request.state.tenant.id, actor, raw)
    if contact_id is None:
        response = redirect(request, "staff_home")
    else:
        response = redirect(request, "contact_detail", contact_id=contact_id)
    response.delete_cookie(**_cookie(settings))
    return response


routes = [
    Route(
        "/staff/contacts/{contact_id:id}/view-as",
        view_as_start,
        methods=["POST"],
        name="view_as_start",
    ),
    Route("/staff/view-as/end", view_as_end, methods=["POST"], name="view_as_end"),
]
