"""Claims (Schäden) on the staff side: the tenant's list, a claim's page with its photos and
documents, staff's form on it (status, note to the customer, responsible) and a ticket to the
customer about it. Only while the tenant's "claims" module is on."""

from __future__ import annotations

from typing import Any, cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, ValidationFailed
from tenant_app.pages import redirect, render
from tenant_app.permissions import can_use_staff_area
from tenant_app.schemas.claims import UPDATE_FIELDS
from tenant_app.services import claim_files, claim_pages, claims, contacts, versions
from tenant_app.services.versions import VERSION_FIELD
from tenant_app.web import forms
from tenant_app.web.conversations import context as ticket_context
from tenant_app.web.downloads import preview_response, thumbnail_response
from tenant_app.web.guards import require, require_module

LIST_PAGE = "staff/claims/list.html"
CLAIM_PAGE = "staff/claims/detail.html"


def staff_only(request: Request) -> CurrentUser:
    """The logged-in staff member while claims are on; a customer gets 404."""
    require_module(request, "claims")
    actor = require(request, lambda user: True)
    if not can_use_staff_area(actor):
        raise NotFound
    return actor


async def staff_claim_list(request: Request) -> Response:
    actor = staff_only(request)
    params = request.query_params
    status, responsible = params.get("status", "all")[:20], params.get("responsible", "")[:12]
    order = "asc" if params.get("order") == "asc" else "desc"
    page = forms.optional_id(params.get("page", "")) or 1
    found = await claim_pages.claim_list(
        actor, status=status, responsible=responsible, order=order, page=page
    )
    context = {"claims": found, "status": status, "responsible": responsible, "order": order}
    context |= await claim_pages.filter_choices()
    return render(request, LIST_PAGE, context, block="results")


async def _claim(request: Request, *, edit: bool = False) -> tuple[CurrentUser, Any]:
    actor = staff_only(request)
    claim_id = cast(int, request.path_params["claim_id"])
    return actor, await claims.claim_for(actor, claim_id, edit=edit)


async def detail_page(request: Request, actor: CurrentUser, claim: Any, **failed: Any) -> Response:
    """The claim's page; after a failed form with its errors (422 or the error's own)."""
    status = failed.pop("status_code", 422) if failed else 200
    context = await claim_pages.claim_page(actor, claim)
    values = {name: getattr(claim, name) for name in ("status", "note_to_customer")}
    values |= {"responsible": str(claim.responsible_id or ""), VERSION_FIELD: str(claim.version)}
    subject = f"{claim.number}"
    context |= {"values": values, "errors": {}, "ticket_values": {"subject": subject}}
    context |= {"ticket_errors": {}, **failed}
    return render(request, CLAIM_PAGE, context, status_code=status)


async def staff_claim_detail(request: Request) -> Response:
    actor, claim = await _claim(request)
    return await detail_page(request, actor, claim)


async def staff_claim_update(request: Request) -> Response:
    actor, claim = await _claim(request, edit=True)
    form = await forms.read_form(request)
    values: dict[str, Any] = forms.texts(form, (*UPDATE_FIELDS, VERSION_FIELD), max_chars=6000)
    try:
        version = versions.version_of(values)
        await claims.update_claim(actor, claim, values=values, version=version)
    except ValidationFailed as failed:
        kept, code = failed.kept(values), failed.status_code
        return await detail_page(
            request, actor, claim, values=kept, errors=failed.errors, status_code=code
        )
    return redirect(request, "staff_claim_detail", flash="saved", claim_id=claim.id)


async def staff_claim_ticket(request: Request) -> Response:
    actor, claim = await _claim(request)
    form = await forms.read_form(request)
    values = forms.texts(form, ("subject", "body"), max_chars=20_000)
    try:
        ticket = await claims.write_to_customer(
            ticket_context(request), actor, claim, subject=values["subject"], body=values["body"]
        )
    except ValidationFailed as failed:
        return await detail_page(
            request, actor, claim, ticket_values=values, ticket_errors=failed.errors
        )
    return redirect(request, "staff_ticket_detail", flash="created", ticket_id=ticket.id)


async def staff_claim_file(request: Request) -> Response:
    _actor, claim = await _claim(request)
    file_id = cast(int, request.path_params["file_id"])
    row = await claim_files.file_of(claim, file_id, for_customer=False)
    return await preview_response(request.app.state.storage, row)


async def staff_claim_thumbnail(request: Request) -> Response:
    _actor, claim = await _claim(request)
    store = request.app.state.storage
    file_id = cast(int, request.path_params["file_id"])
    thumbnail = await claim_files.thumbnail_of(store, claim, file_id, for_customer=False)
    return thumbnail_response(thumbnail)


async def staff_contact_claims(request: Request) -> Response:
    """A contact's claims: the section of its page (loaded into it), or a page of its own."""
    actor = staff_only(request)
    contact = await contacts.get_visible_contact(
        actor, cast(int, request.path_params["contact_id"])
    )
    rows = await claim_pages.contact_claims(actor, contact_id=contact.id)
    context = {"contact": contact, "claims": rows}
    return render(request, "staff/claims/contact.html", context, block="section")


BASE = "/staff/claims/{claim_id:id}"
routes = [
    Route("/staff/claims", staff_claim_list, methods=["GET"], name="staff_claim_list"),
    Route(
        "/staff/contacts/{contact_id:id}/claims",
        staff_contact_claims,
        methods=["GET"],
        name="staff_contact_claims",
    ),
    Route(BASE, staff_claim_detail, methods=["GET"], name="staff_claim_detail"),
    Route(BASE, staff_claim_update, methods=["POST"], name="staff_claim_update"),
    Route(BASE + "/ticket", staff_claim_ticket, methods=["POST"], name="staff_claim_ticket"),
    Route(BASE + "/files/{file_id:id}", staff_claim_file, methods=["GET"], name="staff_claim_file"),
    Route(
        BASE + "/files/{file_id:id}/thumbnail",
        staff_claim_thumbnail,
        methods=["GET"],
        name="staff_claim_thumbnail",
    ),
]
