"""A suspended tenant's host answers its notice, in its branding, and nothing else (503).

Placed after the session and language are known, so the notice speaks the user's language;
sessions stay as they are and work again once the operator reactivates the tenant. The
stylesheet and images that brand the notice still load; the JSON API answers a problem
document. The tenant comes from the tenant cache: another process notices a suspension or
reactivation within tenancy.CACHE_SECONDS (services/operator_tenant_state.py).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from tenant_app.api.problems import problem
from tenant_app.edge.state import is_api, state_of
from tenant_app.pages import render
from tenant_app.settings import Settings
from tenant_app.text.i18n import addressed
from tenant_app.text.labels import N_

NOTICE_TEMPLATE = "errors/suspended.html"
# When the operator wrote none (the page says it in the tenant's form of address).
DEFAULT_NOTICE = N_("This portal is not available at the moment. Please contact your broker.")
# What the notice page itself loads (its branding) and machine checks of the host.
STILL_SERVED = ("/brand.css", "/branding/logo", "/branding/favicon", "/.well-known/")


def notice_response(scope: Scope) -> Response:
    tenant = state_of(scope)["tenant"]
    headers = {"Cache-Control": "no-store"}
    if is_api(scope):
        return problem(503, tenant.suspension_notice or addressed(DEFAULT_NOTICE), headers=headers)
    if "hx-request" in Request(scope).headers:
        headers["HX-Refresh"] = "true"  # htmx would not swap a 503: show the whole notice
    lines = [line.strip() for line in tenant.suspension_notice.splitlines() if line.strip()]
    return render(
        Request(scope), NOTICE_TEMPLATE, {"lines": lines}, status_code=503, headers=headers
    )


class SuspensionMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        tenant = state_of(scope).get("tenant") if scope["type"] == "http" else None
        if tenant is None or tenant.suspended_at is None or scope["path"].startswith(STILL_SERVED):
            await self.app(scope, receive, send)
            return
        await notice_response(scope)(scope, receive, send)
