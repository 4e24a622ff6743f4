"""The customer's tickets (Kommunikation): list, write, read, reply."""

from __future__ import annotations

from typing import Any, cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, PermissionDenied
from tenant_app.pages import render
from tenant_app.permissions import (
    can_use_portal,
)
from tenant_app.services import tickets
from tenant_app.web import conversations
from tenant_app.web.downloads import download_response
from tenant_app.web.guards import require


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

    return await conversations.open_ticket(
        request, user, contact_id=cast(int, user.contact_id), failed=failed
    )


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
    return conversations.read_done()


async def portal_ticket_reply(request: Request) -> Response:
    user = await _customer(request)
    ticket = await tickets.ticket_for(user, cast(int, request.path_params["ticket_id"]))
    return await conversations.reply(request, user, ticket, detail=portal_ticket_detail)


async def portal_ticket_close(request: Request) -> Response:
    raise PermissionDenied  # only staff close tickets


async def portal_attachment(request: Request) -> Response:
    user = await _customer(request)
    ticket = await tickets.ticket_for(user, cast(int, request.path_params["ticket_id"]))
    document = await conversations.ticket_document(
        ticket, cast(int, request.path_params["document_id"])
    )
    return download_response(request.app.state.storage, document)


async def portal_badge(request: Request) -> Response:
    user = require(request, can_use_portal)
    return conversations.badge(request, await tickets.unread_count(user))


routes = [
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
