"""The backoffice's queue: the tenders of the engaging tenants, by due date, with tabs."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.pages import render
from tenant_app.services import backoffice_queue as queue_service
from tenant_app.text import backoffice_labels
from tenant_app.web import forms
from tenant_app.web.backoffice import backoffice_person


async def backoffice_queue(request: Request) -> Response:
    actor = backoffice_person(request)
    page = forms.optional_id(request.query_params.get("page", "1")) or 1
    queue = await queue_service.backoffice_queue(
        actor, filter_name=request.query_params.get("filter", ""), page=min(page, 99999)
    )
    context = {"queue": queue, "labels": backoffice_labels}
    return render(request, "backoffice/queue.html", context, block="results")


routes = [Route("/backoffice", backoffice_queue, methods=["GET"], name="backoffice_queue")]
