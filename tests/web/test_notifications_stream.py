"""The live stream behind every page's bell (server-sent events): run against a real uvicorn
process, since httpx's ASGI transport does not stream. What one session does reaches the
other's open stream at once; the stream ends with its session."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from tenant_app.live.broker import broker
from tenant_app.models.accounts import Session, User
from tenant_app.models.scoping import tenant_scope
from tenant_app.services import events
from tenant_app.web import notifications as notification_pages
from tests.conftest import ADMIN_PASSWORD, CSRF_RE, CUSTOMER_PASSWORD, make_customer
from tests.live import LiveServer, live_server, server_problems
from tests.web.test_notifications import actor

STREAM = "/account/notifications/stream"
HOST = "alpha.localhost"


class Events:
    """The messages of one open stream, read as they come (each within the client's timeout)."""

    def __init__(self, response: httpx.Response) -> None:
        self._lines = response.aiter_lines()

    async def next(self) -> tuple[str, str]:
        """The next message's name and data (comments, such as heartbeats, skipped)."""
        name, data = "message", []
        async for line in self._lines:
            if line == "" and data:
                return name, "\n".join(data)
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
        raise AssertionError("the stream ended")

    async def until(self, wanted: str) -> str:
        """Read on to the next message called `wanted`: its data."""
        while True:
            name, data = await self.next()
            if name == wanted:
                return data


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


ACTIVITY_BADGE = re.compile(
    r'<span id="activity-count"[^>]*hx-swap-oob="true">(?:.*?</span></span>|</span>)'
)


def bell_text(html: str) -> str:
    """The bell's own text, without the sidebar's activity count sent along for staff."""
    return text_of(ACTIVITY_BADGE.sub("", html))


def activity_text(html: str) -> str:
    """The staff sidebar's count of unchecked customer actions, replaced out of band."""
    found = ACTIVITY_BADGE.search(html)
    assert found, html
    return text_of(found.group(0))


@pytest.fixture
async def told_twice(tenant, passwords) -> SimpleNamespace:
    """Kai (he may write to the office) changed two things: the admin has two unread."""
    contact = await make_customer(tenant, passwords, communication=True)
    with tenant_scope(tenant.tenant.id):
        kai = await User.get(username="kai")
        admin = await User.get(username="alpha-admin")
        for title in ("Hausrat", "Kfz"):
            await events.record(
                actor(kai), events.CONTRACT_EDITED, contact_id=contact.id, title=title
            )
    return SimpleNamespace(kai=kai, admin=admin, contact=contact)


@pytest.fixture
def server(settings, tmp_path, told_twice) -> Iterator[LiveServer]:
    with live_server(settings, tmp_path) as running:
        yield running
    assert not server_problems(running.log), running.log


@contextlib.asynccontextmanager
async def browser(server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{server.port}",
        headers={"Host": HOST, "Origin": f"http://{HOST}"},
        timeout=httpx.Timeout(20),  # bounds every wait for a message
    ) as client:
        yield client


async def log_in(client: httpx.AsyncClient, username: str, password: str, home: str) -> str:
    """Log in; the session's CSRF token, as its pages carry it."""
    token = CSRF_RE.search((await client.get("/login")).text)
    assert token
    answer = await client.post(
        "/login", data={"csrf_token": token.group(1), "identifier": username, "password": password}
    )
    assert answer.status_code == 303, answer.text[:300]
    page = CSRF_RE.search((await client.get(home)).text)
    assert page
    return page.group(1)


async def open_ticket(customer: httpx.AsyncClient, token: str, staff_id: int) -> None:
    """The customer writes to a staff member (which tells them: a notification)."""
    fields = {"staff_id": str(staff_id), "subject": "Frage", "body": "Bitte rufen Sie mich an."}
    files = {name: (None, value) for name, value in {"csrf_token": token, **fields}.items()}
    answer = await customer.post("/portal/tickets", files=files)
    assert answer.status_code == 303, answer.text[:300]


async def test_the_bell_follows_what_happens_and_the_stream_ends_with_its_session(
    server, told_twice
) -> None:
    async with browser(server) as page, browser(server) as tab, browser(server) as customer:
        page_token = await log_in(page, "alpha-admin", ADMIN_PASSWORD, "/staff")
        tab_token = await log_in(tab, "alpha-admin", ADMIN_PASSWORD, "/staff")
        kai_token = await log_in(customer, "kai", CUSTOMER_PASSWORD, "/portal")
        async with page.stream("GET", STREAM) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            assert response.headers["cache-control"] == "no-store"
            stream = Events(response)
            first = await stream.until("bell")
            assert bell_text(first) == "Benachrichtigungen 2 ungelesen"
            assert activity_text(first) == "2 ungeprüft"  # Kai's two changes, not yet checked
            # all read in another tab of the same login: this page's bell follows; read is
            # not checked, so the sidebar's activity count stays
            read = await tab.post("/account/notifications/read", data={"csrf_token": tab_token})
            assert read.status_code == 303
            after_read = await stream.until("bell")
            assert bell_text(after_read) == "Benachrichtigungen"
            assert activity_text(after_read) == "2 ungeprüft"
            # the customer writes to the admin: the bell, the activity count and the ticket
            # badges, no reload
            await open_ticket(customer, kai_token, told_twice.admin.id)
            written = await stream.until("bell")
            assert bell_text(written) == "Benachrichtigungen 1 ungelesen"
            assert activity_text(written) == "3 ungeprüft"
            assert (await stream.next())[0] == "tickets"
            # the page's session logs out (elsewhere): at the next wake-up its stream ends
            async with browser(server) as same:
                same.cookies = page.cookies
                assert (
                    await same.post("/logout", data={"csrf_token": page_token})
                ).status_code == 303
            await tab.post("/account/notifications/read", data={"csrf_token": tab_token})
            assert await stream.until("ended") == ""
            with pytest.raises(AssertionError, match="the stream ended"):
                await stream.next()


async def test_an_expired_session_ends_the_stream_and_none_gets_nothing(
    server, told_twice, tenant
) -> None:
    async with browser(server) as page, browser(server) as customer:
        await log_in(page, "alpha-admin", ADMIN_PASSWORD, "/staff")
        kai_token = await log_in(customer, "kai", CUSTOMER_PASSWORD, "/portal")
        async with page.stream("GET", STREAM) as response:
            stream = Events(response)
            await stream.until("bell")
            with tenant_scope(tenant.tenant.id):  # idle for an hour (the limit is 30 minutes)
                hour_ago = datetime.now(UTC) - timedelta(hours=1)
                await Session.filter(user_id=told_twice.admin.id).update(last_seen_at=hour_ago)
            await open_ticket(customer, kai_token, told_twice.admin.id)  # wakes the stream
            assert await stream.until("ended") == ""
        async with browser(server) as stranger:
            assert (await stranger.get(STREAM)).status_code == 204


async def test_a_quiet_stream_sends_heartbeats_and_stops_when_the_client_goes(
    app, client, tenant, monkeypatch
) -> None:
    """In process (the ASGI app called directly): a comment line while nothing happens."""
    monkeypatch.setattr(notification_pages, "HEARTBEAT_SECONDS", 0.05)
    await client.log_in("alpha-admin")
    cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": STREAM,
        "raw_path": STREAM.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", HOST.encode()), (b"cookie", cookie.encode())],
        "client": ("127.0.0.1", 50000),
        "server": (HOST, 80),
        "state": {},
    }
    gone = asyncio.Event()
    body: list[bytes] = []
    heard = asyncio.Event()

    async def receive() -> dict[str, Any]:
        await gone.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            body.append(message.get("body", b""))
            if b": still here" in b"".join(body):
                heard.set()

    running = asyncio.create_task(app(scope, receive, send))
    await asyncio.wait_for(heard.wait(), 10)
    assert broker.streams == 1
    gone.set()
    await asyncio.wait_for(running, 10)
    assert broker.streams == 0
    assert b"event: bell" in b"".join(body)
