"""Working a tender on the backoffice's side: a message to the broker (with a file), an
insurer's offer (a draft, with its document), releasing a draft to the broker, and the number
of insurers asked. A refused form shows the tender's page again with the messages next to
the fields (web/backoffice/tender.py)."""

from __future__ import annotations

from typing import cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.errors import ValidationFailed
from tenant_app.pages import redirect
from tenant_app.schemas.tender_offers import FIELDS
from tenant_app.schemas.tickets import MAX_BODY
from tenant_app.services import backoffice_tender as service
from tenant_app.web import forms
from tenant_app.web.backoffice import backoffice_person, tender_id
from tenant_app.web.backoffice.tender import backoffice_tender
from tenant_app.web.conversations import context


def _back(request: Request, flash: str) -> Response:
    return redirect(request, "backoffice_tender", flash=flash, tender_id=tender_id(request))


async def backoffice_message(request: Request) -> Response:
    """A message to the broker: the tender then waits for the broker's answer."""
    actor = backoffice_person(request)
    values: dict[str, str] = {}
    async with forms.multipart(request) as form:
        try:
            values["body"] = forms.text(form, "body", max_chars=MAX_BODY)
            upload = forms.upload_from(form)
            await service.write_message(
                context(request), actor, tender_id(request), body=values["body"], upload=upload
            )
        except ValidationFailed as refused:
            return await backoffice_tender(
                request, failed="message", errors=refused.errors, values=values
            )
    return _back(request, "sent")


async def backoffice_offer_create(request: Request) -> Response:
    """An insurer's offer as a draft; the broker sees it once released."""
    actor = backoffice_person(request)
    values: dict[str, str] = {}
    async with forms.multipart(request) as form:
        try:
            values = forms.texts(form, FIELDS, max_chars=6000)
            upload = forms.upload_from(form)
            await service.create_offer(context(request), actor, tender_id(request), values, upload)
        except ValidationFailed as refused:
            return await backoffice_tender(
                request, failed="offer", errors=refused.errors, values=values
            )
    return _back(request, "offer_added")


async def backoffice_offer_release(request: Request) -> Response:
    actor = backoffice_person(request)
    offer_id = cast(int, request.path_params["offer_id"])
    try:
        await service.release_offer(actor, tender_id(request), offer_id)
    except ValidationFailed as refused:
        return await backoffice_tender(request, failed="release", errors=refused.errors)
    return _back(request, "released")


async def backoffice_insurers(request: Request) -> Response:
    """How many insurers were asked: the x of "n of x insurers with offers"."""
    actor = backoffice_person(request)
    form = await forms.read_form(request)
    values: dict[str, str] = {}
    try:
        values["insurers_asked"] = forms.text(form, "insurers_asked", max_chars=10)
        await service.set_insurers(actor, tender_id(request), values["insurers_asked"])
    except ValidationFailed as refused:
        return await backoffice_tender(
            request, failed="insurers", errors=refused.errors, values=values
        )
    return _back(request, "insurers")


BASE = "/backoffice/tenders/{tender_id:id}"
routes = [
    Route(BASE + "/messages", backoffice_message, methods=["POST"], name="backoffice_message"),
    Route(
        BASE + "/offers", backoffice_offer_create, methods=["POST"], name="backoffice_offer_create"
    ),
    Route(
        BASE + "/offers/{offer_id:id}/release",
        backoffice_offer_release,
        methods=["POST"],
        name="backoffice_offer_release",
    ),
    Route(BASE + "/insurers", backoffice_insurers, methods=["POST"], name="backoffice_insurers"),
]
