"""CSRF, security headers, body limits, health."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time

import httpx
import pytest
from starlette.responses import Response

from tenant_app.edge.headers import SecurityHeadersMiddleware
from tenant_app.settings import Settings
from tests.conftest import ADMIN_PASSWORD


async def test_post_without_token_is_refused(client) -> None:
    response = await client.post(
        "/login",
        data={"identifier": "alpha-admin", "password": ADMIN_PASSWORD},
        headers={"Origin": "http://alpha.localhost"},
    )
    assert response.status_code == 403
    assert "session" not in response.headers.get("set-cookie", "")


async def test_post_with_wrong_token_is_refused(client) -> None:
    await client.csrf()
    response = await client.post(
        "/login",
        data={"csrf_token": "forged", "identifier": "alpha-admin", "password": ADMIN_PASSWORD},
        headers={"Origin": "http://alpha.localhost"},
    )
    assert response.status_code == 403


@pytest.mark.parametrize("origin", ["http://beta.localhost", "http://evil.test", "null", None])
async def test_post_from_another_origin_is_refused(client, origin) -> None:
    token = await client.csrf()
    headers = {"Origin": origin} if origin else {}
    response = await client.post(
        "/login",
        data={"csrf_token": token, "identifier": "alpha-admin", "password": ADMIN_PASSWORD},
        headers=headers,
    )
    assert response.status_code == 403


async def test_null_origin_is_accepted_only_from_the_same_site(client) -> None:
    """What a browser sends from a page with `Referrer-Policy: no-referrer` (the link pages)."""
    token = await client.csrf()
    form = {"csrf_token": token, "identifier": "alpha-admin", "password": ADMIN_PASSWORD}
    for site, expected in (("cross-site", 403), ("same-site", 403), ("same-origin", 303)):
        response = await client.post(
            "/login", data=form, headers={"Origin": "null", "Sec-Fetch-Site": site}
        )
        assert response.status_code == expected, site


async def test_logout_needs_the_sessions_token(client) -> None:
    await client.log_in("alpha-admin")
    response = await client.post("/logout", headers={"Origin": "http://alpha.localhost"})
    assert response.status_code == 403
    assert (await client.get("/staff")).status_code == 200


async def test_htmx_header_token_is_accepted(client) -> None:
    token = await client.csrf()
    response = await client.post(
        "/login",
        data={"identifier": "alpha-admin", "password": ADMIN_PASSWORD},
        headers={"Origin": "http://alpha.localhost", "X-CSRF-Token": token},
    )
    assert response.status_code == 303


async def test_multipart_form_with_token_first_is_accepted(client) -> None:
    token = await client.csrf()
    response = await client.post(
        "/login",
        files={
            "csrf_token": (None, token),
            "identifier": (None, "alpha-admin"),
            "password": (None, ADMIN_PASSWORD),
        },
        headers={"Origin": "http://alpha.localhost"},
    )
    assert response.status_code == 303


@pytest.mark.parametrize("path", ["/login", "/staff", "/impressum", "/nope"])
async def test_security_headers_on_every_page(client, path) -> None:
    response = await client.get(path)
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"]
    assert response.headers["x-request-id"]


async def test_pages_have_no_inline_script(client) -> None:
    page = (await client.get("/login")).text
    assert "<script>" not in page
    assert " on" + "click=" not in page


async def test_oversize_body_is_refused(client, settings) -> None:
    token = await client.csrf()
    response = await client.post(
        "/login",
        content=b"csrf_token=" + token.encode() + b"&x=" + b"a" * (settings.max_body_bytes + 1),
        headers={
            "Origin": "http://alpha.localhost",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert response.status_code == 413


async def test_unknown_page_is_a_branded_404(client) -> None:
    response = await client.get("/does-not-exist")
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.text
    assert "Alpha Versicherungsmakler GmbH" in response.text
    assert "Traceback" not in response.text


async def test_healthz_up(app) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://anything") as raw:
        response = await raw.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "up"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_healthz_down_when_database_unreachable(tmp_path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{_free_port()}/gone",
        "APP_ENV": "development",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "tenant_app.asgi:app",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        assert response.status_code == 503
        assert response.json()["database"] == "down"
    finally:
        server.terminate()
        server.wait(10)


async def test_production_cookies_are_host_only_and_secure(settings, tenant) -> None:
    from tenant_app import create_app

    production = create_app(settings.with_overrides(environment="production"), manage_db=False)
    transport = httpx.ASGITransport(app=production)
    async with httpx.AsyncClient(
        transport=transport, base_url="https://alpha.localhost"
    ) as browser:
        page = await browser.get("/login")
        cookie = page.headers["set-cookie"]
        assert cookie.startswith("__Host-csrf=") and "Secure" in cookie and "Domain" not in cookie
        assert "max-age=63072000" in page.headers["strict-transport-security"]
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        login = await browser.post(
            "/login",
            data={"csrf_token": token, "identifier": "alpha-admin", "password": ADMIN_PASSWORD},
            headers={"Origin": "https://alpha.localhost"},
        )
        assert login.status_code == 303
        session = login.headers["set-cookie"]
        assert (
            session.startswith("__Host-session=") and "Secure" in session and "HttpOnly" in session
        )
        assert (await browser.get("/staff")).status_code == 200


async def _headers_of(response: Response, *, development: bool = False) -> httpx.Headers:
    settings = Settings(
        secret_key="k" * 64, environment="development" if development else "production"
    )
    app = SecurityHeadersMiddleware(response, settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as browser:
        return (await browser.get("/")).headers


async def test_the_security_headers_complete_what_a_handler_chose() -> None:
    plain = await _headers_of(Response("x"))
    assert plain["cache-control"] == "no-store" and plain["x-frame-options"] == "DENY"
    assert plain["cross-origin-opener-policy"] == "same-origin"
    assert plain["permissions-policy"] == "camera=(self), microphone=(), geolocation=()"
    assert "max-age=63072000" in plain["strict-transport-security"]
    assert "strict-transport-security" not in await _headers_of(Response("x"), development=True)
    own = await _headers_of(
        Response("x", headers={"Cache-Control": "max-age=60", "X-Frame-Options": "SAMEORIGIN"})
    )
    assert own["cache-control"] == "max-age=60" and own["x-frame-options"] == "SAMEORIGIN"
    forced = await _headers_of(Response("x", headers={"X-Content-Type-Options": "sniff"}))
    assert forced.get_list("x-content-type-options") == ["nosniff"]  # never the handler's
    for headers in (plain, own, forced):
        names = [name for name, _ in headers.raw]
        assert len(names) == len(set(names)), names  # each header once
