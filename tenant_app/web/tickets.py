"""Communication: tickets for staff and customers, the unread badges."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, cast

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from tenant_app import htmx
from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, PermissionDenied, ValidationFailed
from tenant_app.pages import render
from tenant_app.permissions import (
    can_handle_tickets,
    can_use_portal,
    can_use_staff_area,
)
from tenant_app.services import contacts, documents, tickets
from tenant_app.web import forms
from tenant_app.web.downloads import download_response
from tenant_app.web.guards import require


def _ctx(request: Request) -> tickets.Context:
    state = request.app.state
    return tickets.Context(settings=state.settings, store=state.storage)


def _area(actor: CurrentUser) -> str:
    return "/portal" if actor.kind == "customer" else "/staff"


async def _open_ticket(
    request: Request,
    actor: CurrentUser,
    *,
    contact_id: int,
    failed: Callable[[dict[str, str], dict[str, str]], Awaitable[Response]],
) -> Response:
    """Read the new-ticket form (customers also name the staff member) and open the ticket."""
    async with forms.multipart(request) as form:
        values: dict[str, str] = {}
        try:
            values = forms.texts(
                form, ("staff_id", "subject", "body"), max_chars=tickets.MAX_BODY + 1000
            )
            ticket = await tickets.open_ticket(
                _ctx(request),
                actor,
                contact_id=contact_id,
                staff_id=forms.optional_id(values["staff_id"]),
                subject=values["subject"],
                body=values["body"],
                upload=forms.upload_from(form),
            )
        except ValidationFailed as invalid:
            return await failed(values, invalid.errors)
    return RedirectResponse(f"{_area(actor)}/tickets/{ticket.id}?created=1", status_code=303)


async def _reply(
    request: Request, actor: CurrentUser, ticket: Any, *, detail: Callable[..., Awaitable[Response]]
) -> Response:
    """A new entry (neuer Eintrag); bad input shows the ticket again with the errors."""
    async with forms.multipart(request) as form:
        try:
            body = forms.text(form, "body", max_chars=tickets.MAX_BODY + 1000)
            await tickets.reply(
                _ctx(request), actor, ticket, body=body, upload=forms.upload_from(form)
            )
        except ValidationFailed as invalid:
            return await detail(request, errors=invalid.errors, status_code=422)
    return RedirectResponse(f"{_area(actor)}/tickets/{ticket.id}?replied=1", status_code=303)


# --- staff -------------------------------------------------------------------------------


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
    return await _reply(request, actor, ticket, detail=staff_ticket_detail)


async def staff_ticket_forward(request: Request) -> Response:
    actor, ticket = await _staff_ticket(request)
    form = await forms.read_form(request)
    try:
        target = forms.text(form, "to_user_id", max_chars=12)
        comment = forms.text(form, "comment", max_chars=tickets.MAX_BODY + 1000)
        await tickets.forward(
            _ctx(request),
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

    return await _open_ticket(request, actor, contact_id=contact.id, failed=failed)


async def staff_attachment(request: Request) -> Response:
    actor, ticket = await _staff_ticket(request)
    document = await _ticket_document(ticket, cast(int, request.path_params["document_id"]))
    return download_response(request.app.state.storage, document)


async def staff_attachment_file(request: Request) -> Response:
    actor, ticket = await _staff_ticket(request)
    document = await _ticket_document(ticket, cast(int, request.path_params["document_id"]))
    form = await forms.read_form(request)
    contract_id = forms.text(form, "contract_id", max_chars=12)
    try:
        await documents.file_into_contract(
            actor, document, contract_id=forms.optional_id(contract_id) or 0
        )
    except ValidationFailed as failed:
        return await staff_ticket_detail(request, errors=failed.errors, status_code=422)
    return RedirectResponse(f"/staff/tickets/{ticket.id}?filed=1", status_code=303)


async def _ticket_document(ticket: Any, document_id: int) -> Any:
    return await tickets.attachment_of(ticket, document_id)


def _read_done() -> Response:
    # The badges listen for this event, so the count drops at once rather than at the next poll.
    return htmx.trigger(Response(status_code=204), "unread-changed")


async def staff_ticket_read(request: Request) -> Response:
    """Opening a ticket reads it. A POST the page sends once loaded: GET changes nothing."""
    actor, ticket = await _staff_ticket(request)
    await tickets.mark_read(actor, ticket)
    return _read_done()


async def staff_badge(request: Request) -> Response:
    """The sidebar's unread count, polled by HTMX: one small query."""
    actor = require(request, can_use_staff_area)
    return _badge(request, await tickets.unread_count(actor))


