"""The advice documentation (§§ 61, 62 VVG) of an advice case on the staff side: start a
version (or the next, prefilled from the last), edit its draft, deliver it after a
confirmation. A delivered version is shown, never offered as a form."""

from __future__ import annotations

from typing import Any, cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.errors import ValidationFailed
from tenant_app.pages import redirect, render
from tenant_app.schemas.advice_records import ADVICE_FIELDS
from tenant_app.services import advice_record_pages, advice_records, cases, versions
from tenant_app.services.versions import VERSION_FIELD
from tenant_app.web import forms
from tenant_app.web.staff.cases import staff_only

RECORD_PAGE = "staff/cases/advice.html"
DELIVER_PAGE = "staff/cases/advice_deliver.html"


async def _record(request: Request, *, edit: bool = False) -> tuple[Any, Any, Any]:
    actor = staff_only(request)
    record_id = cast(int, request.path_params["record_id"])
    record, case = await advice_records.record_for(actor, record_id, edit=edit)
    return actor, record, case


async def advice_start(request: Request) -> Response:
    actor = staff_only(request)
    case = await cases.case_for(actor, cast(int, request.path_params["case_id"]), edit=True)
    try:
        record = await advice_records.start_version(actor, case)
    except ValidationFailed:  # closed: its page says so
        return redirect(request, "case_detail", case_id=case.id)
    return redirect(request, "advice_detail", record_id=record.id)


async def _page(request: Request, actor: Any, record: Any, case: Any, **extra: Any) -> Response:
    status = extra.pop("status_code", 200)
    context = await advice_record_pages.record_page(actor, record, case)
    context |= {"values": advice_record_pages.form_values(record), "errors": {}, **extra}
    return render(request, RECORD_PAGE, context, status_code=status)


async def advice_detail(request: Request) -> Response:
    actor, record, case = await _record(request)
    return await _page(request, actor, record, case)


async def advice_save(request: Request) -> Response:
    actor, record, case = await _record(request, edit=True)
    form = await forms.read_form(request)
    values: dict[str, str] = {}
    try:
        values = forms.texts(form, (*ADVICE_FIELDS, VERSION_FIELD), max_chars=25_000)
        version = versions.version_of(values)
        await advice_records.save_draft(actor, record, case, values=values, version=version)
    except ValidationFailed as failed:
        kept, code = failed.kept(values), failed.status_code
        return await _page(
            request, actor, record, case, values=kept, errors=failed.errors, status_code=code
        )
    return redirect(request, "advice_detail", flash="saved", record_id=record.id)


async def _deliver_page(
    request: Request, actor: Any, record: Any, case: Any, **extra: Any
) -> Response:
    status = extra.pop("status_code", 200)
    context = await advice_record_pages.record_page(actor, record, case)
    context["reached"] = await advice_record_pages.customer_reached(case.contact_id)
    return render(request, DELIVER_PAGE, context | {"errors": {}, **extra}, status_code=status)


async def advice_deliver_form(request: Request) -> Response:
    actor, record, case = await _record(request, edit=True)
    if record.delivered_at is not None:
        return redirect(request, "advice_detail", record_id=record.id)
    return await _deliver_page(request, actor, record, case)


async def advice_deliver(request: Request) -> Response:
    actor, record, case = await _record(request, edit=True)
    form = await forms.read_form(request)
    state = request.app.state
    try:
        confirmed = forms.checkbox(form, "confirm")
        limit = state.settings.max_upload_bytes
        await advice_records.deliver(
            actor, state.storage, record, case, confirmed=confirmed, max_bytes=limit
        )
    except ValidationFailed as failed:
        return await _deliver_page(
            request, actor, record, case, errors=failed.errors, status_code=failed.status_code
        )
    return redirect(request, "case_detail", flash="advice_delivered", case_id=case.id)


RECORD = "/staff/advice-records/{record_id:id}"
routes = [
    Route("/staff/cases/{case_id:id}/advice", advice_start, methods=["POST"], name="advice_start"),
    Route(RECORD, advice_detail, methods=["GET"], name="advice_detail"),
    Route(RECORD, advice_save, methods=["POST"], name="advice_save"),
    Route(RECORD + "/deliver", advice_deliver_form, methods=["GET"], name="advice_deliver_form"),
    Route(RECORD + "/deliver", advice_deliver, methods=["POST"], name="advice_deliver"),
]
