"""Offers in the portal (module "offers"): the customer's open offers, accepting one after a
confirmation step, asking about one, and asking for a new one."""

from __future__ import annotations

from typing import Any, cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.actors import CurrentUser
from tenant_app.errors import ValidationFailed
from tenant_app.pages import redirect, render
from tenant_app.services import offer_requests, offers, ticket_pages, tickets
from tenant_app.services.versions import VERSION_FIELD, version_of
from tenant_app.web import conversations, forms
from tenant_app.web.guards import require_module
from tenant_app.web.portal.home import portal_customer

OFFERS_PAGE = "portal/offers/list.html"
ACCEPT_PAGE = "portal/offers/accept.html"
QUESTION_PAGE = "portal/offers/question.html"
REQUEST_PAGE = "portal/offers/request.html"
MAX_TEXT = 20_000  # characters read from a form field; the schemas say what fits


def _customer(request: Request) -> CurrentUser:
    require_module(request, "offers")
    user, _contact_id = portal_customer(request)
    return user


def _offer_id(request: Request) -> int:
    return cast(int, request.path_params["offer_id"])


async def portal_offers(request: Request) -> Response:
    user = _customer(request)
    context = {
        "offers": await offers.open_offers(user),
        "today": offers.today(),
        "may_request": await tickets.may_use_tickets(user),
    }
    return render(request, OFFERS_PAGE, context)


def _closed(request: Request, closed: offers.OfferClosed) -> Response:
    """No open offer any more (a second submit, an old link): its folder says why."""
    flash = "offer_done" if closed.accepted else "offer_closed"
    return redirect(request, "portal_folder", flash=flash, folder=closed.folder)


async def _accept_page(request: Request, user: CurrentUser, errors: dict[str, str]) -> Response:
    try:
        page = await offers.offer_page(user, _offer_id(request))
    except offers.OfferClosed as closed:
        return _closed(request, closed)
    status = 422 if errors else 200
    return render(request, ACCEPT_PAGE, {"page": page, "errors": errors}, status_code=status)


async def portal_offer_accept_form(request: Request) -> Response:
    return await _accept_page(request, _customer(request), {})


async def portal_offer_accept(request: Request) -> Response:
    user = _customer(request)
    form = await forms.read_form(request)
    try:
        offer = await offers.accept_offer(
            user,
            request.app.state.storage,
            contract_id=_offer_id(request),
            version=version_of({VERSION_FIELD: forms.text(form, VERSION_FIELD)}),
            client=forms.client_address(request),
            user_agent=request.headers.get("user-agent", ""),
        )
    except ValidationFailed as refused:
        return await _accept_page(request, user, refused.errors)
    except offers.OfferClosed as closed:
        return _closed(request, closed)
    return redirect(request, "portal_folder", flash="offer_accepted", folder=offer.folder)


async def _question_page(
    request: Request, user: CurrentUser, values: dict[str, Any], errors: dict[str, str]
) -> Response:
    try:
        page = await offers.offer_page(user, _offer_id(request))
    except offers.OfferClosed as closed:
        return _closed(request, closed)
    form = await ticket_pages.new_ticket_form(user)  # NotFound while communication is off
    values.setdefault("subject", offers.question_subject(page.contract))
    first = form.staff[0].id if form.staff else ""
    values.setdefault("staff_id", str(form.preferred_staff_id or first))
    context = {"page": page, "staff": form.staff, "values": values, "errors": errors}
    return render(request, QUESTION_PAGE, context, status_code=422 if errors else 200)


async def portal_offer_question_form(request: Request) -> Response:
    return await _question_page(request, _customer(request), {}, {})


async def portal_offer_question(request: Request) -> Response:
    user = _customer(request)
    async with forms.multipart(request) as form:
        values = forms.texts(form, ("staff_id", "subject", "body"), max_chars=MAX_TEXT)
        try:
            ticket = await offers.ask_about_offer(
                conversations.context(request),
                user,
                contract_id=_offer_id(request),
                staff_id=forms.optional_id(values["staff_id"]),
                subject=values["subject"],
                body=values["body"],
                upload=forms.upload_from(form),
            )
        except ValidationFailed as invalid:
            return await _question_page(request, user, values, invalid.errors)
    return redirect(request, "portal_ticket_detail", flash="created", ticket_id=ticket.id)


async def _request_page(
    request: Request, user: CurrentUser, values: dict[str, Any], errors: dict[str, str]
) -> Response:
    await tickets.own_contact_id(user)  # NotFound while communication is off
    context = {"values": values, "errors": errors, "lines": offer_requests.product_line_choices()}
    return render(request, REQUEST_PAGE, context, status_code=422 if errors else 200)


async def portal_offer_request_form(request: Request) -> Response:
    user = _customer(request)
    line = request.query_params.get("line", "")[:40]
    return await _request_page(request, user, {"product_line": line}, {})


async def portal_offer_request(request: Request) -> Response:
    user = _customer(request)
    async with forms.multipart(request) as form:
        values = forms.texts(form, ("product_line", "description"), max_chars=MAX_TEXT)
        try:
            await offer_requests.request_offer(
                conversations.context(request), user, values=values, upload=forms.upload_from(form)
            )
        except ValidationFailed as invalid:
            return await _request_page(request, user, values, invalid.errors)
    return redirect(request, "portal_offers", flash="requested")


routes = [
    Route("/portal/offers", portal_offers, methods=["GET"], name="portal_offers"),
    Route(
        "/portal/offers/request",
        portal_offer_request_form,
        methods=["GET"],
        name="portal_offer_request_form",
    ),
    Route(
        "/portal/offers/request",
        portal_offer_request,
        methods=["POST"],
        name="portal_offer_request",
    ),
    Route(
        "/portal/offers/{offer_id:id}/accept",
        portal_offer_accept_form,
        methods=["GET"],
        name="portal_offer_accept_form",
    ),
    Route(
        "/portal/offers/{offer_id:id}/accept",
        portal_offer_accept,
        methods=["POST"],
        name="portal_offer_accept",
    ),
    Route(
        "/portal/offers/{offer_id:id}/question",
        portal_offer_question_form,
        methods=["GET"],
        name="portal_offer_question_form",
    ),
    Route(
        "/portal/offers/{offer_id:id}/question",
        portal_offer_question,
        methods=["POST"],
        name="portal_offer_question",
    ),
]
