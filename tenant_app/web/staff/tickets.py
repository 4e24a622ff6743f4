"""Tickets on the staff side: list, thread, reply, forward, internal note, close, file
attachments."""

from __future__ import annotations

from typing import Any, cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.actors import CurrentUser
from tenant_app.errors import ValidationFailed
from tenant_app.pages import redirect, render
from tenant_app.permissions import (
    can_handle_tickets,
    can_use_staff_area,
)
from tenant_app.services import contacts, ticket_pages, tickets
from tenant_app.web import conversations, forms
from tenant_app.web.downloads import download_response
from tenant_app.web.guards import require


def _list_filters(request: Request) -> dict[str, str]:
    """The list's filters from the query string, each with its default."""
    params = request.query_params
    return {
        "status": "closed" if params.get("status") == "closed" else "open",
        "scope": "all" if params.get("scope") == "all" else "own",
        "sort": "old" if params.get("sort") == "old" else "new",
        "q": params.get("q", "")[:100],
    }


async def staff_ticket_list(request: Request) -> Response:
    actor = require(request, can_handle_tickets)
    filters = _list_filters(request)
    rows = await ticket_pages.staff_tickets(
        actor,
        status=filters["status"],
        scope=filters["scope"],
        newest_first=filters["sort"] == "new",
        search=filters["q"],
    )
    context = {"tickets": rows, **filters}
    return render(request, "staff/tickets/list.html", context, block="results")


async def _staff_ticket(request: Request) -> tuple[CurrentUser, Any]:
    actor = require(request, can_handle_tickets)
    return actor, await tickets.ticket_for(actor, cast(int, request.path_params["ticket_id"]))


async def staff_ticket_detail(
    request: Request,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    actor = require(request, can_handle_tickets)
    page = await ticket_pages.staff_ticket_page(actor, cast(int, request.path_params["ticket_id"]))
    context = {
        "ticket": page.ticket,
        "thread": page.thread,
        "colleagues": page.colleagues,
        "contracts": page.contracts,  # where an attachment may be filed
        "errors": errors or {},
        "values": values or {},  # what was typed into a form that failed
    }
    return render(request, "staff/tickets/detail.html", context, status_code=status_code)


async def staff_ticket_reply(request: Request) -> Response:
    actor, ticket = await _staff_ticket(request)
    return await conversations.reply(request, actor, ticket, detail=staff_ticket_detail)


async def staff_ticket_forward(request: Request) -> Response:
    actor, ticket = await _staff_ticket(request)
    form = await forms.read_form(request)
    values = {
        "to_user_id": forms.text(form, "to_user_id", max_chars=12),
        "comment": forms.text(form, "comment", max_chars=tickets.MAX_BODY + 1000),
    }
    try:
        await tickets.forward(
            conversations.context(request),
            actor,
            ticket,
            to_user_id=forms.optional_id(values["to_user_id"]) or 0,
            comment=values["comment"],
        )
    except ValidationFailed as failed:
        return await staff_ticket_detail(
            request, errors=failed.errors, values=values, status_code=422
        )
    return redirect(request, "staff_ticket_list", flash="forwarded")


async def staff_ticket_note(request: Request) -> Response:
    """An internal note, for staff only (never shown or mailed to the customer)."""
    actor, ticket = await _staff_ticket(request)
    form = await forms.read_form(request)
    values: dict[str, str] = {}
    try:
        values["note"] = forms.text(form, "note", max_chars=tickets.MAX_BODY + 1000)
        await tickets.add_note(actor, ticket, body=values["note"])
    except ValidationFailed as failed:
        errors = {"note": next(iter(failed.errors.values()))}
        return await staff_ticket_detail(request, errors=errors, values=values, status_code=422)
    return redirect(request, "staff_ticket_detail", flash="noted", ticket_id=ticket.id)


async def staff_ticket_close(request: Request) -> Response:
    actor, ticket = await _staff_ticket(request)
    await tickets.close(actor, ticket)
    return redirect(request, "staff_ticket_list", flash="closed")


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


async def _staff_attachment(request: Request) -> tuple[CurrentUser, Any, Any]:
    """The ticket (checked for the actor) and the attachment of it the path names."""
    actor, ticket = await _staff_ticket(request)
    document_id = cast(int, request.path_params["document_id"])
    return actor, ticket, await conversations.ticket_document(ticket, document_id)


async def staff_attachment(request: Request) -> Response:
    actor, ticket, document = await _staff_attachment(request)
    return download_response(request.app.state.storage, document)


async def staff_attachment_file(request: Request) -> Response:
    actor, ticket, document = await _staff_attachment(request)
    if errors := await conversations.file_attachment(request, actor, document):
        return await staff_ticket_detail(request, errors=errors, status_code=422)
    return redirect(request, "staff_ticket_detail", flash="filed", ticket_id=ticket.id)


async def staff_ticket_read(request: Request) -> Response:
    """Opening a ticket reads it. A POST the page sends once loaded: GET changes nothing."""
    actor, ticket = await _staff_ticket(request)
    await tickets.mark_read(actor, ticket)
    return conversations.read_done()


async def staff_badge(request: Request) -> Response:
    """The sidebar's unread count, polled by HTMX: one small query."""
    actor = require(request, can_use_staff_area)
    return conversations.badge(request, await ticket_pages.unread_count(actor))


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
        "/staff/tickets/{ticket_id:id}/note",
        staff_ticket_note,
        methods=["POST"],
        name="staff_ticket_note",
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
