"""A chat page's share of the page's one live stream (web/notifications.py): the messages it
has not shown yet (`event: chat`, the rendered messages) and the sent / delivered / read
marks (`event: chatmarks`, JSON), read after each wake-up.

The page names its chat and the last message it shows in the stream's address
(`?chat=12&after=345`). Every frame carries the last message sent as its id, which the
browser sends back when it reconnects (`Last-Event-ID`): the stream then goes on after it, so
nothing is lost; a page's script places each message by its sender's key, so nothing shows
twice either."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.requests import Request

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, PermissionDenied
from tenant_app.pages import url_for
from tenant_app.services import chat_pages
from tenant_app.services.chat_pages import Marks, Message
from tenant_app.templating import templates

MESSAGES_TEMPLATE = "chat/_messages.html"


def file_link(request: Request, user: CurrentUser, chat_id: int) -> Callable[[Message], str]:
    """The attachment link of a message on this viewer's side."""
    if user.kind == "customer":
        return lambda m: url_for(request, "portal_chat_file", document_id=m.document_id)
    return lambda m: url_for(request, "staff_chat_file", chat_id=chat_id, document_id=m.document_id)


def mine(user: CurrentUser) -> Callable[[Message], bool]:
    """Whether the viewer's side wrote a message (customers: the customer's; staff: the
    office's, whoever of them)."""
    customer = user.kind == "customer"
    return lambda m: m.by_customer == customer


def render_messages(
    request: Request, user: CurrentUser, chat_id: int, messages: list[Message], marks: Marks
) -> str:
    return templates.get_template(MESSAGES_TEMPLATE).render(
        messages=messages,
        marks=marks,
        mine=mine(user),
        file_url=file_link(request, user, chat_id),
    )


def _resumed_after(request: Request) -> int:
    """The last message the page holds: from its address, or later from the browser's
    Last-Event-ID after a reconnect."""
    values = [request.query_params.get("after", ""), request.headers.get("last-event-id", "")]
    return max((int(value) for value in values if value.isdigit() and len(value) < 12), default=0)


@dataclass
class ChatTail:
    request: Request
    user: CurrentUser
    chat_id: int
    after: int
    marks: Marks | None = None
    gone: bool = field(default=False)

    @property
    def event_id(self) -> str:
        return str(self.after)

    async def told(self) -> str:
        """The frames for what is new since the last call ('' when nothing is)."""
        if self.gone:
            return ""
        try:
            found, marks = await chat_pages.tail(self.user, self.chat_id, after=self.after)
        except (NotFound, PermissionDenied):  # archived, or the rights were taken away
            self.gone = True
            return _frame("chatgone", "", self.event_id)
        told = ""
        if found:
            self.after = found[-1].id
            html = render_messages(self.request, self.user, self.chat_id, found, marks)
            told += _frame("chat", html, self.event_id)
        if marks != self.marks:
            self.marks = marks
            told += _frame("chatmarks", json.dumps(marks.__dict__), self.event_id)
        return told


def tail_of(request: Request, user: CurrentUser) -> ChatTail | None:
    """The tail a chat page asked for (`?chat=`), or None."""
    chat = request.query_params.get("chat", "")
    if not chat.isdigit() or len(chat) > 11 or not request.state.tenant.has_module("chat"):
        return None
    return ChatTail(request, user, int(chat), _resumed_after(request))


def _frame(name: str, data: str, event_id: str) -> str:
    lines = "".join(f"data: {line}\n" for line in data.splitlines() or [""])
    return f"id: {event_id}\nevent: {name}\n{lines}\n"
