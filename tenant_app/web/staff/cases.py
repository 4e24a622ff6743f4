"""Advice cases (Vorgänge) on the staff side: the list, a case's page, its form, its status,
its chosen contract and its documents (its risks: case_risks.py)."""

from __future__ import annotations

from typing import Any, cast

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, ValidationFailed
from tenant_app.pages import redirect, render
from tenant_app.permissions import can_use_staff_area
from tenant_app.schemas.cases import CASE_FIELDS
from tenant_app.services import advice_records, case_pages, cases, contacts, versions
from tenant_app.services.versions import VERSION_FIELD
from tenant_app.vocabulary import PRODUCT_LINES
from tenant_app.web import forms
from tenant_app.web.guards import require

LIST_PAGE = "staff/cases/list.html"
CASE_PAGE = "staff/cases/detail.html"
CASE_FORM = "staff/cases/form.html"
TEXT_FIELDS = tuple(name for name in CASE_FIELDS if name != "product_lines")


def staff_only(request: Request) -> CurrentUser:
    """The logged-in staff member. A customer gets 404, as for a case that is not theirs:
    the case URLs do not even show that cases exist."""
    actor = require(request, lambda user: True)
    if not can_use_staff_area(actor):
        raise NotFound
    return actor


async def case_list(request: Request) -> Response:
    actor = staff_only(request)
    params = request.query_params
    status, responsible = params.get("status", "active")[:20], params.get("responsible", "")[:12]
    page = forms.optional_id(params.get("page", "")) or 1
    found = await case_pages.case_list(actor, status=status, responsible=responsible, page=page)
    context = {"cases": found, "status": status, "responsible": responsible}
    context["staff"] = await case_pages.staff_filter_choices()
    context["status_filters"] = case_pages.STATUS_FILTERS
    return render(request, LIST_PAGE, context, block="results")


async def _case(request: Request, *, edit: bool = False) -> tuple[CurrentUser, Any]:
    actor = staff_only(request)
    case_id = cast(int, request.path_params["case_id"])
    return actor, await cases.case_for(actor, case_id, edit=edit)


async def case_detail(request: Request) -> Response:
    actor, case = await _case(request)
    return await detail_page(request, actor, case)


async def detail_page(request: Request, actor: CurrentUser, case: Any, **failed: Any) -> Response:
    """The case's page; after a failed form on it (`upload_errors`, `status_errors`,
    `contract_errors` with `upload_values`) with its errors, as 422 (or the error's own)."""
    status = failed.pop("status_code", 422) if failed else 200
    context = await case_pages.case_page(actor, case)
    context |= {"upload_values": {}, "upload_errors": {}, "status_errors": {}}
    context |= {"contract_errors": {}, **failed}
    return render(request, CASE_PAGE, context, status_code=status)


def _values(form: FormData) -> dict[str, Any]:
    """The case form as sent: its text fields, and the product lines ticked."""
    values: dict[str, Any] = forms.texts(form, (*TEXT_FIELDS, VERSION_FIELD), max_chars=20_000)
    ticked = form.getlist("product_lines")[: len(PRODUCT_LINES)]
    values["product_lines"] = [key for key in ticked if isinstance(key, str)]
    return values


async def _form_page(
    request: Request, contact: Any, values: dict[str, Any], errors: dict[str, str], **extra: Any
) -> Response:
    """The case form (new, or `case=` when editing) with the staff to choose from."""
    status = extra.pop("status_code", 200)
    context = {"contact": contact, "values": values, "errors": errors, **extra}
    context["staff"] = await case_pages.responsible_choices(contact.id)
    context["lines"] = [(key, case_pages.lines_text([key])) for key in PRODUCT_LINES]
    return render(request, CASE_FORM, context, status_code=status)


async def case_create_form(request: Request) -> Response:
    actor = staff_only(request)
    contact_id = cast(int, request.path_params["contact_id"])
    contact = await cases.ensure_may_open(actor, contact_id=contact_id)
    return await _form_page(request, contact, {"responsible": str(actor.id)}, {})


async def case_create(request: Request) -> Response:
    actor = staff_only(request)
    contact = await contacts.get_visible_contact(
        actor, cast(int, request.path_params["contact_id"])
    )
    form = await forms.read_form(request)
    values: dict[str, Any] = {}
    try:
        values = _values(form)
        case = await cases.open_case(actor, contact_id=contact.id, values=values)
    except ValidationFailed as failed:
        return await _form_page(request, contact, values, failed.errors, status_code=422)
    return redirect(request, "case_detail", flash="created", case_id=case.id)


