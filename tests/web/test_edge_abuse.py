"""Malformed and hostile requests: a 4xx and one short log line, never a 500 or a traceback."""

from __future__ import annotations

import logging
import select
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import ADMIN_PASSWORD, CUSTOMER_PASSWORD, make_customer
from tests.live import LiveServer, live_server, server_problems, wait_for
from tests.live import log_in as live_log_in

ORIGIN = {"Origin": "http://alpha.localhost"}
URLENCODED = "application/x-www-form-urlencoded"
BOUNDARY = "----formboundary7MA4YWxkTrZu0gW"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


def _part(name: str, value: str) -> str:
    return f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'


def _many_parts(token: str, count: int) -> bytes:
    parts = [_part("csrf_token", token)] + [_part(f"f{i}", "x") for i in range(count)]
    return ("".join(parts) + f"--{BOUNDARY}--\r\n").encode()


# name -> (content type, body builder taking the CSRF token); every one is malformed.
MALFORMED: dict[str, tuple[str, Any]] = {
    "too many url-encoded fields": (
        URLENCODED,
        lambda t: f"csrf_token={t}&" + "&".join(f"f{i}=x" for i in range(1500)),
    ),
    "invalid percent-encoding": (URLENCODED, lambda t: f"csrf_token={t}&identifier=%zz%&x=%"),
    "percent-encoded invalid UTF-8": (URLENCODED, lambda t: f"csrf_token={t}&identifier=%ff%fe"),
    "raw invalid UTF-8": (URLENCODED, lambda t: f"csrf_token={t}&identifier=".encode() + b"\xff"),
    "NUL in a field": (URLENCODED, lambda t: f"csrf_token={t}&identifier=a%00b&title=a%00b"),
    "multipart without boundary": ("multipart/form-data", lambda t: _part("csrf_token", t)),
    "multipart with another boundary": (
        "multipart/form-data; boundary=other",
        lambda t: _part("csrf_token", t) + f"--{BOUNDARY}--\r\n",
    ),
    "truncated multipart": (MULTIPART, lambda t: _part("csrf_token", t) + f"--{BOUNDARY}\r\nCont"),
    "multipart garbage": (MULTIPART, lambda t: b"\x00\xff" * 500),
    "multipart part without name": (
        MULTIPART,
        lambda t: f"--{BOUNDARY}\r\nContent-Disposition: form-data\r\n\r\nx\r\n--{BOUNDARY}--\r\n",
    ),
    "too many multipart fields": (MULTIPART, lambda t: _many_parts(t, 1500)),
    "NUL in a multipart field": (
        MULTIPART,
        lambda t: _part("csrf_token", t) + _part("body", "a\x00b") + f"--{BOUNDARY}--\r\n",
    ),
}


@pytest.fixture
async def people(tenant, passwords, client_for) -> dict[str, Any]:
    contact = await make_customer(
        tenant,
        passwords,
        communication=True,
        insurance_unlock=True,
        profile_visible=True,
        profile_editable=True,
    )
    staff = client_for(tenant.hostname)
    await staff.log_in("alpha-admin")
    customer = client_for(tenant.hostname)
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    anonymous = client_for(tenant.hostname)
    return {"staff": staff, "customer": customer, "anonymous": anonymous, "contact": contact}


ROUTES = [
    ("anonymous", "/login", "/login"),
    ("anonymous", "/passwort-vergessen", "/passwort-vergessen"),
    ("staff", "/staff/contacts", "/staff/contacts/new"),
    ("staff", "/staff/contacts/{contact}/documents", "/staff"),
    ("staff", "/staff/settings/logo", "/staff/settings"),
    ("staff", "/staff/contacts/{contact}/tickets", "/staff"),
    ("customer", "/portal/documents", "/portal"),
    ("customer", "/portal/profile", "/portal/profile"),
    ("customer", "/portal/tickets", "/portal"),
]


def _token_reaches_csrf(body_name: str, token_in: str) -> bool:
    """Multipart carries the token in its first part; a body without one is a plain 403."""
    content_type, build = MALFORMED[body_name]
    if token_in == "header" or not content_type.startswith("multipart"):
        return True
    body = build("T")
    body = body if isinstance(body, bytes) else body.encode()
    return body.startswith(_part("csrf_token", "T").encode())


CASES = [
    (body_name, token_in)
    for body_name in MALFORMED
    for token_in in ("header", "body")
    if _token_reaches_csrf(body_name, token_in)
]


