"""Strict security headers on every response, unless a handler chose its own."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tenant_app.edge.state import state_of
from tenant_app.security.frame_origins import allowed_origins
from tenant_app.settings import Settings

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; manifest-src 'self'; worker-src 'self'; "
    "object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
FRAMEABLE = "frameable"  # request state: this page may be framed by the tenant's website


def allow_framing(scope: Scope) -> None:
    """For the login page only: the tenant's website origins may show it in a frame."""
    state_of(scope)[FRAMEABLE] = True


def _frame_ancestors(scope: Scope) -> str:
    """The origins that may frame this response, "" for none (the default)."""
    state = state_of(scope)
    tenant = state.get("tenant")
    if not state.get(FRAMEABLE) or tenant is None:
        return ""
    return " ".join(allowed_origins(tenant.frame_origins))


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
                self.secure(MutableHeaders(scope=message), _frame_ancestors(scope))
            await send(message)

        await self.app(scope, receive, send_wrapper)

    def secure(self, headers: MutableHeaders, frame_ancestors: str = "") -> None:
        if frame_ancestors:  # X-Frame-Options cannot name origins: the CSP alone decides
            policy = CSP.replace("frame-ancestors 'none'", f"frame-ancestors {frame_ancestors}")
            headers["Content-Security-Policy"] = policy
        else:
            headers.setdefault("Content-Security-Policy", CSP)
            headers.setdefault("X-Frame-Options", "DENY")  # a PDF preview may be framed by us
        headers["X-Content-Type-Options"] = "nosniff"
        headers.setdefault("Referrer-Policy", "same-origin")
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(self), microphone=(), geolocation=()"
        if not self.settings.is_development:
            headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
        if "cache-control" not in headers:
            headers["Cache-Control"] = "no-store"
