"""The customer's tickets (Kommunikation): list, write, read, reply."""

from __future__ import annotations

from typing import Any, cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.actors import CurrentUser
from tenant_app.errors import PermissionDenied
from tenant_app.pages import render
from tenant_app.permissions import (
    can_use_portal,
)
from tenant_app.services import ticket_pages, tickets
from tenant_app.web import conversations, forms
from tenant_app.web.downloads import download_response
from tenant_app.web.guards import require


def _ticket_id(request: Request) -> int:
    return cast(int, request.path_params["ticket_id"])


async def portal_ticket_list(request: Request) -> Response:
    """The customer's tickets (NotFound from the service while communication is off)."""
    user = require(request, can_use_portal)
    status = "closed" if request.query_params.get("status") == "closed" else "open"
    rows = await ticket_pages.customer_tickets(user, status=status)
    return render(request, "portal/tickets/list.html", {"tickets": rows, "status": status})


async def _new_ticket_context(
    user: CurrentUser, values: dict[str, Any], errors: dict[str, str], *, to: str = ""
) -> dict[str, Any]:
    """`to`: the staff member the link chose (the home's advisor card), if one of the choice."""
    form = await ticket_pages.new_ticket_form(user)
    first = form.staff[0].id if form.staff else ""
    if any(str(member.id) == to for member in form.staff):
        values.setdefault("staff_id", to)
    values.setdefault("staff_id", str(form.preferred_staff_id or first))
    return {"staff": form.staff, "values": values, "errors": errors}


async def portal_ticket_new(request: Request) -> Response:
    """The empty form; posted to, it comes back filled (a reply to a ticket closed meanwhile)."""
    user = require(request, can_use_portal)
    values: dict[str, Any] = {}
    if request.method == "POST":
        form = await forms.read_form(request)
        values = {name: forms.text(form, name, max_chars=20000) for name in ("subject", "body")}
    to = request.query_params.get("to", "")
    context = await _new_ticket_context(user, values, {}, to=to)
    return render(request, "portal/tickets/new.html", context)


async def portal_ticket_create(request: Request) -> Response:
    user = require(request, can_use_portal)
    contact_id = await tickets.own_contact_id(user)  # NotFound while communication is off

    async def failed(values: dict[str, str], errors: dict[str, str]) -> Response:
        context = await _new_ticket_context(user, values, errors)
        return render(request, "portal/tickets/new.html", context, status_code=422)

    return await conversations.open_ticket(request, user, contact_id=contact_id, failed=failed)


async def portal_ticket_detail(
    request: Request,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    user = require(request, can_use_portal)
    page = await ticket_pages.customer_ticket_page(user, _ticket_id(request))
    context = {"ticket": page.ticket, "thread": page.thread, "errors": errors or {}}
    context["values"] = values or {}  # what was typed into a reply that failed
    return render(request, "portal/tickets/detail.html", context, status_code=status_code)


async def portal_ticket_read(request: Request) -> Response:
    user = require(request, can_use_portal)
    await tickets.mark_read(user, await tickets.ticket_for(user, _ticket_id(request)))
    return conversations.read_done()


async def portal_ticket_reply(request: Request) -> Response:
    user = require(request, can_use_portal)
    ticket = await tickets.ticket_for(user, _ticket_id(request))
    return await conversations.reply(request, user, ticket, detail=portal_ticket_detail)


async def portal_ticket_close(request: Request) -> Response:
    raise PermissionDenied  # only staff close tickets


async def portal_attachment(request: Request) -> Response:
    user = require(request, can_use_portal)
    ticket = await tickets.ticket_for(user, _ticket_id(request))
    document = await conversations.ticket_document(
        ticket, cast(int, request.path_params["document_id"])
    )
    return download_response(request.app.state.storage, document)


async def portal_badge(request: Request) -> Response:
    user = require(request, can_use_portal)
    return conversations.badge(request, await ticket_pages.unread_count(user))


routes = [
    Route(
        "/portal/tickets/{ticket_id:id}/read",
        portal_ticket_read,
        methods=["POST"],
        name="portal_ticket_read",
    ),
    Route("/portal/tickets", portal_ticket_list, methods=["GET"], name="portal_ticket_list"),
    Route(
        "/portal/tickets/new", portal_ticket_new, methods=["GET", "POST"], name="portal_ticket_new"
    ),
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
