"""Request id, access log, and a last-resort 500 page."""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tenant_app.edge.state import state_of
from tenant_app.logs import log, request_id_var
from tenant_app.pages import render_error
from tenant_app.settings import Settings

logger = logging.getLogger("tenant_app.request")

_LINK_SECRET = re.compile(r"^(/passwort/)[^/]+")


def loggable_path(path: str) -> str:
    """The path without the secret of an e-mailed link (a log must not hold a usable link)."""
    return _LINK_SECRET.sub(r"\1…", path)


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app

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
                MutableHeaders(scope=message)["X-Request-ID"] = request_id
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
            tenant = state_of(scope).get("tenant")
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