def _refusals(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage() == "request refused"]


def _problems(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Log records that would page someone: errors, and anything with a traceback."""
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


@pytest.mark.parametrize("who,path,form_page", ROUTES)
@pytest.mark.parametrize("body_name,token_in", CASES)
async def test_malformed_body_is_a_400_with_one_short_log_line(
    people, caplog, who, path, form_page, body_name, token_in
) -> None:
    client = people[who]
    token = await client.csrf(form_page)
    content_type, build = MALFORMED[body_name]
    body = build(token)
    body = body if isinstance(body, bytes) else body.encode()
    headers = {**ORIGIN, "Content-Type": content_type}
    if token_in == "header":
        headers["X-CSRF-Token"] = token
    caplog.clear()
    with caplog.at_level(logging.INFO):
        response = await client.post(
            path.format(contact=people["contact"].id), content=body, headers=headers
        )
    assert response.status_code in (400, 413), response.text[:300]
    assert "Traceback" not in response.text
    assert not _problems(caplog)
    assert len(_refusals(caplog)) == 1


async def _raw(
    app: Any, path: str, *, query: bytes = b"", method: str = "GET", **headers: bytes
) -> Any:
    """One request straight into the ASGI app: headers and paths no HTTP client would send."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode("latin-1"),
        "query_string": query,
        "root_path": "",
        "headers": [
            (b"host", b"alpha.localhost"),
            *((name.replace("_", "-").encode(), value) for name, value in headers.items()),
        ],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 80),
    }
    pending = [{"type": "http.request", "body": b"", "more_body": False}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return pending.pop(0) if pending else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    if "host" in {name.lower() for name in headers}:
        scope["headers"] = scope["headers"][1:]
    await app(scope, receive, send)
    return sent[0]["status"]


ODD_REQUESTS = {
    "Content-Length not a number": ("/login", b"", {"content_length": b"12abc"}, 400),
    "Content-Length a superscript digit": ("/login", b"", {"content_length": "²".encode()}, 400),
    "Content-Length negative": ("/login", b"", {"content_length": b"-1"}, 400),
    "Content-Length absurd": ("/login", b"", {"content_length": b"9" * 30}, 400),
    "Host with a bad port": ("/login", b"", {"host": b"alpha.localhost:80a"}, 400),
    "Host not ASCII": ("/login", b"", {"host": "älpha.localhost".encode()}, 400),
    "Host empty": ("/login", b"", {"host": b""}, 400),
    "Host with NUL": ("/login", b"", {"host": b"alpha.localhost\x00"}, 400),
    "query with NUL": ("/staff/contacts", b"q=%00", {}, 400),
    "query invalid UTF-8": ("/staff/contacts", b"q=%ff%fe", {}, 400),
    "query raw bytes": ("/staff/contacts", b"q=\xff", {}, 400),
    "query invalid percent-encoding": ("/staff/contacts", b"q=%zz", {}, 400),
    "query with many fields": ("/login", b"a=1&" * 2000, {}, 400),
    "path with NUL": ("/staff/contacts/1\x00", b"", {}, 404),  # no route has a NUL
    "mangled cookies": ("/login", b"", {"cookie": b'session="\xff\xfe; csrf=x; =;;'}, 200),
    "forged session cookie": ("/login", b"", {"cookie": b"session=" + b"A" * 4000}, 200),
    "odd Accept-Language": (
        "/login",
        b"",
        {"accept_language": b"de;q=abc, *;q=nan, en-US;q=1e999, \xff"},
        200,
    ),
}


@pytest.mark.parametrize("name", list(ODD_REQUESTS))
async def test_odd_request_heads_are_refused_without_an_error(app, tenant, caplog, name) -> None:
    path, query, headers, expected = ODD_REQUESTS[name]
    with caplog.at_level(logging.INFO):
        assert await _raw(app, path, query=query, **headers) == expected
    assert not _problems(caplog)


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": b"http://alpha.localhost", "x_csrf_token": "äöü".encode("latin-1")},
        {"referer": b"http://[alpha.localhost/login"},
        {"origin": b"http://alpha.localhost", "content_type": b"application/x-www-form-urlencoded"},
    ],
)
async def test_odd_csrf_input_is_a_403_not_an_error(app, tenant, caplog, headers) -> None:
    with caplog.at_level(logging.INFO):
        assert await _raw(app, "/login", method="POST", **headers) == 403
    assert not _problems(caplog)


