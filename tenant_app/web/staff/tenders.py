"""Tenders (Ausschreibungen) on the broker's side: the start form of a case's product line,
the start, a tender's page with its frozen risk and message module, and writing in it."""

from __future__ import annotations

from typing import Any, cast

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.actors import CurrentUser
from tenant_app.errors import ValidationFailed
from tenant_app.pages import redirect, render
from tenant_app.schemas.tender_questions import questions
from tenant_app.schemas.tickets import MAX_BODY
from tenant_app.services import (
    cases,
    tender_access,
    tender_messages,
    tender_pages,
    tender_withdrawal,
    tenders,
)
from tenant_app.web import conversations, forms
from tenant_app.web.staff.cases import staff_only

START_PAGE = "staff/tenders/start.html"
DETAIL_PAGE = "staff/tenders/detail.html"
TEXT_FIELDS = ("product_line", "backoffice", "reason", "free_text")


async def _case(request: Request) -> tuple[CurrentUser, Any]:
    actor = staff_only(request)
    case = await cases.case_for(actor, cast(int, request.path_params["case_id"]), edit=True)
    return actor, case


def _line(case: Any, wanted: str) -> str:
    """The product line the form is for: the one asked for if the case has it, else its first."""
    return wanted if wanted in case.product_lines else (case.product_lines or [""])[0]


async def _start_page(
    request: Request,
    actor: CurrentUser,
    case: Any,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    line = _line(case, str(values.get("product_line", "")))
    context = await tender_pages.start_page(actor, case, line)
    context |= {"values": values, "errors": errors}
    return render(request, START_PAGE, context, status_code=status_code)


async def tender_start_form(request: Request) -> Response:
    actor, case = await _case(request)
    if cases.is_closed(case) or not case.product_lines:  # its page says why
        return redirect(request, "case_detail", case_id=case.id)
    line = _line(case, request.query_params.get("line", "")[:40])
    return await _start_page(request, actor, case, {"product_line": line}, {})


def _values(form: FormData) -> dict[str, Any]:
    """The start form as sent: its texts, the answers of the line's questions, the ticks."""
    values: dict[str, Any] = forms.texts(form, TEXT_FIELDS, max_chars=tenders.FREE_TEXT_MAX)
    for question in questions(values["product_line"]):
        name = tenders.ANSWER_PREFIX + question.key
        values[name] = forms.text(form, name, max_chars=question.max_length + 100)
    ticked = form.getlist("share")[: len(tenders.SHAREABLE) + 1]
    values["share"] = [field for field in ticked if isinstance(field, str)]
    return values


async def _start(request: Request, actor: CurrentUser, case: Any, form: FormData) -> Any:
    values = _values(form)
    prefix = tenders.ANSWER_PREFIX
    answers = {key[len(prefix) :]: text for key, text in values.items() if key.startswith(prefix)}
    return await tenders.start_tender(
        conversations.context(request),
        actor,
        case,
        product_line=values["product_line"],
        backoffice_id=forms.optional_id(values["backoffice"]),
        answers=answers,
        free_text=values["free_text"],
        shared=set(values["share"]),
        uploads=forms.uploads_from(form),
        reason=values["reason"],
    )


async def tender_start(request: Request) -> Response:
    actor, case = await _case(request)
    async with forms.multipart(request, max_files=forms.MAX_FILE_PARTS) as form:
        try:
            tender = await _start(request, actor, case, form)
        except ValidationFailed as failed:
            values = _kept(form)
            return await _start_page(request, actor, case, values, failed.errors, 422)
    return redirect(request, "tender_detail", flash="started", tender_id=tender.id)


def _kept(form: FormData) -> dict[str, Any]:
    """What the form shows again after a refusal (a field too long for it: left empty)."""
    try:
        return _values(form)
    except ValidationFailed:
        return {"product_line": str(form.get("product_line") or "")[:40]}


async def tender_detail(
    request: Request,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """The tender as started, its messages (read by looking) and the offers released."""
    actor = staff_only(request)
    tender = await tender_access.tender_for(actor, cast(int, request.path_params["tender_id"]))
    await tender_messages.mark_read(actor, tender)
    context = await tender_pages.tender_page(actor, tender)
    context |= {"errors": errors or {}, "values": values or {}}
    return render(request, DETAIL_PAGE, context, status_code=status_code)


async def tender_message(request: Request) -> Response:
    actor = staff_only(request)
    tender_id = cast(int, request.path_params["tender_id"])
    tender = await tender_access.tender_for(actor, tender_id, edit=True)
    async with forms.multipart(request) as form:
        values: dict[str, str] = {}
        try:
            values["body"] = forms.text(form, "body", max_chars=MAX_BODY + 1000)
            upload = forms.upload_from(form)
            ctx = conversations.context(request)
            await tender_messages.post(ctx, actor, tender, body=values["body"], upload=upload)
        except ValidationFailed as failed:
            errors = failed.errors
            return await tender_detail(request, errors=errors, values=values, status_code=422)
    return redirect(request, "tender_detail", flash="sent", tender_id=tender.id)


async def tender_withdraw(request: Request) -> Response:
    actor = staff_only(request)
    tender_id = cast(int, request.path_params["tender_id"])
    tender = await tender_access.tender_for(actor, tender_id, edit=True)
    await tender_withdrawal.withdraw(conversations.context(request), actor, tender)
    return redirect(request, "tender_detail", flash="withdrawn", tender_id=tender.id)


routes = [
    Route(
        "/staff/cases/{case_id:id}/tenders/new",
        tender_start_form,
        methods=["GET"],
        name="tender_start_form",
    ),
    Route("/staff/cases/{case_id:id}/tenders", tender_start, methods=["POST"], name="tender_start"),
    Route("/staff/tenders/{tender_id:id}", tender_detail, methods=["GET"], name="tender_detail"),
    Route(
        "/staff/tenders/{tender_id:id}/withdraw",
        tender_withdraw,
        methods=["POST"],
        name="tender_withdraw",
    ),
    Route(
        "/staff/tenders/{tender_id:id}/messages",
        tender_message,
        methods=["POST"],
        name="tender_message",
    ),
]
