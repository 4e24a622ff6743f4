"""Friendly error pages: branded when the tenant is known, bare when it is not."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Scope

from tenant_app.errors import NotFound, PermissionDenied, ValidationFailed
from tenant_app.resources import templates

TITLES = {
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Request too large",
    429: "Too Many Requests",
    500: "Server Error",
}


def plain_response(status: int, title: str) -> HTMLResponse:
    """A page with nothing of any tenant on it (unknown hosts, malformed requests)."""
    html = templates.get_template("errors/plain.html").render(status=status, title=title)
    return HTMLResponse(html, status_code=status)


def render_error(scope: Scope, status: int, *, reason: str = "") -> Response:
    state: dict[str, Any] = scope.get("state", {})
    if state.get("tenant") is None:
        return plain_response(status, TITLES.get(status, "Error"))
    from tenant_app.htmx import base_context

    request = Request(scope)
    context = base_context(request) | {"status": status, "reason": reason}
    try:
        html = templates.get_template("errors/error.html").render(context)
    except Exception:  # noqa: BLE001 - an error page must never fail in turn
        return plain_response(status, TITLES.get(status, "Error"))
    return HTMLResponse(html, status_code=status)


async def http_exception(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    return render_error(request.scope, status)


async def not_found(request: Request, exc: Exception) -> Response:
    return render_error(request.scope, 404)


async def permission_denied(request: Request, exc: Exception) -> Response:
    return render_error(request.scope, 403)


async def invalid_input(request: Request, exc: Exception) -> Response:
    """Input a handler did not expect at all (e.g. a repeated field): refuse, change nothing."""
    return render_error(request.scope, 400)


exception_handlers = {
    ValidationFailed: invalid_input,
    HTTPException: http_exception,
    NotFound: not_found,
    PermissionDenied: permission_denied,
}
