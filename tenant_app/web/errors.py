"""Domain exceptions and HTTP errors turned into friendly pages."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from tenant_app.errors import NotFound, PermissionDenied, ValidationFailed
from tenant_app.pages import render_error


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