# --- Bodies that trickle in, stall or stop: a real uvicorn process and a raw socket ---------

FORM_HEAD = (
    "POST /login HTTP/1.1\r\nHost: alpha.localhost\r\nOrigin: http://alpha.localhost\r\n"
    f"Content-Type: {URLENCODED}\r\nContent-Length: 1000\r\n\r\n"
).encode()


def _send_slowly(port: int, head: bytes, *, byte_every: float | None, within: float = 30) -> bytes:
    """Send `head`, then one body byte every `byte_every` seconds (None: nothing more), until
    the server answers and closes the connection; what it sent. Fails after `within` s."""
    deadline = time.monotonic() + within
    received = b""
    with socket.create_connection(("127.0.0.1", port), timeout=within) as sock:
        sock.sendall(head)
        while time.monotonic() < deadline:
            readable, _, _ = select.select([sock], [], [], byte_every or 0.5)
            if not readable:
                if byte_every and not received:
                    sock.sendall(b"a")
                continue
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                return received
            if not chunk:
                return received
            received += chunk
    raise AssertionError(f"the server neither answered nor closed; got {received[:200]!r}")


@pytest.fixture
def slow_body_server(settings, tenant, tmp_path) -> Iterator[LiveServer]:
    with live_server(settings, tmp_path, BODY_TIMEOUT_SECONDS="2", BODY_IDLE_SECONDS="1") as s:
        yield s


@pytest.mark.parametrize("byte_every", [0.25, None], ids=["trickle", "stall"])
def test_a_slow_form_body_is_cut_off_with_408(slow_body_server, byte_every) -> None:
    answer = _send_slowly(slow_body_server.port, FORM_HEAD, byte_every=byte_every)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:300]
    assert b"connection: close" in answer.lower()
    assert not server_problems(slow_body_server.log)


@pytest.fixture
async def contact(tenant, passwords) -> Any:
    return await make_customer(tenant, passwords)


def test_a_slow_upload_of_a_logged_in_user_is_cut_off(slow_body_server, contact) -> None:
    with slow_body_server.browser("alpha.localhost") as browser:
        token = live_log_in(browser, "alpha-admin", ADMIN_PASSWORD)
        cookies = "; ".join(f"{name}={value}" for name, value in browser.cookies.items())
    head = (
        f"POST /staff/contacts/{contact.id}/documents HTTP/1.1\r\nHost: alpha.localhost\r\n"
        f"Origin: http://alpha.localhost\r\nCookie: {cookies}\r\nX-CSRF-Token: {token}\r\n"
        f"Content-Type: {MULTIPART}\r\nContent-Length: 100000\r\n\r\n--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="file"; filename="scan.pdf"\r\n\r\n'
    ).encode()
    answer = _send_slowly(slow_body_server.port, head, byte_every=0.25)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:300]
    assert not server_problems(slow_body_server.log)


def test_a_client_leaving_mid_body_is_one_short_line(slow_body_server) -> None:
    with socket.create_connection(("127.0.0.1", slow_body_server.port), timeout=10) as sock:
        sock.sendall(FORM_HEAD + b"csrf_token=abc&identi")
    wait_for(
        lambda: "client disconnected" in slow_body_server.log,
        within=20,
        what="the server did not notice the client leaving",
    )
    assert not server_problems(slow_body_server.log)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ("identifier={u}&password={p}&csrf_token={t}", 303),  # the token last
        ("identifier={u}&csrf_token={t}&password={p}", 303),  # in the middle
        ("csrf%5Ftoken={t}&identifier={u}&password={p}", 403),  # a name spelt another way
        ("identifier={u}&password={p}&note=x%26csrf_token%3D{t}", 403),  # inside another value
        ("identifier={u}&password={p}&xcsrf_token={t}", 403),  # a longer name ending alike
    ],
)
async def test_the_csrf_token_is_read_from_its_own_field_only(client, tenant, body, status) -> None:
    """The token is picked out of the raw form without parsing all of it: only the field
    named exactly `csrf_token` counts, wherever it stands."""
    token = await client.csrf()
    payload = body.format(u="alpha-admin", p=ADMIN_PASSWORD, t=token)
    response = await client.post(
        "/login", content=payload, headers={**ORIGIN, "Content-Type": URLENCODED}
    )
    assert response.status_code == status
