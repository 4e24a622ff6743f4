"""Writing in a chat on the staff side: a message (with or without a file), an internal note,
handing the chat to a colleague, and telling the server what was read."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from tenant_app import htmx
from tenant_app.actors import CurrentUser
from tenant_app.errors import ValidationFailed
from tenant_app.pages import redirect, render
from tenant_app.services import chat_marks, chat_pages, chats, tickets
from tenant_app.web import chat_live, conversations, forms
from tenant_app.web.staff.chats import chat_of, staff_chat_detail

MAX_CHARS = tickets.MAX_BODY + 1000  # the service says what is too long, in words
KEY_CHARS = 40


async def _sent(request: Request, actor: CurrentUser, entry: Any) -> Response:
    """htmx: the stored message (and any that came after it), for the page's script to
    place by its key; a plain form: back to the chat (PRG)."""
    chat_id = entry.conversation_id
    if not htmx.is_htmx_request(request):
        return redirect(request, "staff_chat_detail", chat_id=chat_id)
    found, marks = await chat_pages.tail(actor, chat_id, after=entry.id - 1)
    html = chat_live.render_messages(request, actor, chat_id, found, marks)
    return HTMLResponse(html, headers={"Vary": "HX-Request, Cookie, Accept-Language"})


async def _refused(request: Request, errors: dict[str, str], values: dict[str, str]) -> Response:
    """A refused message changes nothing: htmx gets the error into the composer's error
    element, a plain form the page again with what was typed."""
    if htmx.is_htmx_request(request):
        context = {"error": errors.get("body") or next(iter(errors.values()))}
        return render(request, "staff/chats/_composer_error.html", context, status_code=422)
    return await staff_chat_detail(request, errors=errors, values=values, status_code=422)


async def staff_chat_send(request: Request) -> Response:
    actor, chat = await chat_of(request)
    async with forms.multipart(request) as form:
        values: dict[str, str] = {}
        try:
            values = {"body": forms.text(form, "body", max_chars=MAX_CHARS)}
            values["client_key"] = forms.text(form, "client_key", max_chars=KEY_CHARS)
            entry = await chats.send(
                conversations.context(request),
                actor,
                chat_id=chat.id,
                body=values["body"],
                client_key=values["client_key"],
                upload=forms.upload_from(form),
            )
        except ValidationFailed as invalid:
            return await _refused(request, invalid.errors, values)
    return await _sent(request, actor, entry)


async def staff_chat_note(request: Request) -> Response:
    """An internal note in the conversation, which the customer never sees."""
    actor, chat = await chat_of(request)
    form = await forms.read_form(request)
    values: dict[str, str] = {}
    try:
        values["note"] = forms.text(form, "body", max_chars=MAX_CHARS)
        key = forms.text(form, "client_key", max_chars=KEY_CHARS)
        await chats.add_note(actor, chat, body=values["note"], client_key=key)
    except ValidationFailed as failed:
        errors = {"note": next(iter(failed.errors.values()))}
        return await staff_chat_detail(request, errors=errors, values=values, status_code=422)
    return redirect(request, "staff_chat_detail", flash="noted", chat_id=chat.id)


async def staff_chat_operator(request: Request) -> Response:
    """Hand the chat to a colleague, or take it over: everyone sees who operates it."""
    actor, chat = await chat_of(request)
    form = await forms.read_form(request)
    try:
        user_id = forms.optional_id(forms.text(form, "operator_id", max_chars=12))
        await chats.set_operator(actor, chat, user_id=user_id or 0)
    except ValidationFailed as failed:
        errors = {"operator_id": next(iter(failed.errors.values()))}
        return await staff_chat_detail(request, errors=errors, status_code=422)
    return redirect(request, "staff_chat_detail", flash="operator", chat_id=chat.id)


async def staff_chat_read(request: Request) -> Response:
    """The page's script tells what was read while it is visible (GET reads on opening)."""
    actor, chat = await chat_of(request)
    await chat_marks.mark_read(actor, chat)
    return conversations.read_done()


BASE = "/staff/chats/{chat_id:id}"
routes = [
    Route(BASE + "/messages", staff_chat_send, methods=["POST"], name="staff_chat_send"),
    Route(BASE + "/notes", staff_chat_note, methods=["POST"], name="staff_chat_note"),
    Route(BASE + "/operator", staff_chat_operator, methods=["POST"], name="staff_chat_operator"),
    Route(BASE + "/read", staff_chat_read, methods=["POST"], name="staff_chat_read"),
]
