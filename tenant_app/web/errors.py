"""Domain exceptions and HTTP errors turned into friendly pages."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from tenant_app.errors import NotFound, PermissionDenied, ValidationFailed
from tenant_app.files.storage import StorageFull, StorageUnavailable
from tenant_app.logs import log
from tenant_app.pages import render_error
from tenant_app.services.storage_alerts import report_storage_full

logger = logging.getLogger("tenant_app.request")


async def http_exception(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if status in (400, 413):  # Starlette's form parser refusing a body: say why, in one line
        detail = exc.detail if isinstance(exc, HTTPException) else ""
        log(logger, logging.WARNING, "request refused", status=status, reason=detail)
    return render_error(request.scope, status)


async def not_found(request: Request, exc: Exception) -> Response:
    return render_error(request.scope, 404)


async def permission_denied(request: Request, exc: Exception) -> Response:
    return render_error(request.scope, 403)


async def invalid_input(request: Request, exc: Exception) -> Response:
    """Input a handler did not expect at all (e.g. a repeated field): refuse, change nothing."""
    return render_error(request.scope, 400)


async def storage_full(request: Request, exc: Exception) -> Response:
    """A full disk refuses the upload with 507 and a page saying so; the admins are told."""
    user = request.scope.get("state", {}).get("user")
    await report_storage_full(user, settings=request.app.state.settings)
    return render_error(request.scope, 507, reason=getattr(exc, "reason", ""))


async def storage_unavailable(request: Request, exc: Exception) -> Response:
    """The object store cannot be reached: 503 and a page saying nothing was kept (the
    services remove what they had written); it passes when the store is back."""
    log(logger, logging.ERROR, "file storage unavailable", error=str(exc))
    response = render_error(request.scope, 503, reason="storage")
    response.headers["Retry-After"] = "60"
    return response


exception_handlers = {
    ValidationFailed: invalid_input,
    HTTPException: http_exception,
    NotFound: not_found,
    PermissionDenied: permission_denied,
    StorageFull: storage_full,
    StorageUnavailable: storage_unavailable,
}
