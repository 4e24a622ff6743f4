"""The chat on the staff side (seed 004): the chat list with its filters, a chat beside the
list, the "+" customer search that starts a chat, and a chat's attachments (download, file
into a contract). Writing in a chat is in web/staff/chat_actions.py, archiving in the
archive's own handlers."""

from __future__ import annotations

from typing import Any, cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.actors import CurrentUser
from tenant_app.errors import ValidationFailed
from tenant_app.pages import redirect, render
from tenant_app.permissions import can_chat
from tenant_app.services import chat_access, chat_pages, chats
from tenant_app.services.chat_pages import ChatFilters
from tenant_app.web import chat_live, conversations, forms
from tenant_app.web.downloads import download_response
from tenant_app.web.guards import require, require_module

DETAIL_TEMPLATE = "staff/chats/detail.html"


def chat_staff(request: Request) -> CurrentUser:
    """A staff member with the right Chat, in a tenant with the chat module on."""
    require_module(request, "chat")
    return require(request, can_chat)


async def chat_of(request: Request) -> tuple[CurrentUser, Any]:
    """The member and the chat the path names, if they may see it (else NotFound)."""
    actor = chat_staff(request)
    return actor, await chat_access.chat_for(actor, cast(int, request.path_params["chat_id"]))


def _filters(request: Request) -> ChatFilters:
    return ChatFilters.of(dict(request.query_params))


async def staff_chat_list(request: Request) -> Response:
    actor = chat_staff(request)
    filters = _filters(request)
    rows = await chat_pages.staff_chat_list(actor, filters)
    active = request.query_params.get("active", "")  # the chat shown beside a refreshed list
    active_id = int(active) if active.isdigit() and len(active) < 12 else None
    context = {"chats": rows, "filters": filters, "active_id": active_id}
    return render(request, "staff/chats/list.html", context, block="results")


async def _detail_context(request: Request, actor: CurrentUser, chat: Any) -> dict[str, Any]:
    """What a chat's page shows: the chat, the list beside it, whom it may be handed to,
    where its attachments may be filed."""
    page = await chat_pages.chat_page(actor, chat)
    filters = _filters(request)
    return {
        "page": page,
        "head": page.head,
        "chats": await chat_pages.staff_chat_list(actor, filters),
        "filters": filters,
        "operators": await chat_pages.operator_choices(actor, page.head.contact_id),
        "contracts": await chat_pages.filing_contracts(actor, page.head),
        # Empty: the page's script makes a key per message; a plain form gets one on arrival.
        "client_key": "",
        "note_key": chats.new_key(),
        "mine": chat_live.mine(actor),  # what the office wrote shows as ours
        "file_url": chat_live.file_link(request, actor, page.head.id),
        # The page's one live stream carries this chat from its last message on.
        "live_query": f"?chat={page.head.id}&after={page.last_id}",
    }


async def staff_chat_detail(
    request: Request,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """A chat beside the list. The page's script tells that it was read (a POST once it is
    seen): a GET changes nothing, so a prefetch reads nothing."""
    actor, chat = await chat_of(request)
    context = await _detail_context(request, actor, chat)
    context |= {"errors": errors or {}, "values": values or {}}
    return render(request, DETAIL_TEMPLATE, context, status_code=status_code)


async def staff_chat_new(request: Request) -> Response:
    """The "+": a customer search by name (live with htmx, a plain GET form without)."""
    actor = chat_staff(request)
    search = request.query_params.get("q", "")[:100]
    found = await chat_pages.chattable(actor, search=search)
    context = {"q": search, "customers": found, "errors": {}}
    return render(request, "staff/chats/new.html", context, block="results")


async def staff_chat_start(request: Request) -> Response:
    """Open the customer's chat (made now, or reopened if archived) and go there."""
    actor = chat_staff(request)
    form = await forms.read_form(request)
    contact_id = forms.optional_id(forms.text(form, "contact_id", max_chars=12))
    try:
        chat = await chats.start_chat(actor, contact_id=contact_id or 0)
    except ValidationFailed as refused:
        context = {"q": "", "customers": [], "errors": refused.errors}
        return render(request, "staff/chats/new.html", context, status_code=422)
    return redirect(request, "staff_chat_detail", chat_id=chat.id)


async def _attachment(request: Request) -> tuple[CurrentUser, Any, Any]:
    """The member, the chat and the file of it the path names (else NotFound)."""
    actor, chat = await chat_of(request)
    document_id = cast(int, request.path_params["document_id"])
    return actor, chat, await chat_pages.attachment(actor, chat.id, document_id)


async def staff_chat_file(request: Request) -> Response:
    _actor, _chat, document = await _attachment(request)
    return download_response(request.app.state.storage, document)


async def staff_chat_file_into(request: Request) -> Response:
    """File a message's attachment under one of the customer's contracts."""
    actor, chat, document = await _attachment(request)
    if errors := await conversations.file_attachment(request, actor, document):
        return await staff_chat_detail(request, errors=errors, status_code=422)
    return redirect(request, "staff_chat_detail", flash="filed", chat_id=chat.id)


BASE = "/staff/chats/{chat_id:id}"
routes = [
    Route("/staff/chats", staff_chat_list, methods=["GET"], name="staff_chat_list"),
    Route("/staff/chats/new", staff_chat_new, methods=["GET"], name="staff_chat_new"),
    Route("/staff/chats/start", staff_chat_start, methods=["POST"], name="staff_chat_start"),
    Route(BASE, staff_chat_detail, methods=["GET"], name="staff_chat_detail"),
    Route(
        BASE + "/files/{document_id:id}",
        staff_chat_file,
        methods=["GET"],
        name="staff_chat_file",
    ),
    Route(
        BASE + "/files/{document_id:id}/file",
        staff_chat_file_into,
        methods=["POST"],
        name="staff_chat_file_into",
    ),
]
