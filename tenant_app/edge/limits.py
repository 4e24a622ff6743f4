"""What a request may be: well-formed, not too large, its body not too slow.

A refusal is one short log line (a warning, never a traceback) and an error page that closes
the connection, so whatever is left of a bad body cannot hold it for another request. A
client that goes away mid-body raises Starlette's `ClientDisconnect` (logged by `context`).
"""

from __future__ import annotations

import asyncio
import logging
import re
from urllib.parse import unquote_to_bytes

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tenant_app.logs import log
from tenant_app.pages import render_error
from tenant_app.settings import Settings

logger = logging.getLogger("tenant_app.request")

MAX_FIELDS = 1000  # in a query string or url-encoded form (handlers allow far fewer)
MAX_FORM_BYTES = 2 * 1024 * 1024  # a url-encoded form is text only: files come as multipart
_BAD_ESCAPE = re.compile(rb"%(?![0-9A-Fa-f]{2})")
# RFC 2046: 1-70 characters; quoted boundaries may also hold spaces (not at the end)
_BOUNDARY = re.compile(r"[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]")
_BOUNDARY_PARAM = re.compile(r';\s*boundary=(?:"([^"]*)"|([^";\s]*))', re.IGNORECASE)


class Refused(Exception):
    """The request cannot be served as sent: answered with `status`, logged with the reason."""

    status = 400

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Malformed(Refused):
    status = 400


class BodyTimeout(Refused):
    status = 408


class TooLarge(Refused):
    status = 413


def urlencoded_problem(data: bytes) -> str | None:
    """Why a query string or url-encoded form is malformed, or None when it is well-formed.

    Browsers always send percent-encoded UTF-8; anything else (and NUL, which PostgreSQL
    cannot store) is refused here once instead of half-parsed leniently further in.
    """
    if data.count(b"&") >= MAX_FIELDS:
        return "too many fields"
    if not data.isascii():
        return "raw non-ASCII bytes"
    if _BAD_ESCAPE.search(data):
        return "invalid percent-encoding"
    try:
        decoded = unquote_to_bytes(data.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return "not UTF-8"
    return "NUL character" if "\x00" in decoded else None


def _check_head(scope: Scope, limit: int) -> _BodyCheck | None:
    """Refuse what the request line and headers alone show; the check its body needs."""
    if problem := urlencoded_problem(scope.get("query_string", b"")):
        raise Malformed(f"query string: {problem}")
    headers = Headers(scope=scope)
    declared = headers.get("content-length")
    if declared is not None:
        if not (declared.isascii() and declared.isdigit()) or len(declared) > 18:
            raise Malformed("invalid Content-Length")
        if int(declared) > limit:
            raise TooLarge("Content-Length over the limit")
    content_type = headers.get("content-type", "")
    media_type = content_type.partition(";")[0].strip().lower()
    if media_type == "application/x-www-form-urlencoded":
        if declared is not None and int(declared) > MAX_FORM_BYTES:
            raise TooLarge("url-encoded form over the limit")
        return _FormCheck()
    if media_type == "multipart/form-data":
        found = _BOUNDARY_PARAM.search(content_type)
        boundary = (found.group(1) or found.group(2)) if found else ""
        if not _BOUNDARY.fullmatch(boundary):
            raise Malformed("multipart boundary missing or invalid")
        return _MultipartCheck(boundary.encode("latin-1"))
    return None


class _BodyCheck:
    def feed(self, chunk: bytes, *, final: bool) -> None:
        raise NotImplementedError


class _FormCheck(_BodyCheck):
    """Collects a url-encoded body (it is small) and checks it once complete."""

    def __init__(self) -> None:
        self.body = bytearray()

    def feed(self, chunk: bytes, *, final: bool) -> None:
        self.body += chunk
        if len(self.body) > MAX_FORM_BYTES:
            raise TooLarge("url-encoded form over the limit")
        if final and (problem := urlencoded_problem(bytes(self.body))):
            raise Malformed(f"form: {problem}")


class _MultipartCheck(_BodyCheck):
    """The framing a parser forgives: the body must open with the boundary and be closed by
    it, so a cut-off upload is refused instead of read as a shorter form."""

    def __init__(self, boundary: bytes) -> None:
        self.opening = b"--" + boundary
        self.closing = b"--" + boundary + b"--"
        self.head = b""
        self.tail = b""

    def feed(self, chunk: bytes, *, final: bool) -> None:
        if len(self.head) <= len(self.opening):
            self.head += chunk[: len(self.opening) + 2]
            if (len(self.head) > len(self.opening) or final) and not self.head.startswith(
                self.opening
            ):
                raise Malformed("multipart body does not start with its boundary")
        self.tail = (self.tail + chunk)[-(len(self.closing) + 8) :]
        if final and not self.tail.rstrip(b" \t\r\n").endswith(self.closing):
            raise Malformed("multipart body is not closed by its boundary")


class _Body:
    """The request's `receive`, bounded in size and time and checked for well-formedness."""

    def __init__(self, scope: Scope, check: _BodyCheck | None, settings: Settings) -> None:
        self.check = check
        self.limit = settings.max_body_bytes
        self.idle = float(settings.body_idle_seconds)
        self.deadline = asyncio.get_running_loop().time() + settings.body_timeout_seconds
        self.received = 0
        # Without Content-Length or Transfer-Encoding a request has no body (RFC 9112 6.3).
        headers = Headers(scope=scope)
        self.complete = headers.get("content-length", "0") == "0" and (
            "transfer-encoding" not in headers
        )

    async def receive(self, receive_next: Receive) -> Message:
        if self.complete:  # afterwards only a disconnect can come, whenever the client leaves
            return await receive_next()
        wait = min(self.idle, self.deadline - asyncio.get_running_loop().time())
        try:
            if wait <= 0:
                raise TimeoutError
            async with asyncio.timeout(wait):
                message = await receive_next()
        except TimeoutError:
            raise BodyTimeout(f"body not complete after {self.received} bytes") from None
        if message["type"] == "http.disconnect":
            raise ClientDisconnect
        chunk = message.get("body", b"")
        self.received += len(chunk)
        if self.received > self.limit:
            raise TooLarge("body over the limit")
        final = not message.get("more_body", False)
        if self.check is not None:
            self.check.feed(chunk, final=final)
        self.complete = final
        return message


async def refuse(scope: Scope, receive: Receive, send: Send, refused: Refused) -> None:
    """Answer a refused request (and close its connection); one warning line says why."""
    log(logger, logging.WARNING, "request refused", status=refused.status, reason=refused.reason)
    response = render_error(scope, refused.status)
    response.headers["Connection"] = "close"
    await response(scope, receive, send)


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            check = _check_head(scope, self.settings.max_body_bytes)
        except Refused as refused:
            await refuse(scope, receive, send, refused)
            return
        body = _Body(scope, check, self.settings)
        started = False

        async def body_receive() -> Message:
            return await body.receive(receive)

        async def send_wrapper(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if not body.complete:
                    # The unread rest would keep the connection (and uvicorn reading it) busy.
                    MutableHeaders(scope=message)["Connection"] = "close"
            await send(message)

        try:
            await self.app(scope, body_receive, send_wrapper)
        except Refused as refused:
            if started:  # too late for a page: the connection ends with the unfinished one
                log(logger, logging.WARNING, "request refused", reason=refused.reason)
                return
            await refuse(scope, receive, send, refused)
