"""What machines ask of us about hosts: an own domain's verification token (read by our own
check, services/domain_check.py) and the load balancer's "may this host have a certificate?"
(Caddy's on-demand TLS `ask`)."""

from __future__ import annotations

import hmac

from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from tenant_app.services import custom_domains

PLAIN = {"Cache-Control": "no-store"}


async def domain_token(request: Request) -> PlainTextResponse:
    """The token, only on the host it belongs to and only to who already knows it."""
    asked = str(request.path_params["token"])
    token = await custom_domains.token_of(request.state.tenant.hostname)
    if not token or not hmac.compare_digest(asked.encode(), token.encode()):
        return PlainTextResponse("Not found\n", status_code=404, headers=PLAIN)
    return PlainTextResponse(token, headers=PLAIN)


async def tls_allowed(request: Request) -> PlainTextResponse:
    """200 for a verified host of an active tenant, 404 for anything else (on any host)."""
    domain = request.query_params.get("domain", "")[:300]
    if await custom_domains.tls_allowed(domain):
        return PlainTextResponse("allowed\n", headers=PLAIN)
    return PlainTextResponse("not allowed\n", status_code=404, headers=PLAIN)


routes = [
    Route(
        "/.well-known/tenant-app-verification/{token}",
        domain_token,
        methods=["GET"],
        name="domain_token",
    ),
    Route("/.well-known/tenant-app/tls-allowed", tls_allowed, methods=["GET"], name="tls_allowed"),
]