def _form_values(case: Any) -> dict[str, Any]:
    values = {name: getattr(case, name) or "" for name in TEXT_FIELDS if name != "responsible"}
    values["responsible"] = str(case.responsible_id or "")
    return values | {"product_lines": case.product_lines, VERSION_FIELD: str(case.version)}


async def case_edit_form(request: Request) -> Response:
    _actor, case = await _case(request, edit=True)
    if cases.is_closed(case):  # its page says so, and how to reopen it
        return redirect(request, "case_detail", case_id=case.id)
    return await _form_page(request, case.contact, _form_values(case), {}, case=case)


async def case_update(request: Request) -> Response:
    actor, case = await _case(request, edit=True)
    form = await forms.read_form(request)
    values: dict[str, Any] = {}
    try:
        values = _values(form)
        version = versions.version_of(values)
        await cases.update_case(actor, case, values=values, version=version)
    except ValidationFailed as failed:
        kept, code = failed.kept(values), failed.status_code
        return await _form_page(
            request, case.contact, kept, failed.errors, case=case, status_code=code
        )
    return redirect(request, "case_detail", flash="saved", case_id=case.id)


async def case_status(request: Request) -> Response:
    actor, case = await _case(request, edit=True)
    form = await forms.read_form(request)
    try:
        status = forms.text(form, "status", max_chars=20)
        waived = forms.checkbox(form, "advice_waived")  # § 61 (2) VVG
        await advice_records.set_case_status(actor, case, status=status, waived=waived)
    except ValidationFailed as failed:
        return await detail_page(request, actor, case, status_errors=failed.errors)
    return redirect(request, "case_detail", flash="status", case_id=case.id)


async def case_contract(request: Request) -> Response:
    actor, case = await _case(request, edit=True)
    form = await forms.read_form(request)
    try:
        contract_id = forms.optional_id(forms.text(form, "contract_id", max_chars=12))
        await cases.choose_contract(actor, case, contract_id=contract_id)
    except ValidationFailed as failed:
        errors, code = failed.errors, failed.status_code
        return await detail_page(request, actor, case, contract_errors=errors, status_code=code)
    return redirect(request, "case_detail", flash="contract", case_id=case.id)


async def _file(request: Request, actor: CurrentUser, case: Any, form: FormData) -> int:
    """File the upload form's documents on the case: how many (ValidationFailed if none)."""
    values, _contract = forms.document_fields(form)
    uploads = forms.uploads_from(form)
    state = request.app.state
    limit = state.settings.max_upload_bytes
    await cases.add_case_documents(
        actor, state.storage, case, uploads=uploads, values=values, max_bytes=limit
    )
    return len(uploads)


async def case_document_upload(request: Request) -> Response:
    actor, case = await _case(request, edit=True)
    async with forms.multipart(request, max_files=forms.MAX_FILE_PARTS) as form:
        try:
            added = await _file(request, actor, case, form)
        except ValidationFailed as failed:
            values = forms.texts(form, forms.DOCUMENT_FIELDS)
            return await detail_page(
                request,
                actor,
                case,
                upload_values=values,
                upload_errors=failed.errors,
                status_code=failed.status_code,
            )
    return redirect(request, "case_detail", query={"uploaded": str(added)}, case_id=case.id)


BASE = "/staff/cases/{case_id:id}"
routes = [
    Route("/staff/cases", case_list, methods=["GET"], name="case_list"),
    Route(
        "/staff/contacts/{contact_id:id}/cases/new",
        case_create_form,
        methods=["GET"],
        name="case_create_form",
    ),
    Route(
        "/staff/contacts/{contact_id:id}/cases",
        case_create,
        methods=["POST"],
        name="case_create",
    ),
    Route(BASE, case_detail, methods=["GET"], name="case_detail"),
    Route(BASE + "/edit", case_edit_form, methods=["GET"], name="case_edit_form"),
    Route(BASE + "/edit", case_update, methods=["POST"], name="case_update"),
    Route(BASE + "/status", case_status, methods=["POST"], name="case_status"),
    Route(BASE + "/contract", case_contract, methods=["POST"], name="case_contract"),
    Route(BASE + "/documents", case_document_upload, methods=["POST"], name="case_document_upload"),
]
