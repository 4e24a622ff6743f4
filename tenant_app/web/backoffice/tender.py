"""A tender on the backoffice's side: its page (the frozen risk, messages, offers), taking it,
handing it to a colleague, and the documents it hands over. Writing, offers and the number of
insurers asked are in web/backoffice/work.py."""

from __future__ import annotations

from typing import cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.errors import ValidationFailed
from tenant_app.pages import redirect, render
from tenant_app.services import backoffice_tender as service
from tenant_app.text import backoffice_labels
from tenant_app.web import forms
from tenant_app.web.backoffice import backoffice_person, tender_id
from tenant_app.web.downloads import download_response

TEMPLATE = "backoffice/tender.html"


async def backoffice_tender(
    request: Request,
    *,
    failed: str = "",
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    """The tender's page; with `failed`, again after that form was refused (422)."""
    actor = backoffice_person(request)
    page = await service.tender_page(actor, tender_id(request))
    context = {
        "page": page,
        "tender": page.tender,
        "labels": backoffice_labels,
        "failed": failed,
        "errors": errors or {},
        "values": values or {},
    }
    return render(request, TEMPLATE, context, status_code=422 if failed else 200)


async def backoffice_take(request: Request) -> Response:
    actor = backoffice_person(request)
    await service.take_tender(actor, tender_id(request))
    return redirect(request, "backoffice_tender", flash="taken", tender_id=tender_id(request))


async def backoffice_hand_over(request: Request) -> Response:
    """Hand the tender to a colleague of the same backoffice."""
    actor = backoffice_person(request)
    form = await forms.read_form(request)
    values: dict[str, str] = {}
    try:
        values["user_id"] = forms.text(form, "user_id", max_chars=12)
        user_id = forms.optional_id(values["user_id"]) or 0
        await service.hand_over_tender(actor, tender_id(request), user_id)
    except ValidationFailed as refused:
        return await backoffice_tender(
            request, failed="hand_over", errors=refused.errors, values=values
        )
    return redirect(request, "backoffice_tender", flash="handed_over", tender_id=tender_id(request))


async def backoffice_document(request: Request) -> Response:
    """A document of the frozen risk, a message or an offer of this tender, nothing else."""
    actor = backoffice_person(request)
    document_id = cast(int, request.path_params["document_id"])
    document = await service.document(actor, tender_id(request), document_id)
    return download_response(request.app.state.storage, document)


BASE = "/backoffice/tenders/{tender_id:id}"
routes = [
    Route(BASE, backoffice_tender, methods=["GET"], name="backoffice_tender"),
    Route(BASE + "/take", backoffice_take, methods=["POST"], name="backoffice_take"),
    Route(BASE + "/hand-over", backoffice_hand_over, methods=["POST"], name="backoffice_hand_over"),
    Route(
        BASE + "/documents/{document_id:id}",
        backoffice_document,
        methods=["GET"],
        name="backoffice_document",
    ),
]
