"""Strict security headers on every response, unless a handler chose its own."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tenant_app.settings import Settings

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; manifest-src 'self'; worker-src 'self'; "
    "object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.secure(MutableHeaders(scope=message))
            await send(message)

        await self.app(scope, receive, send_wrapper)

    def secure(self, headers: MutableHeaders) -> None:
        headers.setdefault("Content-Security-Policy", CSP)
        headers["X-Content-Type-Options"] = "nosniff"
        headers.setdefault("X-Frame-Options", "DENY")  # a PDF preview may be framed by us
        headers.setdefault("Referrer-Policy", "same-origin")
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(self), microphone=(), geolocation=()"
        if not self.settings.is_development:
            headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
        if "cache-control" not in headers:
            headers["Cache-Control"] = "no-store"
