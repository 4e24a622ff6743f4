"""Load the logged-in user (one joined query) and the CSRF token."""

from __future__ import annotations

import secrets
from datetime import timedelta

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tenant_app.edge import view_as
from tenant_app.edge.state import is_api, state_of
from tenant_app.security import cookies, sessions
from tenant_app.security import view_as as security_view_as
from tenant_app.settings import Settings

ANON_CSRF_MAX_AGE = 12 * 3600  # seconds


class SessionMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.idle = timedelta(minutes=settings.session_idle_minutes)
        self.absolute = timedelta(hours=settings.session_max_hours)
        self.session_cookie = cookies.cookie_name(settings, "session")
        self.csrf_cookie = cookies.cookie_name(settings, "csrf")
        self.view_as_cookie = security_view_as.cookie_name(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = state_of(scope)
        tenant = state.get("tenant")
        if tenant is None:
            await self.app(scope, receive, send)
            return
        if is_api(scope):
            state["user"] = None
            state["csrf_token"] = ""
            await self.app(scope, receive, send)
            return
        extra_cookies: list[bytes] = []
        user = None
        jar = cookies.read_cookies(scope)
        secret = cookies.unsign(
            self.settings,
            "session",
            tenant.id,
            jar.get(self.session_cookie),
            max_age=self.settings.session_max_hours * 3600,
        )
        if secret:
            user = await sessions.load_session(
                secret,
                idle=self.idle,
                absolute=self.absolute,
                touch=scope.get("path") not in sessions.UNATTENDED_PATHS,
            )
        if secret and user is None or (jar.get(self.session_cookie) and not secret):
            extra_cookies.append(
                cookies.set_cookie_header(self.settings, self.session_cookie, "", max_age=0)
            )
        user, stale_view = await view_as.apply(scope, self.settings, user, jar)
        if stale_view:
            extra_cookies.append(
                cookies.set_cookie_header(self.settings, self.view_as_cookie, "", max_age=0)
            )
        if user is not None:
            csrf_token = user.csrf_token
        else:
            csrf_token = (
                cookies.unsign(
                    self.settings,
                    "csrf",
                    tenant.id,
                    jar.get(self.csrf_cookie),
                    max_age=ANON_CSRF_MAX_AGE,
                )
                or ""
            )
            if not csrf_token:
                csrf_token = secrets.token_urlsafe(32)
                signed = cookies.sign(self.settings, "csrf", tenant.id, csrf_token)
                extra_cookies.append(
                    cookies.set_cookie_header(
                        self.settings, self.csrf_cookie, signed, max_age=ANON_CSRF_MAX_AGE
                    )
                )
        state["user"] = user
        state["csrf_token"] = csrf_token
        refused = view_as.refusal(scope)
        if refused is not None:
            await refused(scope, receive, send)
            return

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start" and extra_cookies:
                headers = MutableHeaders(scope=message)
                for cookie in extra_cookies:
                    headers.append("set-cookie", cookie.decode("latin-1"))
            await send(message)

        await self.app(scope, receive, send_wrapper)
