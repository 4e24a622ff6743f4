"""Offer requests on the staff side (module "offers"): the list, the list on a contact's page,
and answering one with an offer in the contract form."""

from __future__ import annotations

from typing import Any, cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.actors import CurrentUser
from tenant_app.pages import redirect, render
from tenant_app.permissions import can_use_staff_area
from tenant_app.services import contacts, offer_requests
from tenant_app.web import folder_forms
from tenant_app.web.guards import require, require_module

LIST_PAGE = "staff/offers/requests.html"
CONTACT_SECTION = "staff/offers/_contact_requests.html"
CONTRACT_FORM = "staff/folders/contract_form.html"


def _staff(request: Request) -> CurrentUser:
    require_module(request, "offers")
    return require(request, can_use_staff_area)


async def staff_offer_requests(request: Request) -> Response:
    actor = _staff(request)
    status = request.query_params.get("status", "open")
    status = status if status in offer_requests.STATUS_FILTERS else "open"
    rows = await offer_requests.request_list(actor, status=status)
    context = {"requests": rows, "status": status, "filters": offer_requests.STATUS_FILTERS}
    return render(request, LIST_PAGE, context, block="results")


async def staff_contact_offer_requests(request: Request) -> Response:
    """The contact page's section, loaded by itself (the contact page stays as it is)."""
    actor = _staff(request)
    contact = await contacts.get_visible_contact(
        actor, cast(int, request.path_params["contact_id"])
    )
    rows = await offer_requests.request_list(actor, status="all", contact_id=contact.id)
    return render(request, CONTACT_SECTION, {"requests": rows, "contact": contact})


def _form(request: Request, found: Any) -> dict[str, Any]:
    return {
        "contact": found.contact,
        "folder": offer_requests.ANSWER_FOLDER,
        "form_action": request.url_for("staff_offer_answer", request_id=found.id).path,
        "offer_request": found,
    }


async def staff_offer_answer_form(request: Request) -> Response:
    actor = _staff(request)
    found = await offer_requests.request_for(actor, cast(int, request.path_params["request_id"]))
    context = folder_forms.contract_form_context(
        offer_requests.answer_values(found), {}, with_status=True, **_form(request, found)
    )
    return render(request, CONTRACT_FORM, context)


async def staff_offer_answer(request: Request) -> Response:
    actor = _staff(request)
    found = await offer_requests.request_for(actor, cast(int, request.path_params["request_id"]))

    async def save(values: dict[str, str]) -> object:
        return await offer_requests.answer_request(actor, found, values=values)

    failed = await folder_forms.save_contract(
        request, save, template=CONTRACT_FORM, with_status=True, **_form(request, found)
    )
    if failed is not None:
        return failed
    return redirect(request, "staff_offer_requests", flash="answered")


routes = [
    Route(
        "/staff/offer-requests",
        staff_offer_requests,
        methods=["GET"],
        name="staff_offer_requests",
    ),
    Route(
        "/staff/contacts/{contact_id:id}/offer-requests",
        staff_contact_offer_requests,
        methods=["GET"],
        name="staff_contact_offer_requests",
    ),
    Route(
        "/staff/offer-requests/{request_id:id}/answer",
        staff_offer_answer_form,
        methods=["GET"],
        name="staff_offer_answer_form",
    ),
    Route(
        "/staff/offer-requests/{request_id:id}/answer",
        staff_offer_answer,
        methods=["POST"],
        name="staff_offer_answer",
    ),
]
