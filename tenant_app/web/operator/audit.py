"""Operator console: the audit of operator actions, newest first, a page at a time."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.pages import render
from tenant_app.services import operator_audit
from tenant_app.web import forms
from tenant_app.web.operator.backoffices import require_operator

PAGE = "operator/audit.html"


async def operator_audit_page(request: Request) -> Response:
    actor = require_operator(request)
    page = forms.optional_id(request.query_params.get("page", "")) or 1
    audit = await operator_audit.audit_page(actor, page=page)
    return render(request, PAGE, {"audit": audit})


routes = [
    Route("/operator/audit", operator_audit_page, methods=["GET"], name="operator_audit"),
]
