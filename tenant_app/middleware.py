"""Pure-ASGI middleware, outermost first: request context, body limit, tenant, session, CSRF.

Pure ASGI (not BaseHTTPMiddleware) so context variables set here reach the handlers.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs, urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tenant_app import i18n
from tenant_app.logs import log, request_id_var
from tenant_app.models.scoping import enter_tenant_scope, leave_tenant_scope
from tenant_app.services import sessions
from tenant_app.settings import Settings
from tenant_app.tenancy import MalformedHost, normalize_host, tenant_cache
from tenant_app.web import cookies
from tenant_app.web.errors import plain_response, render_error

logger = logging.getLogger("tenant_app.request")

TENANTLESS_PREFIXES = ("/healthz", "/static/")
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
ANON_CSRF_MAX_AGE = 12 * 3600  # seconds


_LINK_SECRET = re.compile(r"^(/passwort/)[^/]+")


def loggable_path(path: str) -> str:
    """The path without the secret of an e-mailed link (a log must not hold a usable link)."""
    return _LINK_SECRET.sub(r"\1…", path)


def _state(scope: Scope) -> dict[str, Any]:
    return scope.setdefault("state", {})  # type: ignore[no-any-return]


class RequestContextMiddleware:
    """Request id, access log, security headers, and a last-resort 500 page."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex[:16]
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = {"code": 500, "sent": False}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                status["sent"] = True
                headers = MutableHeaders(scope=message)
                self._secure(headers)
                headers["X-Request-ID"] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception:
            logger.exception(
                "unhandled error", extra={"fields": {"path": loggable_path(scope.get("path", ""))}}
            )
            if not status["sent"]:
                response = render_error(scope, 500)
                await response(scope, receive, send_wrapper)
        finally:
            tenant = _state(scope).get("tenant")
            log(
                logger,
                logging.INFO,
                "request",
                method=scope.get("method"),
                path=loggable_path(scope.get("path", "")),
                status=status["code"],
                ms=round((time.perf_counter() - started) * 1000, 1),
                tenant=tenant.slug if tenant else None,
            )
            request_id_var.reset(token)

    def _secure(self, headers: MutableHeaders) -> None:
        headers.setdefault("Content-Security-Policy", CSP)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers.setdefault("Referrer-Policy", "same-origin")
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(self), microphone=(), geolocation=()"
        if not self.settings.is_development:
            headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
        if "cache-control" not in headers:
            headers["Cache-Control"] = "no-store"


class BodyLimitMiddleware:
    """Refuse request bodies over the limit, whether announced or streamed."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.limit = settings.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await plain_response(413, "Request too large")(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge
            return message

        try:
            await self.app(scope, limited_receive, send)
        except BodyTooLarge:
            await plain_response(413, "Request too large")(scope, receive, send)


class BodyTooLarge(Exception):
    pass


class TenantMiddleware:
    """Resolve the tenant once, from the Host header only, and scope all data access to it."""

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
        _state(scope)["tenant"] = tenant
        token = enter_tenant_scope(tenant.id)
        try:
            await self.app(scope, receive, send)
        finally:
            leave_tenant_scope(token)


def _read_cookies(scope: Scope) -> dict[str, str]:
    """The request's cookies, parsed once (SimpleCookie is slow and the header is long)."""
    raw = Headers(scope=scope).get("cookie")
    if not raw:
        return {}
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:  # noqa: BLE001 - a mangled cookie header is just no cookie
        return {}
    return {name: morsel.value for name, morsel in jar.items()}