def _badge(request: Request, count: int) -> Response:
    top = request.query_params.get("slot") == "top"
    context = {
        "count": count,
        "loaded": True,
        "badge_id": "unread-count-top" if top else "unread-count",
        "badge_url": request.url.path + ("?slot=top" if top else ""),
    }
    response = render(request, "_partials/badge.html", context)
    response.headers["Cache-Control"] = "no-store"
    return response


# --- customer ----------------------------------------------------------------------------


async def _customer(request: Request) -> CurrentUser:
    user = require(request, can_use_portal)
    if user.contact_id is None:
        raise NotFound
    if user.access is None or not user.access.communication:  # came with the session
        raise NotFound
    return user


async def portal_ticket_list(request: Request) -> Response:
    user = await _customer(request)
    status = "closed" if request.query_params.get("status") == "closed" else "open"
    rows = await tickets.customer_tickets(user, status=status)
    return render(request, "portal/tickets/list.html", {"tickets": rows, "status": status})


async def _new_ticket_context(
    request: Request, user: CurrentUser, values: dict[str, Any], errors: dict[str, str]
) -> dict[str, Any]:
    staff = await tickets.ticket_staff(user)
    preferred = await tickets.preferred_staff(cast(int, user.contact_id))
    values.setdefault("staff_id", str(preferred or (staff[0].id if staff else "")))
    return {"staff": staff, "values": values, "errors": errors}


async def portal_ticket_new(request: Request) -> Response:
    user = await _customer(request)
    return render(
        request, "portal/tickets/new.html", await _new_ticket_context(request, user, {}, {})
    )


async def portal_ticket_create(request: Request) -> Response:
    user = await _customer(request)

    async def failed(values: dict[str, str], errors: dict[str, str]) -> Response:
        context = await _new_ticket_context(request, user, values, errors)
        return render(request, "portal/tickets/new.html", context, status_code=422)

    return await _open_ticket(request, user, contact_id=cast(int, user.contact_id), failed=failed)


async def portal_ticket_detail(
    request: Request, *, errors: dict[str, str] | None = None, status_code: int = 200
) -> Response:
    user = await _customer(request)
    page = await tickets.customer_ticket_page(user, cast(int, request.path_params["ticket_id"]))
    context = {"ticket": page.ticket, "thread": page.thread, "errors": errors or {}}
    return render(request, "portal/tickets/detail.html", context, status_code=status_code)


async def portal_ticket_read(request: Request) -> Response:
    user = await _customer(request)
    await tickets.mark_read(
        user, await tickets.ticket_for(user, cast(int, request.path_params["ticket_id"]))
    )
    return _read_done()


async def portal_ticket_reply(request: Request) -> Response:
    user = await _customer(request)
    ticket = await tickets.ticket_for(user, cast(int, request.path_params["ticket_id"]))
    return await _reply(request, user, ticket, detail=portal_ticket_detail)


async def portal_ticket_close(request: Request) -> Response:
    raise PermissionDenied  # only staff close tickets


async def portal_attachment(request: Request) -> Response:
    user = await _customer(request)
    ticket = await tickets.ticket_for(user, cast(int, request.path_params["ticket_id"]))
    document = await _ticket_document(ticket, cast(int, request.path_params["document_id"]))
    return download_response(request.app.state.storage, document)


async def portal_badge(request: Request) -> Response:
    user = require(request, can_use_portal)
    return _badge(request, await tickets.unread_count(user))


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
    Route(
        "/portal/tickets/{ticket_id:id}/read",
        portal_ticket_read,
        methods=["POST"],
        name="portal_ticket_read",
    ),
    Route("/portal/tickets", portal_ticket_list, methods=["GET"], name="portal_ticket_list"),
    Route("/portal/tickets/new", portal_ticket_new, methods=["GET"], name="portal_ticket_new"),
    Route("/portal/tickets", portal_ticket_create, methods=["POST"], name="portal_ticket_create"),
    Route(
        "/portal/tickets/{ticket_id:id}",
        portal_ticket_detail,
        methods=["GET"],
        name="portal_ticket_detail",
    ),
    Route(
        "/portal/tickets/{ticket_id:id}/reply",
        portal_ticket_reply,
        methods=["POST"],
        name="portal_ticket_reply",
    ),
    Route(
        "/portal/tickets/{ticket_id:id}/close",
        portal_ticket_close,
        methods=["POST"],
        name="portal_ticket_close",
    ),
    Route(
        "/portal/tickets/{ticket_id:id}/attachments/{document_id:id}",
        portal_attachment,
        methods=["GET"],
        name="portal_attachment",
    ),
    Route("/portal/badge", portal_badge, methods=["GET"], name="portal_badge"),
]
