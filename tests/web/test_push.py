"""Web push as an extra channel of the notification centre: a browser subscribes on the
notification page, new unread notifications are pushed to it, encrypted, with a short
neutral text and the address to open, signed with the installation's VAPID key. A real
HTTP server plays the push service; the test holds the browser's keys and decrypts."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from typing import Any

import http_ece
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from tenant_app.errors import ValidationFailed
from tenant_app.models.accounts import User
from tenant_app.models.activity import Notification
from tenant_app.models.push import PushSubscription, VapidKey
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant
from tenant_app.services import events, push, push_send, webhook_targets
from tenant_app.tenancy import enter_tenant, leave_tenant, load_tenant_info, tenant_cache
from tests.conftest import CUSTOMER_PASSWORD, actor_of, make_customer

PAGE = "/account/notifications"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class PushService:
    """A push service on 127.0.0.1: keeps what it receives, answers `status` (and sends
    to `location` if one is set)."""

    def __init__(self) -> None:
        self.received: list[SimpleNamespace] = []
        self.status = 201
        self.location = ""
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                service.received.append(
                    SimpleNamespace(
                        path=self.path,
                        headers={k.lower(): v for k, v in self.headers.items()},
                        body=body,
                    )
                )
                self.send_response(service.status)
                if service.location:
                    self.send_header("Location", service.location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def push_service() -> Any:
    service = PushService()
    yield service
    service.close()


class Browser:
    """The keys a browser makes for a subscription (P-256 and a 16-byte secret)."""

    def __init__(self, endpoint: str) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        self.endpoint = endpoint
        public = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        self.json = {"endpoint": endpoint, "keys": {"p256dh": b64(public), "auth": b64(self.auth)}}

    def read(self, body: bytes) -> dict[str, str]:
        plain = http_ece.decrypt(
            body, private_key=self.key, auth_secret=self.auth, version="aes128gcm"
        )
        return json.loads(plain)


async def switch_push(tenant: Any, on: bool = True) -> None:
    await Tenant.filter(id=tenant.tenant.id).update(modules="push" if on else "")
    tenant_cache.invalidate()


async def subscribe(client: Any, data: dict[str, Any]) -> Any:
    token = await client.csrf(PAGE)
    headers = {"Origin": f"http://{client.host}", "X-CSRF-Token": token}
    return await client.post("/account/push", json=data, headers=headers)


@pytest.fixture
async def kai(tenant, passwords, client_for) -> Any:
    await switch_push(tenant)
    await make_customer(tenant, passwords, communication=True)
    client = client_for(tenant.hostname)
    await client.log_in("kai", CUSTOMER_PASSWORD)
    return client


async def notify(tenant: Any, username: str, kind: str = events.TICKET_REPLY) -> None:
    tokens = enter_tenant(await load_tenant_info(tenant.tenant.id))
    try:
        user = await User.get(username=username)
        await events.record(
            None, kind, contact_id=None, object_type="ticket", title="Geheim: Kai", tell=[user.id]
        )
    finally:
        leave_tenant(tokens)


def later() -> datetime:
    return datetime.now(UTC) + timedelta(seconds=1)


def vapid_checks(header: str, public_key: str, audience: str) -> dict[str, Any]:
    """The RFC 8292 header's claims, after verifying its ES256 signature with the key."""
    scheme, _, params = header.partition(" ")
    assert scheme == "vapid"
    fields = dict(part.strip().split("=", 1) for part in params.split(","))
    assert fields["k"] == public_key
    signed, _, signature = fields["t"].rpartition(".")
    raw = unb64(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(public_key))
    key.verify(der, signed.encode(), ec.ECDSA(hashes.SHA256()))  # raises when forged
    claims = json.loads(unb64(signed.split(".")[1]))
    assert claims["aud"] == audience and claims["exp"] > datetime.now(UTC).timestamp()
    return claims


async def test_a_new_notification_is_pushed_encrypted_and_signed(
    kai, tenant, settings, push_service
) -> None:
    page = (await kai.get(PAGE)).text
    assert 'id="push"' in page and "Push-Benachrichtigungen" in page
    browser = Browser(f"{push_service.base}/push/kai-phone")
    answer = await subscribe(kai, browser.json)
    assert answer.status_code == 201, answer.text
    await notify(tenant, "kai")
    assert await push_send.send_due(settings, now=later()) == 1
    [delivery] = push_service.received
    assert delivery.path == "/push/kai-phone"
    assert delivery.headers["content-encoding"] == "aes128gcm"
    message = browser.read(delivery.body)
    with tenant_scope(tenant.tenant.id):
        notification = await Notification.get()
    assert message == {
        "title": "Alpha Versicherungsmakler GmbH",
        "body": message["body"],
        "url": f"/account/notifications/{notification.id}",
    }
    assert message["body"] and "Geheim" not in message["body"] and "Kai" not in message["body"]
    key = await push.public_key(settings)
    assert (await kai.get("/account/push/key")).json() == {"key": key}
    claims = vapid_checks(delivery.headers["authorization"], key, push_service.base)
    assert claims["sub"].startswith("mailto:")
    assert await push_send.send_due(settings, now=later()) == 0  # never twice
    await notify(tenant, "kai", events.TICKET_OPENED)
    await notify(tenant, "kai", events.TICKET_REPLY)
    assert await push_send.send_due(settings, now=later()) == 1
    summary = browser.read(push_service.received[-1].body)
    assert summary["body"] == "2 neue Benachrichtigungen" and summary["url"] == PAGE


async def test_read_notifications_and_switched_off_modules_are_not_pushed(
    kai, tenant, settings, push_service
) -> None:
    assert (await subscribe(kai, Browser(f"{push_service.base}/p/1").json)).status_code == 201
    await notify(tenant, "kai")
    with tenant_scope(tenant.tenant.id):
        await Notification.all().update(read_at=datetime.now(UTC))
    assert await push_send.send_due(settings, now=later()) == 0
    await notify(tenant, "kai", events.TICKET_OPENED)
    await switch_push(tenant, on=False)
    assert await push_send.send_due(settings, now=later()) == 0
    assert push_service.received == []


async def test_gone_subscriptions_are_removed_and_failures_counted(
    kai, tenant, settings, push_service
) -> None:
    assert (await subscribe(kai, Browser(f"{push_service.base}/p/1").json)).status_code == 201
    push_service.status = 500
    for round_ in range(push_send.MAX_FAILURES):
        await notify(tenant, "kai")
        assert await push_send.send_due(settings, now=later()) == 0
        with tenant_scope(tenant.tenant.id):
            left = await PushSubscription.all().values_list("failures", flat=True)
        assert left == ([round_ + 1] if round_ + 1 < push_send.MAX_FAILURES else [])
    assert (await subscribe(kai, Browser(f"{push_service.base}/p/2").json)).status_code == 201
    push_service.status = 410
    await notify(tenant, "kai")
    assert await push_send.send_due(settings, now=later()) == 0
    with tenant_scope(tenant.tenant.id):
        assert await PushSubscription.all().count() == 0
    assert "push-device-" not in (await kai.get(PAGE)).text


async def test_a_redirect_is_not_followed_but_counted_as_a_failure(
    kai, tenant, settings, push_service
) -> None:
    elsewhere = PushService()  # stands for 127.0.0.1 or 169.254.169.254 behind a redirect
    try:
        assert (await subscribe(kai, Browser(f"{push_service.base}/p/1").json)).status_code == 201
        push_service.status = 307  # 307 and 308 would keep the POST
        push_service.location = f"{elsewhere.base}/latest/meta-data"
        await notify(tenant, "kai")
        assert await push_send.send_due(settings, now=later()) == 0
        assert len(push_service.received) == 1 and elsewhere.received == []
        with tenant_scope(tenant.tenant.id):
            assert await PushSubscription.all().values_list("failures", flat=True) == [1]
    finally:
        elsewhere.close()


async def test_the_push_goes_to_the_checked_address_under_the_endpoints_name(
    kai, tenant, settings, push_service, monkeypatch
) -> None:
    """No second DNS lookup: the connection goes to the address the check resolved."""
    port = push_service.server.server_address[1]
    browser = Browser(f"http://push.example.com:{port}/p/1")
    assert (await subscribe(kai, browser.json)).status_code == 201

    async def resolved(url: str, *, allow_private: bool) -> webhook_targets.Target:
        return webhook_targets.Target(
            url=url, host="push.example.com", port=port, address="127.0.0.1"
        )

    monkeypatch.setattr(push_send, "check_target", resolved)
    await notify(tenant, "kai")
    assert await push_send.send_due(settings, now=later()) == 1
    [delivery] = push_service.received
    assert delivery.headers["host"] == f"push.example.com:{port}"
    assert browser.read(delivery.body)["title"]
    key = await push.public_key(settings)
    vapid_checks(delivery.headers["authorization"], key, f"http://push.example.com:{port}")


