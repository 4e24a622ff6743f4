"""Pick the language (the user's own, else the browser's) and the tenant's form of address."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from tenant_app.edge.state import state_of
from tenant_app.security import cookies
from tenant_app.settings import Settings
from tenant_app.text import i18n

# The language chosen on a page (web/auth.py: language_save): it speaks for the browser
# where no user's own setting does (login and link pages, a user who never chose).
LANGUAGE_COOKIE = "lang"


class LocaleMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.cookie = cookies.cookie_name(settings, LANGUAGE_COOKIE)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = state_of(scope)
        tenant = state.get("tenant")
        if tenant is None:
            await self.app(scope, receive, send)
            return
        user = state.get("user")
        chosen = (user.language if user else None) or cookies.read_cookies(scope).get(self.cookie)
        locale = i18n.negotiate(Headers(scope=scope).get("accept-language"), chosen)
        state["locale"] = locale
        with i18n.using(locale, tenant.address_form):
            await self.app(scope, receive, send)
