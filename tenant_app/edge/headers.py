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
        forced = [
            (b"x-content-type-options", b"nosniff"),
            (b"cross-origin-opener-policy", b"same-origin"),
            (b"permissions-policy", b"camera=(self), microphone=(), geolocation=()"),
        ]
        if not settings.is_development:
            forced.append((b"strict-transport-security", b"max-age=63072000; includeSubDomains"))
        self.forced = tuple(forced)
        # Kept when the handler chose its own (a PDF preview's frame rule, a cacheable file).
        self.defaults = (
            (b"content-security-policy", CSP.encode()),
            (b"x-frame-options", b"DENY"),  # a PDF preview may be framed by us
            (b"referrer-policy", b"same-origin"),
            (b"cache-control", b"no-store"),
        )
        self.forced_names = frozenset(name for name, _ in forced)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.add(message, _frame_ancestors(scope))
            await send(message)

        await self.app(scope, receive, send_wrapper)

    def add(self, message: Message, frame_ancestors: str) -> None:
        """The headers in one pass over the response's own, which come lower-cased."""
        raw = list(message.get("headers", ()))
        names = {name for name, _ in raw}
        if frame_ancestors or names & self.forced_names:
            message["headers"] = raw
            self.secure(MutableHeaders(scope=message), frame_ancestors)  # the rare case
            return
        raw.extend(pair for pair in self.defaults if pair[0] not in names)
        raw.extend(self.forced)
        message["headers"] = raw

    def secure(self, headers: MutableHeaders, frame_ancestors: str = "") -> None:
        if frame_ancestors:  # X-Frame-Options cannot name origins: the CSP alone decides
            policy = CSP.replace("frame-ancestors 'none'", f"frame-ancestors {frame_ancestors}")
            headers["Content-Security-Policy"] = policy
        for name, value in self.defaults:
            if not (frame_ancestors and name == b"x-frame-options"):
                headers.setdefault(name.decode(), value.decode())
        for name, value in self.forced:
            headers[name.decode()] = value.decode()
