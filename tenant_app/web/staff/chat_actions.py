"""Writing in a chat on the staff side: a message (with or without a file), an internal note,
handing the chat to a colleague, and telling the server what was read."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app import htmx
from tenant_app.errors import ValidationFailed
from tenant_app.pages import redirect
from tenant_app.services import chat_marks, chats
from tenant_app.web import chat_forms, conversations, forms
from tenant_app.web.staff.chats import chat_of, staff_chat_detail


async def staff_chat_send(request: Request) -> Response:
    """A message: htmx gets it back rendered (or the error beside the field), a plain form
    goes back to the chat (or sees the page again with what was typed)."""
    actor, chat = await chat_of(request)
    result = await chat_forms.send(request, actor, chat_id=chat.id)
    if isinstance(result, chat_forms.Refused):
        if htmx.is_htmx_request(request):
            return chat_forms.refused(request, result)
        errors = {"body": result.error}
        return await staff_chat_detail(
            request, errors=errors, values=result.values, status_code=422
        )
    if not htmx.is_htmx_request(request):
        return redirect(request, "staff_chat_detail", chat_id=chat.id)
    return await chat_forms.sent(request, actor, result)


async def staff_chat_note(request: Request) -> Response:
    """An internal note in the conversation, which the customer never sees."""
    actor, chat = await chat_of(request)
    form = await forms.read_form(request)
    values: dict[str, str] = {}
    try:
        values["note"] = forms.text(form, "body", max_chars=chat_forms.MAX_CHARS)
        key = forms.text(form, "client_key", max_chars=chat_forms.KEY_CHARS)
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
