"""What staff and customers do alike with tickets: write, reply, read, attachments, badge."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from tenant_app import htmx
from tenant_app.actors import CurrentUser
from tenant_app.errors import ValidationFailed
from tenant_app.pages import redirect, render
from tenant_app.services import documents, tickets
from tenant_app.web import forms

_NEW_TICKET_FIELDS = ("staff_id", "subject", "body")


def context(request: Request) -> tickets.Context:
    state = request.app.state
    return tickets.Context(settings=state.settings, store=state.storage)


def _detail_route(actor: CurrentUser) -> str:
    """The ticket page of the actor's own area (the staff's or the portal's)."""
    return "portal_ticket_detail" if actor.is_customer else "staff_ticket_detail"


async def _open_from(
    request: Request, actor: CurrentUser, contact_id: int, form: FormData, values: dict[str, str]
) -> Any:
    """Open the ticket the new-ticket form describes (the values were read from `form`)."""
    return await tickets.open_ticket(
        context(request),
        actor,
        contact_id=contact_id,
        staff_id=forms.optional_id(values["staff_id"]),
        subject=values["subject"],
        body=values["body"],
        upload=forms.upload_from(form),
    )


async def open_ticket(
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
            values = forms.texts(form, _NEW_TICKET_FIELDS, max_chars=tickets.MAX_BODY + 1000)
            ticket = await _open_from(request, actor, contact_id, form, values)
        except ValidationFailed as invalid:
            return await failed(values, invalid.errors)
    return redirect(request, _detail_route(actor), flash="created", ticket_id=ticket.id)


async def reply(
    request: Request, actor: CurrentUser, ticket: Any, *, detail: Callable[..., Awaitable[Response]]
) -> Response:
    """A new entry (neuer Eintrag); bad input shows the ticket again with the errors."""
    async with forms.multipart(request) as form:
        values: dict[str, str] = {}
        try:
            values["body"] = forms.text(form, "body", max_chars=tickets.MAX_BODY + 1000)
            await tickets.reply(
                context(request), actor, ticket, body=values["body"], upload=forms.upload_from(form)
            )
        except ValidationFailed as invalid:  # what was typed stays in the form
            return await detail(request, errors=invalid.errors, values=values, status_code=422)
    return redirect(request, _detail_route(actor), flash="replied", ticket_id=ticket.id)


async def ticket_document(ticket: Any, document_id: int) -> Any:
    return await tickets.attachment_of(ticket, document_id)


def read_done() -> Response:
    # The badges listen for this event, so the count drops at once rather than at the next poll.
    return htmx.trigger(Response(status_code=204), "unread-changed")


def badge(request: Request, count: int) -> Response:
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


async def file_attachment(request: Request, actor: CurrentUser, document: Any) -> dict[str, str]:
    """File a conversation's attachment under the contract the form chose: the errors to show
    beside its form (none: it was filed). No choice files nothing: the service refuses it."""
    form = await forms.read_form(request)
    try:
        contract_id = forms.optional_id(forms.text(form, "contract_id", max_chars=12))
        await documents.file_into_contract(actor, document, contract_id=contract_id or 0)
    except ValidationFailed as failed:
        return {f"file-{document.id}": next(iter(failed.errors.values()))}
    return {}
