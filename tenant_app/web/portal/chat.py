"""The customer's chat with the office (seed 004): one conversation, full screen on a phone,
live through the page's one stream (web/chat_live.py). The first message makes the chat, a
message to an archived one reopens it; the rules are in services/chats.py."""

from __future__ import annotations

from typing import Any, cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app import htmx
from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound
from tenant_app.pages import redirect, render, url_for
from tenant_app.permissions import can_use_portal
from tenant_app.services import chat_access, chat_marks, chat_pages
from tenant_app.web import chat_forms, chat_live, conversations
from tenant_app.web.downloads import download_response
from tenant_app.web.guards import require, require_module

TEMPLATE = "portal/chat.html"


def _chatter(request: Request) -> CurrentUser:
    """A customer of a tenant with the chat module on (communication off: the services'
    NotFound)."""
    require_module(request, "chat")
    return require(request, can_use_portal)


async def _page_context(request: Request, user: CurrentUser) -> dict[str, Any]:
    """The customer's open chat (None before the first message or once archived), with the
    page's share of the live stream. The page's script tells that it was read (a POST once
    it is seen): a GET changes nothing."""
    chat = await chat_access.customer_chat(user)  # NotFound while communication is off
    page = None
    if chat is not None:
        page = await chat_pages.chat_page(user, chat)
    return {
        "page": page,
        "mine": chat_live.mine(user),
        "file_url": chat_live.file_link(request, user, chat.id if chat else 0),
        # Empty: the page's script makes a key per message; a plain form gets one on arrival.
        "client_key": "",
        "live_query": f"?chat={page.head.id}&after={page.last_id}" if page else "",
    }


async def portal_chat(
    request: Request,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    user = _chatter(request)
    context = await _page_context(request, user)
    context |= {"errors": errors or {}, "values": values or {}}
    return render(request, TEMPLATE, context, status_code=status_code)


async def portal_chat_send(request: Request) -> Response:
    """A message; the chat's first (or one that reopened it) loads the page again, whose
    stream then carries the chat."""
    user = _chatter(request)
    first = await chat_access.customer_chat(user) is None  # NotFound while communication off
    result = await chat_forms.send(request, user, chat_id=None)
    if isinstance(result, chat_forms.Refused):
        if htmx.is_htmx_request(request):
            return chat_forms.refused(request, result)
        errors = {"body": result.error}
        return await portal_chat(request, errors=errors, values=result.values, status_code=422)
    if not htmx.is_htmx_request(request):
        return redirect(request, "portal_chat")
    if first:
        return htmx.redirect_whole_page(Response(status_code=200), url_for(request, "portal_chat"))
    return await chat_forms.sent(request, user, result)


async def portal_chat_read(request: Request) -> Response:
    """The page's script tells what was read while the page is visible (opening it reads)."""
    user = _chatter(request)
    chat = await chat_access.customer_chat(user)
    if chat is not None:
        await chat_marks.mark_read(user, chat)
    return conversations.read_done()


async def portal_chat_file(request: Request) -> Response:
    """A file sent in the customer's open chat (by either side)."""
    user = _chatter(request)
    chat = await chat_access.customer_chat(user)
    if chat is None:
        raise NotFound
    document_id = cast(int, request.path_params["document_id"])
    document = await chat_pages.attachment(user, chat.id, document_id)
    return download_response(request.app.state.storage, document)


routes = [
    Route("/portal/chat", portal_chat, methods=["GET"], name="portal_chat"),
    Route("/portal/chat/messages", portal_chat_send, methods=["POST"], name="portal_chat_send"),
    Route("/portal/chat/read", portal_chat_read, methods=["POST"], name="portal_chat_read"),
    Route(
        "/portal/chat/files/{document_id:id}",
        portal_chat_file,
        methods=["GET"],
        name="portal_chat_file",
    ),
]