class SessionMiddleware:
    """Load the logged-in user (one joined query) and the CSRF token; pick the language."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.idle = timedelta(minutes=settings.session_idle_minutes)
        self.absolute = timedelta(hours=settings.session_max_hours)
        self.session_cookie = cookies.cookie_name(settings, "session")
        self.csrf_cookie = cookies.cookie_name(settings, "csrf")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = _state(scope)
        tenant = state.get("tenant")
        if tenant is None:
            await self.app(scope, receive, send)
            return
        extra_cookies: list[bytes] = []
        user = None
        jar = _read_cookies(scope)
        secret = cookies.unsign(
            self.settings,
            "session",
            tenant.id,
            jar.get(self.session_cookie),
            max_age=self.settings.session_max_hours * 3600,
        )
        if secret:
            user = await sessions.load_session(
                tenant.id, secret, idle=self.idle, absolute=self.absolute
            )
        if secret and user is None or (jar.get(self.session_cookie) and not secret):
            extra_cookies.append(
                cookies.set_cookie_header(self.settings, self.session_cookie, "", max_age=0)
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
        locale = i18n.negotiate(
            Headers(scope=scope).get("accept-language"), user.language if user else None
        )
        state["locale"] = locale
        locale_token = i18n.set_locale(locale)
        form_token = i18n.set_address_form(tenant.address_form)

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start" and extra_cookies:
                headers = MutableHeaders(scope=message)
                for cookie in extra_cookies:
                    headers.append("set-cookie", cookie.decode("latin-1"))
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            i18n._current_locale.reset(locale_token)  # type: ignore[arg-type]
            i18n._address_form.reset(form_token)  # type: ignore[arg-type]


_FIRST_PART_RE = re.compile(
    rb"^--[^\r\n]+\r\n"
    rb'Content-Disposition: form-data; name="csrf_token"\r\n\r\n([^\r\n]{1,200})\r\n',
    re.IGNORECASE,
)
FORM_PEEK_LIMIT = 1024 * 1024  # bytes buffered to find the token in a url-encoded form
MULTIPART_PEEK_LIMIT = 64 * 1024  # the token must be the first part of a multipart form


class CsrfMiddleware:
    """Every unsafe request needs the exact Origin and the session's CSRF token."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = _state(scope)
        if (
            scope["type"] != "http"
            or scope["method"] not in UNSAFE_METHODS
            or "tenant" not in state
        ):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if not _origin_matches(scope, headers):
            await render_error(scope, 403, reason="origin")(scope, receive, send)
            return
        expected = state.get("csrf_token") or ""
        supplied = headers.get("x-csrf-token")
        replay: list[Message] = []
        if supplied is None:
            supplied, replay = await _token_from_body(headers, receive)
        if not expected or not supplied or not secrets.compare_digest(supplied, expected):
            await render_error(scope, 403, reason="csrf")(scope, receive, send)
            return
        await self.app(scope, _replaying(replay, receive), send)


def _origin_matches(scope: Scope, headers: Headers) -> bool:
    expected = f"{scope.get('scheme', 'http')}://{headers.get('host', '')}".lower()
    origin = headers.get("origin")
    if origin is None or origin == "null":
        referer = headers.get("referer")
        if not referer:
            # Pages sent with `Referrer-Policy: no-referrer` (the e-mailed link pages) make
            # browsers send `Origin: null` and no Referer. Then only the browser's own
            # Sec-Fetch-Site header (which scripts cannot set) can vouch for the origin.
            return origin == "null" and headers.get("sec-fetch-site") == "same-origin"
        parts = urlsplit(referer)
        origin = f"{parts.scheme}://{parts.netloc}"
    return origin.lower() == expected


async def _token_from_body(headers: Headers, receive: Receive) -> tuple[str | None, list[Message]]:
    content_type = headers.get("content-type", "")
    multipart = content_type.startswith("multipart/form-data")
    if not multipart and not content_type.startswith("application/x-www-form-urlencoded"):
        return None, []
    limit = MULTIPART_PEEK_LIMIT if multipart else FORM_PEEK_LIMIT
    buffered: list[Message] = []
    body = b""
    while True:
        message = await receive()
        buffered.append(message)
        if message["type"] != "http.request":
            break
        body += message.get("body", b"")
        if multipart and (match := _FIRST_PART_RE.match(body)):
            return match.group(1).decode("latin-1"), buffered
        if not message.get("more_body") or len(body) > limit:
            break
    if multipart:
        return None, buffered
    values = parse_qs(body.decode("latin-1"), max_num_fields=1000).get("csrf_token")
    return (values[0] if values else None), buffered


def _replaying(buffered: list[Message], receive: Receive) -> Callable[[], Awaitable[Message]]:
    pending = list(buffered)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay
