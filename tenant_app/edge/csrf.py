"""Every unsafe request needs the exact Origin and the session's CSRF token."""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable
from urllib.parse import unquote_plus, urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tenant_app.edge.state import is_api, state_of
from tenant_app.pages import render_error
from tenant_app.settings import Settings

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

_FIRST_PART_RE = re.compile(
    rb"^--[^\r\n]+\r\n"
    rb'Content-Disposition: form-data; name="csrf_token"\r\n\r\n([^\r\n]{1,200})\r\n',
    re.IGNORECASE,
)
FORM_PEEK_LIMIT = 1024 * 1024  # bytes buffered to find the token in a url-encoded form
MULTIPART_PEEK_LIMIT = 64 * 1024  # the token must be the first part of a multipart form


class CsrfMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = state_of(scope)
        if (
            scope["type"] != "http"
            or scope["method"] not in UNSAFE_METHODS
            or "tenant" not in state
            or is_api(scope)  # token-authenticated, never by a cookie (edge/session.py)
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
        if not expected or not supplied or not _same(supplied, expected):
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
        try:
            parts = urlsplit(referer)
        except ValueError:  # e.g. an unclosed "[" of an IPv6 host
            return False
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
    return _first_field(body, b"csrf_token="), buffered


def _first_field(body: bytes, prefix: bytes) -> str | None:
    """One field of a url-encoded form, found without parsing the whole form: the handler
    parses it once, and the body limits have already checked its shape and field count."""
    for field in body.split(b"&"):
        if field.startswith(prefix):
            return unquote_plus(field[len(prefix) :].decode("latin-1"))
    return None


def _same(supplied: str, expected: str) -> bool:
    # compare_digest refuses str with non-ASCII characters, which a client may well send
    return secrets.compare_digest(supplied.encode(), expected.encode())


def _replaying(buffered: list[Message], receive: Receive) -> Callable[[], Awaitable[Message]]:
    pending = list(buffered)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay
