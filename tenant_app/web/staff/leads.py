"""Prospects (Interessenten) on the staff side: the list, a prospect's page, its status,
deleting it, and the contact form that turns it into a contact. Staff who manage contacts,
while the tenant has the module new_customers on; for anyone else: 404."""

from __future__ import annotations

from typing import Any, cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.actors import CurrentUser
from tenant_app.errors import ValidationFailed
from tenant_app.pages import redirect, render
from tenant_app.schemas.people import CONTACT_FIELDS
from tenant_app.services import contacts, leads
from tenant_app.web import forms
from tenant_app.web.guards import require, require_module

BASE = "/staff/interessenten/{lead_id:id}"


def lead_staff(request: Request) -> CurrentUser:
    """The logged-in staff member (the service checks the right: 404 without it)."""
    require_module(request, "new_customers")
    return require(request, lambda user: True)


def _lead_id(request: Request) -> int:
    return cast(int, request.path_params["lead_id"])


async def lead_list(request: Request) -> Response:
    actor = lead_staff(request)
    status = request.query_params.get("status", "open")[:20]
    page = forms.optional_id(request.query_params.get("page", "")) or 1
    found = await leads.lead_list(actor, status=status, page=page)
    context = {"leads": found, "status": status, "status_filters": leads.STATUS_FILTERS}
    context |= {"status_label": leads.status_label, "interest_label": leads.interest_label}
    return render(request, "staff/leads/list.html", context, block="results")


async def lead_detail(request: Request) -> Response:
    actor = lead_staff(request)
    context = await leads.lead_page(actor, _lead_id(request))
    return render(request, "staff/leads/detail.html", context)


async def lead_status(request: Request) -> Response:
    actor = lead_staff(request)
    form = await forms.read_form(request)
    try:
        status = forms.text(form, "status", max_chars=20)
        await leads.set_status(actor, _lead_id(request), status=status)
    except ValidationFailed:
        return redirect(request, "staff_lead_detail", lead_id=_lead_id(request))
    return redirect(request, "staff_lead_detail", flash="saved", lead_id=_lead_id(request))


async def lead_delete(request: Request) -> Response:
    actor = lead_staff(request)
    await leads.delete_lead(actor, _lead_id(request))
    return redirect(request, "staff_lead_list", flash="deleted")


async def _contact_form(
    request: Request, lead: Any, values: dict[str, Any], errors: dict[str, str], **extra: Any
) -> Response:
    context = {"lead": lead, "values": values, "errors": errors, **extra}
    context["staff"] = await contacts.staff_choices()
    status = context.pop("status_code", 200)
    return render(request, "staff/leads/convert.html", context, status_code=status)


async def lead_convert_form(request: Request) -> Response:
    actor = lead_staff(request)
    lead = await leads.lead_to_convert(actor, _lead_id(request))
    return await _contact_form(request, lead, leads.contact_values(lead), {}, responsible=[])


async def lead_convert(request: Request) -> Response:
    actor = lead_staff(request)
    lead = await leads.lead_to_convert(actor, _lead_id(request))
    form = await forms.read_form(request)
    ids = (forms.optional_id(v) for v in form.getlist("responsible") if isinstance(v, str))
    responsible = [staff_id for staff_id in ids if staff_id is not None]
    values: dict[str, str] = {}
    try:
        values = forms.texts(form, CONTACT_FIELDS, max_chars=254)
        contact = await leads.convert_lead(actor, lead.id, values=values, responsible=responsible)
    except ValidationFailed as failed:
        extra = {"responsible": responsible, "status_code": 422}
        return await _contact_form(request, lead, values, failed.errors, **extra)
    return redirect(request, "contact_detail", flash="created", contact_id=contact.id)


routes = [
    Route("/staff/interessenten", lead_list, methods=["GET"], name="staff_lead_list"),
    Route(BASE, lead_detail, methods=["GET"], name="staff_lead_detail"),
    Route(BASE + "/status", lead_status, methods=["POST"], name="staff_lead_status"),
    Route(BASE + "/loeschen", lead_delete, methods=["POST"], name="staff_lead_delete"),
    Route(BASE + "/kontakt", lead_convert_form, methods=["GET"], name="staff_lead_convert_form"),
    Route(BASE + "/kontakt", lead_convert, methods=["POST"], name="staff_lead_convert"),
]
