"""The user's own login: "Anmeldung & Sicherheit" (second factors, passkeys, devices), and for
staff the photo on the portal's advisor card (web/staff_photos.py)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.actors import CurrentUser
from tenant_app.pages import render
from tenant_app.services import account_security, staff_photos
from tenant_app.web.guards import SECURITY_PATH, require


async def security_response(
    request: Request, user: CurrentUser, *, status_code: int = 200, **extra: Any
) -> Response:
    """The page; `extra`: a refused section's state (the photo's `photo_errors`)."""
    context = await account_security.overview(user, settings=request.app.state.settings)
    context["photo"] = await staff_photos.own_photo(user)
    return render(request, "account/security.html", {**context, **extra}, status_code=status_code)


async def security_page(request: Request) -> Response:
    return await security_response(request, require(request, lambda u: True))


routes = [
    Route(SECURITY_PATH, security_page, methods=["GET"], name="account_security"),
]
