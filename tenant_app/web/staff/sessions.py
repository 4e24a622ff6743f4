"""Staff log a user out everywhere: a colleague (user management) or a customer's account
(on the contact, for staff who manage contacts)."""

from __future__ import annotations

from typing import cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.pages import redirect
from tenant_app.permissions import can_use_staff_area
from tenant_app.services import devices
from tenant_app.web.guards import require


async def user_sessions_end(request: Request) -> Response:
    """On one's own account the session in use stays (else the button would log one out)."""
    actor = require(request, can_use_staff_area)
    user_id = cast(int, request.path_params["user_id"])
    own = await devices.end_staff_user_sessions(actor, user_id=user_id)
    flash = "own_sessions_ended" if own else "sessions_ended"
    return redirect(request, "user_detail", flash=flash, user_id=user_id)


async def contact_sessions_end(request: Request) -> Response:
    actor = require(request, can_use_staff_area)
    contact_id = cast(int, request.path_params["contact_id"])
    await devices.end_customer_sessions(actor, contact_id=contact_id)
    return redirect(request, "contact_detail", flash="logged_out_everywhere", contact_id=contact_id)


routes = [
    Route(
        "/staff/users/{user_id:id}/sessions/end",
        user_sessions_end,
        methods=["POST"],
        name="user_sessions_end",
    ),
    Route(
        "/staff/contacts/{contact_id:id}/sessions/end",
        contact_sessions_end,
        methods=["POST"],
        name="contact_sessions_end",
    ),
]
