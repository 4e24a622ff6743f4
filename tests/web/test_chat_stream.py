"""A chat page's share of the page's one live stream (GET /account/notifications/stream
?chat=<id>&after=<last message shown>): the messages it has not shown, each once and in
order, with the last one's id as the SSE id (a reconnect's Last-Event-ID goes on after it);
new messages after the wake-up; the marks as the other side reads; `chatgone` for a chat the
reader may not see; never an internal note for customers; and any open page of the recipient
marks what is new delivered.

The stream is read in process (the ASGI app called directly, as httpx's ASGI transport does
not stream), so that a message written here wakes it: on SQLite through the process's broker,
on PostgreSQL through LISTEN/NOTIFY as between app processes (the listener runs here)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import asyncpg
import pytest

from tenant_app.files.storage import storage_for
from tenant_app.live.broker import broker
from tenant_app.live.postgres import asyncpg_dsn, listen
from tenant_app.models.conversations import Conversation, ConversationEntry
from tenant_app.models.folders import CustomerAccess
from tenant_app.models.scoping import tenant_scope
from tenant_app.queries import chats as reads
from tenant_app.services import chat_marks, chats
from tests.chat_helpers import actor, make_member, make_responsible
from tests.conftest import ADMIN_PASSWORD, CUSTOMER_PASSWORD, make_customer
from tests.test_live_listener import _wait_for_listener

STREAM = "/account/notifications/stream"
HOST = "alpha.localhost"
WAIT = 10.0  # seconds: only reached when a frame that must come never does


@dataclass
class Frame:
    id: str
    event: str
    data: str


@dataclass
class OpenStream:
    """One page's open stream: its frames as they come."""

    chunks: asyncio.Queue[bytes] = field(default_factory=asyncio.Queue)
    pending: list[Frame] = field(default_factory=list)
    buffer: str = ""

    async def chunk(self) -> list[Frame]:
        """The frames of the next piece the server sent (the first: all it had to say)."""
        while True:
            self.buffer += (await asyncio.wait_for(self.chunks.get(), WAIT)).decode()
            blocks = self.buffer.split("\n\n")
            self.buffer = blocks.pop()
            found = [frame for block in blocks if (frame := _frame(block)) is not None]
            if found or not blocks:
                return found

    async def until(self, event: str) -> Frame:
        """Read on to the next frame called `event`."""
        while True:
            while self.pending:
                frame = self.pending.pop(0)
                if frame.event == event:
                    return frame
            self.pending = await self.chunk()


def _frame(block: str) -> Frame | None:
    """A frame's id, name and data; None for a comment (a heartbeat)."""
    values: dict[str, list[str]] = {"id": [], "event": [], "data": []}
    for line in block.split("\n"):
        name, _, value = line.partition(": ")
        if name in values:
            values[name].append(value)
    if not values["event"]:
        return None
    return Frame("".join(values["id"]), values["event"][0], "\n".join(values["data"]))


@contextlib.asynccontextmanager
async def stream_of(
    app: Any, client: Any, *, query: str = "", last_event_id: str = ""
) -> AsyncIterator[OpenStream]:
    """The stream a page of the client's session opens; it ends (the browser goes) on exit."""
    cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    headers = [(b"host", HOST.encode()), (b"cookie", cookie.encode())]
    if last_event_id:
        headers.append((b"last-event-id", last_event_id.encode()))
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": STREAM,
        "raw_path": STREAM.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": (HOST, 80),
        "state": {},
    }
    opened, gone = OpenStream(), asyncio.Event()

    async def receive() -> dict[str, Any]:
        await gone.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            assert message["status"] == 200, message
        elif message.get("body"):
            opened.chunks.put_nowait(message["body"])

    running = asyncio.create_task(app(scope, receive, send))
    try:
        yield opened
    finally:
        gone.set()
        await asyncio.wait_for(running, WAIT)


def keys_in(html: str) -> list[str]:
    """The message keys of rendered chat messages, top to bottom."""
    return re.findall(r'<li class="chat-msg[^"]*" id="m-([^"]+)"', html)


