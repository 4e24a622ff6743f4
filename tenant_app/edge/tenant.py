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

TENANTLESS_PREFIXES = ("/healthz", "/static/")


class TenantMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(TENANTLESS_PREFIXES):
            await self.app(scope, receive, send)
            return
        try:
            hostname = normalize_host(Headers(scope=scope).get("host"))
        except MalformedHost:
            await plain_response(400, "Bad Request")(scope, receive, send)
            return
        tenant = await tenant_cache.lookup(hostname)
        if tenant is None:
            await plain_response(404, "Not Found")(scope, receive, send)
            return
        state_of(scope)["tenant"] = tenant
        token = enter_tenant(tenant)
        try:
            await self.app(scope, receive, send)
        finally:
            leave_tenant(token)
