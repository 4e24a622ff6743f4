"""Tickets on the staff side: list, thread, reply, forward, close, file attachments."""

from __future__ import annotations

from typing import Any, cast

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from tenant_app.actors import CurrentUser
from tenant_app.errors import ValidationFailed
from tenant_app.pages import render
from tenant_app.permissions import (
    can_handle_tickets,
    can_use_staff_area,
)
from tenant_app.services import contacts, documents, tickets
from tenant_app.web import conversations, forms
from tenant_app.web.downloads import download_response
from tenant_app.web.guards import require


async def staff_ticket_list(request: Request) -> Response:
    actor = require(request, can_handle_tickets)
    params = request.query_params
    status = "closed" if params.get("status") == "closed" else "open"
    scope = "all" if params.get("scope") == "all" else "own"
    newest = params.get("sort") != "old"
    search = params.get("q", "")[:100]
    rows = await tickets.staff_tickets(
        actor,
        status=status,
        scope=scope,
        newest_first=newest,
        search=search,
    )
    context = {
        "tickets": rows,
        "status": status,
        "scope": scope,
        "sort": "new" if newest else "old",
        "q": search,
    }
    return render(request, "staff/tickets/list.html", context, block="results")


async def _staff_ticket(request: Request) -> tuple[CurrentUser, Any]:
    actor = require(request, can_handle_tickets)
    return actor, await tickets.ticket_for(actor, cast(int, request.path_params["ticket_id"]))


async def staff_ticket_detail(
    request: Request, *, errors: dict[str, str] | None = None, status_code: int = 200
) -> Response:
    actor = require(request, can_handle_tickets)
    page = await tickets.staff_ticket_page(actor, cast(int, request.path_params["ticket_id"]))
    context = {
        "ticket": page.ticket,
        "thread": page.thread,
        "colleagues": page.colleagues,
        "contracts": page.contracts,  # where an attachment may be filed
        "errors": errors or {},
    }
    return render(request, "staff/tickets/detail.html", context, status_code=status_code)


async def staff_ticket_reply(request: Request) -> Response:
    actor, ticket = await _staff_ticket(request)
    return await conversations.reply(request, actor, ticket, detail=staff_ticket_detail)


async def staff_ticket_forward(request: Request) -> Response:
    actor, ticket = await _staff_ticket(request)
    form = await forms.read_form(request)
    try:
        target = forms.text(form, "to_user_id", max_chars=12)
        comment = forms.text(form, "comment", max_chars=tickets.MAX_BODY + 1000)
        await tickets.forward(
            conversations.context(request),
            actor,
            ticket,
            to_user_id=forms.optional_id(target) or 0,
            comment=comment,
        )
    except ValidationFailed as failed:
        return await staff_ticket_detail(request, errors=failed.errors, status_code=422)
    return RedirectResponse("/staff/tickets?forwarded=1", status_code=303)


async def staff_ticket_close(request: Request) -> Response:
    actor, ticket = await _staff_ticket(request)
    await tickets.close(actor, ticket)
    return RedirectResponse("/staff/tickets?closed=1", status_code=303)


async def staff_ticket_new_form(request: Request) -> Response:
    actor = require(request, can_handle_tickets)
    contact = await contacts.get_visible_contact(
        actor, cast(int, request.path_params["contact_id"])
    )
    return render(
        request, "staff/tickets/new.html", {"contact": contact, "values": {}, "errors": {}}
    )


async def staff_ticket_create(request: Request) -> Response:
    actor = require(request, can_handle_tickets)
    contact = await contacts.get_visible_contact(
        actor, cast(int, request.path_params["contact_id"])
    )

    async def failed(values: dict[str, str], errors: dict[str, str]) -> Response:
        context = {"contact": contact, "values": values, "errors": errors}
        return render(request, "staff/tickets/new.html", context, status_code=422)

    return await conversations.open_ticket(request, actor, contact_id=contact.id, failed=failed)


async def staff_attachment(request: Request) -> Response:
    actor, ticket = await _staff_ticket(request)
    document = await conversations.ticket_document(
        ticket, cast(int, request.path_params["document_id"])
    )
    return download_response(request.app.state.storage, document)


async def staff_attachment_file(request: Request) -> Response:
    actor, ticket = await _staff_ticket(request)
    document = await conversations.ticket_document(
        ticket, cast(int, request.path_params["document_id"])
    )
    form = await forms.read_form(request)
    contract_id = forms.text(form, "contract_id", max_chars=12)
    try:
        await documents.file_into_contract(
            actor, document, contract_id=forms.optional_id(contract_id) or 0
        )
    except ValidationFailed as failed:
        return await staff_ticket_detail(request, errors=failed.errors, status_code=422)
    return RedirectResponse(f"/staff/tickets/{ticket.id}?filed=1", status_code=303)


async def staff_ticket_read(request: Request) -> Response:
    """Opening a ticket reads it. A POST the page sends once loaded: GET changes nothing."""
    actor, ticket = await _staff_ticket(request)
    await tickets.mark_read(actor, ticket)
    return conversations.read_done()


async def staff_badge(request: Request) -> Response:
    """The sidebar's unread count, polled by HTMX: one small query."""
    actor = require(request, can_use_staff_area)
    return conversations.badge(request, await tickets.unread_count(actor))


routes = [
    Route("/staff/tickets", staff_ticket_list, methods=["GET"], name="staff_ticket_list"),
    Route(
        "/staff/tickets/{ticket_id:id}",
        staff_ticket_detail,
        methods=["GET"],
        name="staff_ticket_detail",
    ),
    Route(
        "/staff/tickets/{ticket_id:id}/reply",
        staff_ticket_reply,
        methods=["POST"],
        name="staff_ticket_reply",
    ),
    Route(
        "/staff/tickets/{ticket_id:id}/forward",
        staff_ticket_forward,
        methods=["POST"],
        name="staff_ticket_forward",
    ),
    Route(
        "/staff/tickets/{ticket_id:id}/close",
        staff_ticket_close,
        methods=["POST"],
        name="staff_ticket_close",
    ),
    Route(
        "/staff/tickets/{ticket_id:id}/attachments/{document_id:id}",
        staff_attachment,
        methods=["GET"],
        name="staff_attachment",
    ),
    Route(
        "/staff/tickets/{ticket_id:id}/attachments/{document_id:id}/file",
        staff_attachment_file,
        methods=["POST"],
        name="staff_attachment_file",
    ),
    Route(
        "/staff/contacts/{contact_id:id}/tickets/new",
        staff_ticket_new_form,
        methods=["GET"],
        name="staff_ticket_new",
    ),
    Route(
        "/staff/contacts/{contact_id:id}/tickets",
        staff_ticket_create,
        methods=["POST"],
        name="staff_ticket_create",
    ),
    Route("/staff/badge", staff_badge, methods=["GET"], name="staff_badge"),
    Route(
        "/staff/tickets/{ticket_id:id}/read",
        staff_ticket_read,
        methods=["POST"],
        name="staff_ticket_read",
    ),
]