@pytest.fixture
async def listening(settings) -> AsyncIterator[None]:
    """On PostgreSQL, this process listens as every app process does: a message written here
    wakes the streams through NOTIFY once its transaction commits."""
    url = str(settings.database_url)
    if not url.startswith(("postgres", "asyncpg")):
        yield  # SQLite: publish wakes this process's streams directly
        return
    task = asyncio.create_task(listen(url, broker))
    admin = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await _wait_for_listener(admin)
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await admin.close()


@pytest.fixture
async def chat(tenant, passwords, settings, client_for, listening) -> SimpleNamespace:
    """Kai's chat with Anna (his responsible, so its operator): Kai, Anna, Kai, then Anna's
    internal note; Anna, Kai and Lea (another customer with her own chat) logged in."""
    ctx = chats.Context(settings=settings, store=storage_for(settings))
    kai = await make_customer(tenant, passwords, communication=True)
    await make_customer(
        tenant, passwords, email="lea@kunde.example", first_name="Lea", communication=True
    )
    anna = await make_member(tenant, passwords, "anna", first_name="Anna", handles_chat=True)
    await make_responsible(tenant, kai, anna)
    world = SimpleNamespace(ctx=ctx, tenant=tenant, kai=kai, anna=anna, entries=[])
    for username, key in (("kai", "k-0000001"), ("anna", "a-0000001"), ("kai", "k-0000002")):
        world.entries.append(await write(world, username, f"Nachricht {key}", key=key))
        world.id = world.entries[0].conversation_id
    world.note = await note(world, "Intern: Rückruf am Freitag", key="n-0000001")
    world.lea_chat = (await write(world, "lea", "Hallo", key="l-0000001")).conversation_id
    world.staff, world.customer, world.lea = (client_for(tenant.hostname) for _ in range(3))
    await world.staff.log_in("anna", ADMIN_PASSWORD)
    await world.customer.log_in("kai", CUSTOMER_PASSWORD)
    await world.lea.log_in("lea", CUSTOMER_PASSWORD)
    return world


async def write(world: SimpleNamespace, username: str, body: str, *, key: str) -> Any:
    with tenant_scope(world.tenant.tenant.id):
        writer = await actor(username)
        chat_id = None if writer.kind == "customer" else world.id
        return await chats.send(world.ctx, writer, chat_id=chat_id, body=body, client_key=key)


async def note(world: SimpleNamespace, body: str, *, key: str) -> ConversationEntry:
    with tenant_scope(world.tenant.tenant.id):
        chat = await Conversation.get(id=world.id)
        await chats.add_note(await actor("anna"), chat, body=body, client_key=key)
        return await ConversationEntry.get(conversation_id=world.id, client_key=key)


async def marks_of(world: SimpleNamespace) -> reads.Marks:
    with tenant_scope(world.tenant.tenant.id):
        return await reads.marks(world.id)


def first_of(frames: list[Frame], event: str) -> Frame:
    [found] = [frame for frame in frames if frame.event == event]
    return found


async def test_the_stream_sends_what_the_page_has_not_shown_once_in_order(app, chat) -> None:
    first, _, third = chat.entries
    query = f"chat={chat.id}&after={first.id}"
    async with stream_of(app, chat.staff, query=query) as stream:
        frames = await stream.chunk()
    told = first_of(frames, "chat")
    assert keys_in(told.data) == ["a-0000001", "k-0000002", "n-0000001"]  # staff: the note too
    assert told.id == str(chat.note.id)  # the last message sent, for Last-Event-ID
    assert "Nachricht k-0000001" not in told.data
    # a reconnect with Last-Event-ID beyond `after` goes on after it: nothing twice
    async with stream_of(app, chat.staff, query=query, last_event_id=str(third.id)) as stream:
        frames = await stream.chunk()
    resumed = first_of(frames, "chat")
    assert keys_in(resumed.data) == ["n-0000001"] and resumed.id == str(chat.note.id)
    # nothing new: no chat frame, and the id stays what the page holds
    query = f"chat={chat.id}&after={chat.note.id}"
    async with stream_of(app, chat.staff, query=query) as stream:
        frames = await stream.chunk()
    assert "chat" not in [frame.event for frame in frames]
    assert {frame.id for frame in frames} == {str(chat.note.id)}


