"""Operator console: the platform's health (database, file storage, mail queue, failures of
the last day, the schema's migration), measured when the page is loaded."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.pages import render
from tenant_app.services import operator_health
from tenant_app.web.operator.backoffices import require_operator

PAGE = "operator/health.html"


async def operator_health_page(request: Request) -> Response:
    actor = require_operator(request)
    checks = await operator_health.health(actor, request.app.state.storage)
    states = {check.state for check in checks}
    overall = next(s for s in ("fail", "warn", "ok") if s in states)
    context = {"checks": checks, "overall": overall}
    return render(request, PAGE, context, headers={"Cache-Control": "no-store"})


routes = [
    Route("/operator/health", operator_health_page, methods=["GET"], name="operator_health"),
]
