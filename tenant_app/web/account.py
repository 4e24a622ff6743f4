"""The user's own login: "Anmeldung & Sicherheit" (second factors, passkeys, devices)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.pages import render
from tenant_app.services import account_security
from tenant_app.web.guards import SECURITY_PATH, require


async def security_page(request: Request) -> Response:
    user = require(request, lambda u: True)
    context = await account_security.overview(user, settings=request.app.state.settings)
    return render(request, "account/security.html", context)


routes = [
    Route(SECURITY_PATH, security_page, methods=["GET"], name="account_security"),
]
