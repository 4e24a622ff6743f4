"""Request id, access log, and the last resort: a 503 page while the database does not
answer, a 500 page for anything else unexpected, a short line for a client that left."""

from __future__ import annotations

import logging
import os
import re
import time

from starlette.datastructures import MutableHeaders
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tenant_app import db
from tenant_app.db_pool import Lease
from tenant_app.edge.state import state_of
from tenant_app.logs import log, request_id_var
from tenant_app.pages import render_error
from tenant_app.settings import Settings

logger = logging.getLogger("tenant_app.request")

_LINK_SECRET = re.compile(r"^(/passwort/)[^/]+")
CLIENT_GONE = 499  # the access log's status when no answer could be sent (as nginx logs it)


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
        request_id = os.urandom(8).hex()  # as uuid4().hex[:16] was, without the UUID object
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = {"code": 500, "sent": False}
        lease, lease_token = Lease.begin()

        async def receive_wrapper() -> Message:
            await lease.give_back()  # a body streaming in holds no connection
            return await receive()

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                await lease.end()  # what the answer streams needs none
                status["code"] = message["status"]
                status["sent"] = True
                MutableHeaders(scope=message)["X-Request-ID"] = request_id
            await send(message)

        try:
            await self.app(scope, receive_wrapper, send_wrapper)
        except ClientDisconnect:
            status["code"] = CLIENT_GONE
            log(logger, logging.INFO, "client disconnected before its request was read")
        except Exception as error:
            unavailable = db.is_unavailable(error)
            if unavailable:
                # Expected while the database is frozen or down: one line, no traceback.
                log(logger, logging.WARNING, "database unavailable", error=repr(error)[:200])
            else:
                logger.exception(
                    "unhandled error",
                    extra={"fields": {"path": loggable_path(scope.get("path", ""))}},
                )
            if not status["sent"]:
                response = render_error(scope, 503 if unavailable else 500)
                if unavailable:
                    response.headers["Retry-After"] = "30"  # seconds
                await response(scope, receive, send_wrapper)
        finally:
            await lease.end()
            Lease.forget(lease_token)
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
