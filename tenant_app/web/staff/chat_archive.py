"""Archiving a chat on the staff side (seed 004): the dialog with "Zugeordnet zu" (where the
transcript is filed), archiving, and opening an archived chat again
(services/chat_archive.py)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.actors import CurrentUser
from tenant_app.errors import ValidationFailed
from tenant_app.pages import redirect, render
from tenant_app.services import chat_archive
from tenant_app.web import forms
from tenant_app.web.conversations import context as chat_context
from tenant_app.web.staff.chats import chat_of

DIALOG = "staff/chats/archive.html"


async def _dialog_page(
    request: Request,
    actor: CurrentUser,
    chat: Any,
    *,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    found = await chat_archive.dialog(actor, chat)
    context = {"dialog": found, "values": values, "errors": errors}
    return render(request, DIALOG, context, block="dialog", status_code=status_code)


async def staff_chat_archive_form(request: Request) -> Response:
    actor, chat = await chat_of(request)
    return await _dialog_page(request, actor, chat, values={}, errors={})


async def staff_chat_archive(request: Request) -> Response:
    """Archive the chat and file its transcript where chosen; a refused choice changes nothing."""
    actor, chat = await chat_of(request)
    form = await forms.read_form(request)
    values = {chat_archive.FIELD: ""}
    try:
        values[chat_archive.FIELD] = forms.text(form, chat_archive.FIELD, max_chars=30)
        contract_id, claim_id = chat_archive.parse_assigned(values[chat_archive.FIELD])
        await chat_archive.archive(
            chat_context(request), actor, chat, contract_id=contract_id, claim_id=claim_id
        )
    except ValidationFailed as failed:
        return await _dialog_page(
            request, actor, chat, values=values, errors=failed.errors, status_code=422
        )
    return redirect(request, "staff_chat_list", flash="archived", query={"status": "archived"})


async def staff_chat_reopen(request: Request) -> Response:
    actor, chat = await chat_of(request)
    await chat_archive.reopen(actor, chat)
    return redirect(request, "staff_chat_detail", flash="reopened", chat_id=chat.id)


BASE = "/staff/chats/{chat_id:id}"
routes = [
    Route(
        BASE + "/archive", staff_chat_archive_form, methods=["GET"], name="staff_chat_archive_form"
    ),
    Route(BASE + "/archive", staff_chat_archive, methods=["POST"], name="staff_chat_archive"),
    Route(BASE + "/reopen", staff_chat_reopen, methods=["POST"], name="staff_chat_reopen"),
]
