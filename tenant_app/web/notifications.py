"""The notification centre of staff and customers alike (each in their own layout), and the
live stream that keeps every open page's bell and unread-ticket badges current."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from tenant_app.actors import CurrentUser
from tenant_app.errors import ValidationFailed
from tenant_app.live.broker import broker
from tenant_app.pages import redirect, render, second_factor_state, url_for
from tenant_app.services import chat_marks, chat_pages, notification_live, notifications
from tenant_app.services.notification_live import Counts
from tenant_app.templating import templates
from tenant_app.text.i18n import gettext as _
from tenant_app.web import chat_live, forms
from tenant_app.web.guards import SecondFactorRequired, current_user, require
from tenant_app.web.push import push_context

BASE = "/account/notifications"
TEMPLATE = "account/notifications.html"
HEARTBEAT_SECONDS = 20.0  # a comment line this often: proxies keep the stream, a gone client shows
# Then the stream ends and the browser connects again at once: an open page never holds a
# server's graceful shutdown (which waits for open responses) for longer than this.
STREAM_SECONDS = 300.0
MAX_STREAMS = 12  # per account and process: a few browsers with a few tabs each
# A wake-up of every stream (after the database connection was lost) is spread over this
# many seconds, so that the streams do not all ask the database in the same instant.
SPREAD_SECONDS = 3.0


def _reader(request: Request) -> CurrentUser:
    """Anyone logged in; not while a staff member's second factor is due (the list names
    customers), although the own account's pages stay reachable then."""
    user = require(request, lambda u: True)
    if second_factor_state(request.scope) == "due":
        raise SecondFactorRequired
    return user


def _page(request: Request) -> int:
    value = request.query_params.get("page", "")
    return int(value) if value.isdigit() and len(value) < 6 else 1


async def _list_page(
    request: Request, user: CurrentUser, *, errors: dict[str, str] | None = None, chosen: str = ""
) -> Response:
    listing = await notifications.listing(user, page=_page(request))
    context = {
        "listing": listing,
        "errors": errors or {},
        "chosen": chosen or listing.mail_choice,
        "mail_choices": notifications.MAIL_CHOICES,
        **await push_context(request, user),
    }
    status = 422 if errors else 200
    return render(request, TEMPLATE, context, block="notifications", status_code=status)


async def notification_list(request: Request) -> Response:
    return await _list_page(request, _reader(request))


async def notification_open(request: Request) -> Response:
    """A notification's link: it is read, and the reader goes to what it is about."""
    user = _reader(request)
    target = await notifications.open_notification(
        user, notification_id=request.path_params["notification_id"]
    )
    path = url_for(request, target.route, **target.params)
    if target.choose_contact is not None:  # a household login chooses that contact first
        query = urlencode({"contact": target.choose_contact, "next": path})
        path = f"{url_for(request, 'portal_household')}?{query}"
    return RedirectResponse(path, status_code=303)


async def notification_read(request: Request) -> Response:
    user = _reader(request)
    await notifications.mark_read(user, notification_id=request.path_params["notification_id"])
    page = forms.text(await forms.read_form(request), "page", max_chars=5)
    query = {"page": page} if page.isdigit() and page != "1" else None
    return redirect(request, "notification_list", query=query)


async def notification_read_all(request: Request) -> Response:
    await notifications.mark_all_read(_reader(request))
    return redirect(request, "notification_list", flash="all_read")


async def notification_mail_save(request: Request) -> Response:
    user = _reader(request)
    choice = forms.text(await forms.read_form(request), "notification_mail", max_chars=20)
    try:
        await notifications.set_mail_choice(user, choice=choice)
    except ValidationFailed as invalid:
        return await _list_page(request, user, errors=invalid.errors, chosen=choice)
    return redirect(request, "notification_list", flash="mail_saved")


def _streamer(request: Request) -> CurrentUser | None:
    """Whose page may stream: a session that may see its pages, with fewer than
    MAX_STREAMS streams open in this process (more tabs than that wait for a free one)."""
    user = current_user(request)
    if user is None or user.read_only or user.must_change_password:
        return None
    if second_factor_state(request.scope) == "due":
        return None
    if broker.streams_of(request.state.tenant.id, user.id) >= MAX_STREAMS:
        return None
    return user


async def notification_stream(request: Request) -> Response:
    """Server-sent events for one open page (htmx's SSE extension): the bell's count
    (`bell`), a nudge for the ticket badges (`tickets`) and chat lists (`chats`), a chat
    page's messages (web/chat_live.py) and `ended` with the session. Nothing
    (204, which the layouts never ask for) without a session that may see its pages."""
    user = _streamer(request)
    if user is None:
        return Response(status_code=204)
    settings = request.app.state.settings
    stream = _Stream(
        user,
        idle=timedelta(minutes=settings.session_idle_minutes),
        absolute=timedelta(hours=settings.session_max_hours),
    )
    stream.tail = chat_live.tail_of(request, user)  # a chat page: its new messages, too
    frames = stream.frames(request.state.tenant.id, resumed="last-event-id" in request.headers)
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}  # nginx: don't buffer
    return StreamingResponse(frames, media_type="text/event-stream", headers=headers)


ENDED = "event: ended\ndata: \n\n"  # the layouts' `sse-close`: no reconnecting


def _event(name: str, data: str = "", event_id: str = "1") -> str:
    lines = "".join(f"data: {line}\n" for line in data.splitlines() or [""])
    # Any id: the browser sends it back when it reconnects, which says the page may be stale
    # (a chat page's stream: the last message it was sent, see web/chat_live.py).
    return f"id: {event_id}\nevent: {name}\n{lines}\n"


def _bell(counts: Counts, event_id: str = "1") -> str:
    html = templates.get_template("_partials/bell_count.html").render(count=counts.unread)
    if counts.unchecked is not None:  # staff: the activity feed's count in the sidebar, too
        badge = templates.get_template("_partials/nav_link.html").module.count_badge  # type: ignore[attr-defined]
        html += str(badge(counts.unchecked, "activity-count", _("unchecked"), oob=True))
    return _event("bell", html.replace("\n", " "), event_id)


@dataclass
class _Stream:
    """One page's stream: what it was told last, and what to tell it after a wake-up."""

    user: CurrentUser
    idle: timedelta
    absolute: timedelta
    shown: Counts = Counts(0, None)
    tail: chat_live.ChatTail | None = None
    chat_list: tuple[object, ...] | None = None  # what a staff chat list showed (None: none)

    @property
    def _id(self) -> str:
        return self.tail.event_id if self.tail is not None else "1"

    async def _chat(self) -> str:
        """Chats: what is new reached a page of the user's (delivered), and a chat page's
        own new messages and marks."""
        await chat_marks.mark_delivered(self.user)
        return await self.tail.told() if self.tail is not None else ""

    async def _counts(self, *, tickets: bool) -> Counts | None:
        return await notification_live.live_counts(
            self.user, idle=self.idle, absolute=self.absolute, tickets=tickets
        )

    async def frames(self, tenant_id: int, *, resumed: bool) -> AsyncIterator[str]:
        ends_at = time.monotonic() + STREAM_SECONDS
        with broker.subscribe(tenant_id, self.user.id) as wake:
            first = await self._counts(tickets=True)
            if first is None:
                yield ENDED
                return
            self.shown = first
            self.chat_list = await chat_pages.list_signature(self.user)
            chat = await self._chat()  # first: the frames after it carry its last message's id
            tickets = (
                _event("tickets", "", self._id) if resumed and first.tickets is not None else ""
            )
            yield "retry: 2000\n" + chat + _bell(first, self._id) + tickets  # what changed
            while time.monotonic() < ends_at:
                try:
                    if await asyncio.wait_for(wake.get(), HEARTBEAT_SECONDS):  # all at once
                        await asyncio.sleep(random.uniform(0, SPREAD_SECONDS))  # noqa: S311
                    woken = True
                except TimeoutError:  # a heartbeat; it also notices an ended session
                    woken = False
                told = await self._told(woken=woken)
                if told or not woken:
                    yield told or ": still here\n\n"
                if told == ENDED:
                    return

    async def _told(self, *, woken: bool) -> str:
        """What changed since the page was told last; the unread-ticket count is re-read
        only after a wake-up (a heartbeat costs one query)."""
        now = await self._counts(tickets=woken)
        if now is None:
            return ENDED
        changed = (now.unread, now.unchecked) != (self.shown.unread, self.shown.unchecked)
        told = await self._chat() if woken else ""
        told += _bell(now, self._id) if changed else ""
        if woken and now.tickets != self.shown.tickets:
            told += _event("tickets", "", self._id)
        if woken and self.chat_list is not None:  # a staff chat list fetches itself again
            chat_list = await chat_pages.list_signature(self.user)
            if chat_list != self.chat_list:
                self.chat_list = chat_list
                told += _event("chats", "", self._id)
        self.shown = now if woken else Counts(now.unread, self.shown.tickets, now.unchecked)
        return told


routes = [
    Route(BASE, notification_list, methods=["GET"], name="notification_list"),
    Route(BASE + "/stream", notification_stream, methods=["GET"], name="notification_stream"),
    Route(BASE + "/read", notification_read_all, methods=["POST"], name="notification_read_all"),
    Route(BASE + "/mail", notification_mail_save, methods=["POST"], name="notification_mail_save"),
    Route(
        BASE + "/{notification_id:id}",
        notification_open,
        methods=["GET"],
        name="notification_open",
    ),
    Route(
        BASE + "/{notification_id:id}/read",
        notification_read,
        methods=["POST"],
        name="notification_read",
    ),
]
