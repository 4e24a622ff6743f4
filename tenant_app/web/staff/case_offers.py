"""A case's offers on the staff side: entering a calculated offer, comparing offers side by
side, choosing one, its proposal and cover order, and confirming it as a contract. The
offers card itself is part of the case page (templates/staff/cases/_offers.html)."""

from __future__ import annotations

from typing import Any, cast

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from tenant_app.actors import CurrentUser
from tenant_app.errors import ValidationFailed
from tenant_app.pages import redirect, render, url_for
from tenant_app.schemas.case_offers import CASE_OFFER_FIELDS, COVER_TEXT_MAX
from tenant_app.schemas.product_lines import line_label
from tenant_app.services import case_offer_pages, case_offers, cases, offer_papers
from tenant_app.text.labels import PAYMENT_FREQUENCIES
from tenant_app.web import forms
from tenant_app.web.staff.cases import detail_page, staff_only

FORM_PAGE = "staff/case_offers/form.html"
COMPARE_PAGE = "staff/case_offers/compare.html"


async def _case(request: Request, *, edit: bool = False) -> tuple[CurrentUser, Any]:
    actor = staff_only(request)
    case_id = cast(int, request.path_params["case_id"])
    return actor, await cases.case_for(actor, case_id, edit=edit)


def _offer_id(request: Request) -> tuple[CurrentUser, int]:
    return staff_only(request), cast(int, request.path_params["offer_id"])


async def _refused(
    request: Request, actor: CurrentUser, offer_id: int, failed: ValidationFailed, **kept: Any
) -> Response:
    """The case page again, the offers card saying why (`confirm_errors` for the confirm
    form, with what was typed; else `offer_errors`)."""
    offer = await case_offers.offer_for(actor, offer_id)
    errors = {**failed.errors, "offer": str(offer_id)}
    named = {"confirm_errors": errors, "confirm_values": kept} if kept else {"offer_errors": errors}
    return await detail_page(request, actor, offer.case, status_code=failed.status_code, **named)


def _to_case(request: Request, case_id: int, flash: str) -> RedirectResponse:
    """Back to the case page, at its offers card, with the confirmation."""
    target = url_for(request, "case_detail", case_id=case_id)
    return RedirectResponse(f"{target}?{flash}=1#case-offers", 303)


def _form_page(
    request: Request, case: Any, values: dict[str, Any], errors: dict[str, str], status: int = 200
) -> Response:
    context = {"case": case, "contact": case.contact, "values": values, "errors": errors}
    context["lines"] = [(key, line_label(key)) for key in case.product_lines]
    context["frequencies"] = PAYMENT_FREQUENCIES.keys()
    return render(request, FORM_PAGE, context, status_code=status)


async def case_offer_form(request: Request) -> Response:
    _actor, case = await _case(request, edit=True)
    if cases.is_closed(case):  # its page says so, and how to reopen it
        return redirect(request, "case_detail", case_id=case.id)
    line = request.query_params.get("line", "")
    chosen = line if line in case.product_lines else case.product_lines[0]
    return _form_page(request, case, {"product_line": chosen, "payment_frequency": "yearly"}, {})


async def case_offer_create(request: Request) -> Response:
    actor, case = await _case(request, edit=True)
    state = request.app.state
    async with forms.multipart(request) as form:
        values: dict[str, Any] = {}
        try:
            values = forms.texts(form, CASE_OFFER_FIELDS, max_chars=COVER_TEXT_MAX)
            limit, upload = state.settings.max_upload_bytes, forms.upload_from(form)
            await case_offers.add_offer(
                actor, state.storage, case, values=values, upload=upload, max_bytes=limit
            )
        except ValidationFailed as failed:
            return _form_page(request, case, values, failed.errors, failed.status_code)
    return _to_case(request, case.id, "offer_added")


async def case_offer_compare(request: Request) -> Response:
    actor, case = await _case(request)
    params = request.query_params
    ids = [forms.optional_id(value) for value in params.getlist("ids")[:50]]
    line = params.get("line", "")[:40]
    found = await case_offer_pages.compare(
        actor, case, ids=[offer_id for offer_id in ids if offer_id], line=line
    )
    context = {"case": case, "contact": case.contact, "comparison": found}
    return render(request, COMPARE_PAGE, context)


async def case_offer_choose(request: Request) -> Response:
    actor, offer_id = _offer_id(request)
    try:
        offer = await case_offers.choose(actor, offer_id)
    except ValidationFailed as failed:
        return await _refused(request, actor, offer_id, failed)
    return _to_case(request, offer.case_id, "offer_chosen")


async def case_offer_papers(request: Request) -> Response:
    actor, offer_id = _offer_id(request)
    state = request.app.state
    try:
        limit = state.settings.max_upload_bytes
        offer = await offer_papers.make_papers(actor, state.storage, offer_id, max_bytes=limit)
    except ValidationFailed as failed:
        return await _refused(request, actor, offer_id, failed)
    return _to_case(request, offer.case_id, "papers_made")


async def case_offer_confirm(request: Request) -> Response:
    actor, offer_id = _offer_id(request)
    form = await forms.read_form(request)
    values: dict[str, str] = {"insurance_number": ""}
    try:
        values = forms.texts(form, ("insurance_number",), max_chars=200)
        await case_offers.confirm(actor, offer_id, values=values)
    except ValidationFailed as failed:
        return await _refused(request, actor, offer_id, failed, **values)
    offer = await case_offers.offer_for(actor, offer_id)
    return _to_case(request, offer.case_id, "offer_confirmed")


CASE = "/staff/cases/{case_id:id}/offers"
OFFER = "/staff/offers/{offer_id:id}"
routes = [
    Route(CASE + "/new", case_offer_form, methods=["GET"], name="case_offer_form"),
    Route(CASE, case_offer_create, methods=["POST"], name="case_offer_create"),
    Route(CASE + "/compare", case_offer_compare, methods=["GET"], name="case_offer_compare"),
    Route(OFFER + "/choose", case_offer_choose, methods=["POST"], name="case_offer_choose"),
    Route(OFFER + "/papers", case_offer_papers, methods=["POST"], name="case_offer_papers"),
    Route(OFFER + "/confirm", case_offer_confirm, methods=["POST"], name="case_offer_confirm"),
]