async def test_a_new_message_arrives_after_the_wake_up_and_never_a_note_for_customers(
    app, chat
) -> None:
    async with stream_of(app, chat.customer, query=f"chat={chat.id}&after=0") as stream:
        frames = await stream.chunk()
        shown = first_of(frames, "chat")
        assert keys_in(shown.data) == ["k-0000001", "a-0000001", "k-0000002"]  # not the note
        assert "Rückruf" not in shown.data and shown.id == str(chat.entries[-1].id)
        await note(chat, "Intern: Kai ist verärgert", key="n-0000002")
        reply = await write(chat, "anna", "Gern, bis Freitag!", key="a-0000002")
        live = await stream.until("chat")
        assert keys_in(live.data) == ["a-0000002"] and live.id == str(reply.id)
        assert "verärgert" not in live.data and "Intern" not in live.data
    async with stream_of(app, chat.staff, query=f"chat={chat.id}&after={reply.id}") as stream:
        await stream.chunk()
        written = await write(chat, "kai", "Danke!", key="k-0000003")
        live = await stream.until("chat")
        assert keys_in(live.data) == ["k-0000003"] and live.id == str(written.id)


async def test_the_marks_change_when_the_other_side_reads(app, chat) -> None:
    query = f"chat={chat.id}&after={chat.note.id}"
    reply = await write(chat, "anna", "Sind Sie noch da?", key="a-0000002")
    async with stream_of(app, chat.staff, query=query) as stream:
        frames = await stream.chunk()
        shown = json.loads(first_of(frames, "chatmarks").data)
        assert shown["customer_read"] == 3 and shown["staff_read"] == 4
        with tenant_scope(chat.tenant.tenant.id):
            await chat_marks.mark_read(await actor("kai"), await Conversation.get(id=chat.id))
        marks = json.loads((await stream.until("chatmarks")).data)
        assert (marks["customer_read"], marks["customer_delivered"]) == (4, 4)
        assert marks["staff_read"] == 4
    assert reply.seq == 4


async def test_an_open_page_of_the_recipient_marks_what_is_new_delivered(app, chat) -> None:
    await write(chat, "anna", "Sind Sie noch da?", key="a-0000002")
    before = await marks_of(chat)
    assert (before.customer_delivered, before.customer_read) == (3, 3)  # sent only
    async with stream_of(app, chat.customer) as stream:  # any portal page, not the chat
        await stream.chunk()
        assert (await marks_of(chat)).customer_delivered == 4
        async with stream_of(app, chat.staff, query=f"chat={chat.id}&after=0") as staff:
            await staff.chunk()
            await write(chat, "anna", "Hallo?", key="a-0000003")
            # the customer's open page was woken and took it: the sender's page learns it
            # (first, maybe, the marks of Anna's own message: read by her)
            while json.loads((await staff.until("chatmarks")).data)["customer_delivered"] != 5:
                pass
    after = await marks_of(chat)
    assert (after.customer_delivered, after.customer_read) == (5, 3)  # delivered, not read


async def test_a_chat_the_reader_may_not_see_is_gone_without_a_message(app, chat) -> None:
    async with stream_of(app, chat.lea, query=f"chat={chat.id}&after=0") as stream:
        frames = await stream.chunk()  # another customer's chat
    assert [frame.event for frame in frames if frame.event.startswith("chat")] == ["chatgone"]
    assert "Nachricht" not in "".join(frame.data for frame in frames)
    with tenant_scope(chat.tenant.tenant.id):  # communication switched off: his own chat goes
        await CustomerAccess.filter(contact_id=chat.kai.id).update(communication=False)
    async with stream_of(app, chat.customer, query=f"chat={chat.id}&after=0") as stream:
        frames = await stream.chunk()
    assert [frame.event for frame in frames if frame.event.startswith("chat")] == ["chatgone"]
    # and Lea's own chat is hers
    async with stream_of(app, chat.lea, query=f"chat={chat.lea_chat}&after=0") as stream:
        frames = await stream.chunk()
    assert keys_in(first_of(frames, "chat").data) == ["l-0000001"]
