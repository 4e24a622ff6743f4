"""Pick the language (the user's own, else the browser's) and the tenant's form of address."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from tenant_app.edge.state import state_of
from tenant_app.settings import Settings
from tenant_app.text import i18n


class LocaleMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = state_of(scope)
        tenant = state.get("tenant")
        if tenant is None:
            await self.app(scope, receive, send)
            return
        user = state.get("user")
        locale = i18n.negotiate(
            Headers(scope=scope).get("accept-language"), user.language if user else None
        )
        state["locale"] = locale
        with i18n.using(locale, tenant.address_form):
            await self.app(scope, receive, send)