async def test_a_push_service_that_does_not_answer_in_time_is_left(
    kai, tenant, settings, push_service, monkeypatch
) -> None:
    assert (await subscribe(kai, Browser(f"{push_service.base}/p/1").json)).status_code == 201
    silent = socket.socket()  # accepts the connection (backlog) and never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    port = silent.getsockname()[1]
    try:
        with tenant_scope(tenant.tenant.id):
            await PushSubscription.all().update(endpoint=f"http://127.0.0.1:{port}/p/1")
        monkeypatch.setattr(push_send, "TIMEOUT_SECONDS", 0.3)
        await notify(tenant, "kai")
        started = time.monotonic()
        assert await push_send.send_due(settings, now=later()) == 0
        assert time.monotonic() - started < 3
        with tenant_scope(tenant.tenant.id):
            assert await PushSubscription.all().values_list("failures", flat=True) == [1]
    finally:
        silent.close()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"endpoint": "ftp://push.example.com/x"}, "endpoint"),
        ({"endpoint": "https://push.example.com/" + "x" * 1000}, "endpoint"),
        ({"endpoint": ""}, "endpoint"),
        ({"keys": {"p256dh": "not base64!", "auth": b64(b"a" * 16)}}, "p256dh"),
        ({"keys": {"p256dh": b64(b"\x04" + b"a" * 30), "auth": b64(b"a" * 16)}}, "p256dh"),
        ({"keys": {"p256dh": None, "auth": b64(b"a" * 16)}}, "p256dh"),
    ],
)
async def test_a_bad_subscription_is_refused(kai, tenant, change, field) -> None:
    data = {**Browser("https://push.example.com/abc").json, **change}
    answer = await subscribe(kai, data)
    assert answer.status_code == 422 and field in answer.json()["errors"]
    bad_auth = Browser("https://push.example.com/abc").json
    bad_auth["keys"]["auth"] = b64(b"short")
    assert "auth" in (await subscribe(kai, bad_auth)).json()["errors"]
    with tenant_scope(tenant.tenant.id):
        assert await PushSubscription.all().count() == 0


async def test_without_private_targets_only_public_https_endpoints(kai, tenant) -> None:
    with tenant_scope(tenant.tenant.id):
        actor = await actor_of("alpha-admin")
        for endpoint in (
            "http://push.example.com/x",
            "https://127.0.0.1/x",
            "https://10.0.0.8/x",
            "https://169.254.169.254/latest",
        ):
            browser = Browser(endpoint).json
            with pytest.raises(ValidationFailed) as refused:
                await push.subscribe(
                    actor,
                    endpoint=endpoint,
                    p256dh=browser["keys"]["p256dh"],
                    auth=browser["keys"]["auth"],
                    user_agent="",
                    allow_private=False,
                )
            assert "endpoint" in refused.value.errors


async def test_devices_are_listed_and_removed_only_by_their_owner(
    kai, tenant, other_tenant, passwords, client_for
) -> None:
    browser = Browser("https://push.example.com/kai")
    subscription_id = (await subscribe(kai, browser.json)).json()["id"]
    page = (await kai.get(PAGE)).text
    assert f'id="push-device-{subscription_id}"' in page
    path = f"/account/push/{subscription_id}/delete"
    # Another customer of the same broker, and a customer of another broker: 404.
    await make_customer(tenant, passwords, email="lea@kunde.example", first_name="Lea")
    lea = client_for(tenant.hostname)
    await lea.log_in("lea", CUSTOMER_PASSWORD)
    assert (await lea.submit(path, form_page=PAGE)).status_code == 404
    await switch_push(other_tenant)
    await make_customer(other_tenant, passwords, email="kai@kunde.example")
    stranger = client_for(other_tenant.hostname)
    await stranger.log_in("kai", CUSTOMER_PASSWORD)
    assert (await stranger.submit(path, form_page=PAGE)).status_code == 404
    off = await stranger.post(
        "/account/push/off",
        json={"endpoint": browser.endpoint},
        headers={"Origin": f"http://{stranger.host}", "X-CSRF-Token": await stranger.csrf(PAGE)},
    )
    assert off.status_code == 204
    with tenant_scope(tenant.tenant.id):
        assert await PushSubscription.filter(id=subscription_id).exists()
    removed = await kai.submit(path, form_page=PAGE)
    assert removed.status_code == 303 and "push_removed" in removed.headers["location"]
    assert (
        "Das Gerät erhält keine Push-Benachrichtigungen mehr."
        in (await kai.get(removed.headers["location"])).text
    )
    with tenant_scope(tenant.tenant.id):
        assert not await PushSubscription.filter(id=subscription_id).exists()


async def test_switching_off_in_the_browser_deletes_the_subscription(kai, tenant) -> None:
    browser = Browser("https://push.example.com/kai")
    assert (await subscribe(kai, browser.json)).status_code == 201
    assert (await subscribe(kai, browser.json)).status_code == 201  # again: still one
    headers = {"Origin": f"http://{kai.host}", "X-CSRF-Token": await kai.csrf(PAGE)}
    off = await kai.post("/account/push/off", json={"endpoint": browser.endpoint}, headers=headers)
    assert off.status_code == 204
    with tenant_scope(tenant.tenant.id):
        assert await PushSubscription.all().count() == 0


async def test_module_off_means_no_push_anywhere(kai, tenant) -> None:
    await switch_push(tenant, on=False)
    assert 'id="push"' not in (await kai.get(PAGE)).text
    answer = await subscribe(kai, Browser("https://push.example.com/kai").json)
    assert answer.status_code == 404
    assert (await kai.get("/account/push/key")).status_code == 404
    assert (await kai.submit("/account/push/1/delete", form_page=PAGE)).status_code == 404


async def test_one_key_pair_even_when_two_make_it_at_once(settings) -> None:
    push.forget_cached_key()
    first, second = await asyncio.gather(push._stored(), push._stored())
    assert push.public_key_of(first) == push.public_key_of(second)
    assert await VapidKey.all().count() == 1
    push.forget_cached_key()
    assert await push.public_key(settings) == push.public_key_of(first)
    configured = settings.with_overrides(vapid_private_key=first.private_pem().decode())
    push.forget_cached_key()
    assert await push.public_key(configured) == push.public_key_of(first)
    push.forget_cached_key()


async def du_walk(walk: Any, kai: Any) -> None:
    """For the Du tenant's walk (test_du_tenant.py): the app's manifest, icon, service worker
    and offline page, and push on the notification page: switched on, off, and a device
    removed (the module switched on for it)."""
    await Tenant.filter(id=walk.tenant_id).update(modules="push")
    tenant_cache.invalidate()
    for path in (
        "/manifest.webmanifest",
        "/app/icon-192.png",
        "/sw.js",
        "/app/offline",
        "/account/push/key",
    ):
        await walk.get(kai, path)
    page = (await walk.get(kai, PAGE)).text
    assert 'id="push"' in page
    headers = {"Origin": f"http://{walk.host}", "X-CSRF-Token": await kai.csrf(PAGE)}
    browser = Browser("https://push.example.com/du")
    for path, body, status in (
        ("/account/push", {"endpoint": "ftp://x"}, 422),
        ("/account/push", browser.json, 201),
        ("/account/push/off", {"endpoint": browser.endpoint}, 204),
        ("/account/push", browser.json, 201),
    ):
        answer = await kai.post(path, json=body, headers=headers)
        walk.saw("POST", path, answer)
        assert answer.status_code == status, (path, answer.text)
    device = answer.json()["id"]
    await walk.post(kai, f"/account/push/{device}/delete", 303, form_page=PAGE)


async def test_a_du_tenant_says_du_about_push_and_the_app(kai, tenant) -> None:
    await Tenant.filter(id=tenant.tenant.id).update(address_form="du")
    tenant_cache.invalidate()
    page = (await kai.get(PAGE)).text
    section = page[page.index('id="push"') : page.index("</section>", page.index('id="push"'))]
    assert "Dein Handy" in section and "Sie können" not in section
    assert "Du kannst sie in den Einstellungen" in section
    portal = (await kai.get("/portal")).text
    hint = portal[portal.index('id="install-hint"') :][:2000]
    assert "Tippe in Safari" in hint and "Öffne das Menü" in hint and "Tippen Sie" not in hint
    offline = (await kai.get("/app/offline")).text
    assert "prüfe deine Verbindung" in offline
