"""The staff's chat list rows ready to print: link, labels and time prepared in Python.

The list shows up to 200 chats; built in the template, each row paid a filter, a method call
and several branches through Jinja's runtime (about half of the list's render). Here it is
one loop over plain attributes, and the template only prints them (escaped as always).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from markupsafe import Markup

from tenant_app.queries.chats import ChatRow
from tenant_app.text import i18n
from tenant_app.text.formatting import fmt_datetime

UNREAD_SHOWN = 99  # more shows as "99+"


@dataclass(frozen=True, slots=True)
class ChatRowView:
    id: int
    anchor: Markup  # the row's id attribute, found again by mark_active
    url: str
    contact_name: str
    unread: str  # "" when everything is read, else the count ("99+" from 100 on)
    operator: str  # "Chat-Operator: Ada Admin"
    awaiting: bool  # the customer wrote last in an open chat
    time_iso: str  # "" without a message yet
    time: str


def chat_rows(url: Callable[..., str], rows: Iterable[ChatRow]) -> list[ChatRowView]:
    """The rows of the staff's chat list. `url` builds a route's path (the templates' `url`)."""
    operator, no_operator = i18n.gettext("Chat operator"), i18n.gettext("No chat operator")
    views = []
    for row in rows:
        when = row.last_entry_at
        unread = row.unread
        views.append(
            ChatRowView(
                id=row.id,
                anchor=Markup(_anchor(row.id)),  # noqa: S704 - an int
                url=url("staff_chat_detail", chat_id=row.id),
                contact_name=row.contact_name,
                unread="" if not unread else ("99+" if unread > UNREAD_SHOWN else str(unread)),
                operator=f"{operator}: {row.operator_name or no_operator}",
                awaiting=row.waiting and row.status == "open",
                time_iso=when.isoformat() if when else "",
                time=fmt_datetime(when) if when else "",
            )
        )
    return views


def _anchor(chat_id: int) -> str:
    return f'id="chat-row-{int(chat_id)}"'


_ROW_START = '<li class="chat-list__item'
_ACTIVE = " chat-list__item--active"


def mark_active(rows_html: str, chat_id: int | None) -> Markup:
    """The rendered rows with the chat shown marked (its row's class, its link's
    aria-current). The rows are kept rendered without it: beside each of a member's chats
    the list is the same but for this one mark. A row is found by its `anchor`, printed as
    markup: as it is, also where printed values are wrapped (the benchmark's capture)."""
    html = str(rows_html)
    at = html.find(_anchor(chat_id)) if chat_id is not None else -1
    if at < 0:
        return Markup(html)  # noqa: S704 - rendered by an autoescaping template
    start = html.rfind(_ROW_START, 0, at) + len(_ROW_START)
    link_end = html.find('">', html.find("<a href=", at)) + 1
    marked = (
        html[:start] + _ACTIVE + html[start:link_end] + ' aria-current="page"' + html[link_end:]
    )
    return Markup(marked)  # noqa: S704 - as above, plus two constant attributes
