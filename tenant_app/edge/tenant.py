"""Resolve the tenant once, from the Host header only, and scope all data access to it."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from tenant_app.edge.state import state_of
from tenant_app.pages import plain_response
from tenant_app.settings import Settings
from tenant_app.tenancy import (
    MalformedHost,
    enter_tenant,
    leave_tenant,
    normalize_host,
    tenant_cache,
)

# The load balancer's question whether a host may have a certificate (web/well_known.py)
# is asked on whatever host it calls us by, so it needs no tenant.
TLS_ASK_PATH = "/.well-known/tenant-app/tls-allowed"
TENANTLESS_PREFIXES = ("/healthz", "/static/", TLS_ASK_PATH)
# An own domain not yet verified answers this (its token) and nothing else.
VERIFICATION_PREFIX = "/.well-known/tenant-app-verification/"


class TenantMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings, demo_host: str = "") -> None:
        self.app = app
        # In development, the page of an unknown host (e.g. bare `localhost`) points here.
        self.demo_host = demo_host if settings.is_development else ""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(TENANTLESS_PREFIXES):
            await self.app(scope, receive, send)
            return
        raw_host = Headers(scope=scope).get("host")
        try:
            hostname = normalize_host(raw_host)
        except MalformedHost:
            await plain_response(scope, 400)(scope, receive, send)
            return
        tenant = await tenant_cache.lookup(hostname)
        if tenant is None:
            demo_url = self.demo_url(scope, hostname, raw_host or "")
            await plain_response(scope, 404, demo_url=demo_url)(scope, receive, send)
            return
        if not tenant.host_verified and not scope["path"].startswith(VERIFICATION_PREFIX):
            # Whoever points a domain at us gets no tenant's page until its owner proved it.
            await plain_response(scope, 404)(scope, receive, send)
            return
        state_of(scope)["tenant"] = tenant
        token = enter_tenant(tenant)
        try:
            await self.app(scope, receive, send)
        finally:
            leave_tenant(token)

    def demo_url(self, scope: Scope, hostname: str, raw_host: str) -> str:
        """The demo portal on the port this request came to, unless this is the demo host."""
        if not self.demo_host or hostname == self.demo_host:
            return ""
        port = raw_host.rpartition(":")[2] if ":" in raw_host else ""
        return f"{scope.get('scheme', 'http')}://{self.demo_host}{':' + port if port else ''}/"
