"""Sending a chat message, the same on the staff and the customer side: the composer's
multipart form, the answer for the page's script (the stored message, placed by its key) and
a refusal for htmx (the error beside the field; nothing was stored)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from tenant_app.actors import CurrentUser
from tenant_app.errors import ValidationFailed
from tenant_app.pages import render
from tenant_app.services import chat_pages, chats, tickets
from tenant_app.web import chat_live, conversations, forms

MAX_CHARS = tickets.MAX_BODY + 1000  # the service says what is too long, in words
KEY_CHARS = 40  # a message key (services/chats.py accepts up to 36)
ERROR_TEMPLATE = "chat/_error.html"


@dataclass(frozen=True)
class Refused:
    """A message the service refused: its errors (text and file alike) and what was typed."""

    errors: dict[str, str]
    values: dict[str, str] = field(default_factory=dict)

    @property
    def error(self) -> str:
        return " ".join(dict.fromkeys(self.errors.values()))


async def send(request: Request, actor: CurrentUser, *, chat_id: int | None) -> Any:
    """The stored message (an entry), or `Refused`. Without the page's script the form
    brings no key: the server makes one."""
    async with forms.multipart(request) as form:
        values: dict[str, str] = {}
        try:
            values = {"body": forms.text(form, "body", max_chars=MAX_CHARS)}
            key = forms.text(form, "client_key", max_chars=KEY_CHARS) or chats.new_key()
            return await chats.send(
                conversations.context(request),
                actor,
                chat_id=chat_id,
                body=values["body"],
                client_key=key,
                upload=forms.upload_from(form),
            )
        except ValidationFailed as invalid:
            return Refused(invalid.errors, values)


async def sent(request: Request, actor: CurrentUser, entry: Any) -> HTMLResponse:
    """The stored message (and any that came after it) for the page's script to place."""
    chat_id = entry.conversation_id
    found, marks = await chat_pages.tail(actor, chat_id, after=entry.id - 1)
    html = chat_live.render_messages(request, actor, chat_id, found, marks)
    return HTMLResponse(html, headers={"Vary": "HX-Request, Cookie, Accept-Language"})


def refused(request: Request, refusal: Refused) -> Response:
    """For htmx: the error into the composer's error element (out of band), 422."""
    return render(request, ERROR_TEMPLATE, {"error": refusal.error}, status_code=422)
