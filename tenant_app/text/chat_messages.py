"""Chat messages ready to print: classes, author, text, time, file link and mark prepared in
Python, for the chat pages and the live tail alike.

A chat page holds every message of the chat; built in the template, each one made a dozen
calls through Jinja's runtime (an include, the side, the mark, filters, translations). Here
it is one loop over plain attributes, and the template only prints them (escaped as always).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from markupsafe import Markup

from tenant_app.queries.chats import Marks, Message
from tenant_app.text.formatting import fmt_datetime
from tenant_app.text.i18n import gettext as _
from tenant_app.text.plain import plain_text_html


@dataclass(frozen=True, slots=True)
class MessageView:
    key: str  # the sender's key: the element's id, by which the page's script places it
    id: int
    seq: int | None
    classes: str
    intern: str  # the "Intern" chip's word for a staff note, else ""
    author: str  # shown on the other side's messages and on notes, else ""
    body: Markup  # escaped, line breaks and links kept (text/plain.py)
    file_url: str
    filename: str
    time_iso: str
    time_text: str
    mark: str  # sent | delivered | read on the viewer's own messages, else ""
    mark_text: str


def message_views(
    messages: Iterable[Message],
    marks: Marks,
    *,
    mine: Callable[[Message], bool],
    file_url: Callable[[Message], str],
) -> list[MessageView]:
    """The messages as one viewer sees them (`mine`: their side wrote it)."""
    words = {"sent": _("sent"), "delivered": _("delivered"), "read": _("read")}
    intern, former = _("Intern"), _("Former user")
    views = []
    for m in messages:
        own = mine(m)
        classes = "chat-msg" + (" chat-msg--mine" if own else "")
        mark = marks.of(m) if own and not m.internal else ""
        views.append(
            MessageView(
                key=m.key,
                id=m.id,
                seq=m.seq,
                classes=classes + (" chat-msg--internal" if m.internal else ""),
                intern=intern if m.internal else "",
                author=(m.author_name or former) if (not own or m.internal) else "",
                body=plain_text_html(m.body) if m.body else Markup(""),
                file_url=file_url(m) if m.document_id else "",
                filename=m.filename,
                time_iso=m.created_at.isoformat(),
                time_text=fmt_datetime(m.created_at),
                mark=mark,
                mark_text=words.get(mark, ""),
            )
        )
    return views
