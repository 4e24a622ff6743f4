"""Webhooks end to end: the tenant admin registers an endpoint in the settings, staff change a
contact, and a real HTTP server started here receives the event signed the Standard Webhooks
way (checked with the `standardwebhooks` library). It answers 500 first: the same message
(the same webhook-id) comes again after the back-off, and the delivery log shows both answers.
A replay sends it once more; an endpoint failing for three days is switched off and the
administrators are told; erasing a contact erases what the webhooks held about it."""

from __future__ import annotations

import asyncio
import html
import json
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from tenant_app.models.integration import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tenant_app.models.mail import OutboxMail
from tenant_app.models.scoping import tenant_scope
from tenant_app.services.webhooks_delivery import WebhookSender
from tests.conftest import free_port, make_customer, text_of
from tests.html_forms import form_fields

DAY = 24 * 3600


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    payload: Any  # what the library verified, None if the signature did not verify
    answered: int


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1: checks each message with the Standard Webhooks
    library and answers with the next planned status (200 once the plan is used up)."""

    secret: str = ""
    plan: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            headers = dict(
                (name.strip().lower(), value.strip())
                for name, value in (line.split(":", 1) for line in head[1:] if line)
            )
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            try:
                payload = Webhook(self.secret).verify(body, headers)
            except WebhookVerificationError:
                payload = None
            status = self.plan.pop(0) if self.plan else 200
            self.received.append(Received(head[0].split(" ")[1], headers, body, payload, status))
            writer.write(
                f"HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".encode()
            )
            await writer.drain()
        finally:
            writer.close()
            await writer.wait_closed()


@pytest.fixture
async def receiver() -> Any:
    hooks = Receiver()
    server = await asyncio.start_server(hooks.handle, "127.0.0.1", 0)
    hooks.port = server.sockets[0].getsockname()[1]
    yield hooks
    server.close()
    await server.wait_closed()


class Clock:
    """The sender's clock, moved by the test (unix seconds)."""

    def __init__(self) -> None:
        import time

        self.now = time.time()

    async def __call__(self) -> float:
        return self.now


async def register(client: Any, url: str, types: list[str]) -> tuple[int, str]:
    """Add an endpoint through the form; returns its id and the secret shown once."""
    data = {"url": url, "description": "Maklerverwaltung", "event_types": types, "is_active": "on"}
    new = "/staff/settings/webhooks/new"
    response = await client.submit("/staff/settings/webhooks", data, form_page=new)
    assert response.status_code == 200, response.text[:500]
    secret = re.search(r'id="webhook-secret">(whsec_[A-Za-z0-9+/=]+)<', response.text)
    endpoint = re.search(r'href="/staff/settings/webhooks/(\d+)" id="to-endpoint"', response.text)
    assert secret and endpoint, response.text
    return int(endpoint.group(1)), secret.group(1)


async def edit_contact(client: Any, contact_id: int, **changes: str) -> None:
    path = f"/staff/contacts/{contact_id}/edit"
    fields = form_fields((await client.get(path)).text, path)
    assert (await client.submit(path, {**fields, **changes})).status_code == 303


def log_text(page: str) -> str:
    """The delivery log as a reader sees it (tags gone)."""
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


async def test_a_signed_event_arrives_again_after_a_500(
    tenant, passwords, client, settings, receiver
) -> None:
    contact = await make_customer(tenant, passwords)
    await client.log_in("alpha-admin")
    settings_page = await client.get("/staff/settings")
    assert 'href="/staff/settings/webhooks"' in settings_page.text
    endpoint_id, receiver.secret = await register(client, receiver.url, ["contact.updated"])
    receiver.plan = [500]

    await edit_contact(client, contact.id, city="Bonn", phone="0228 123")
    clock = Clock()
    sender = WebhookSender(settings, clock=clock)
    assert await sender.run_once() == 0  # answered 500
    assert await sender.run_once() == 0  # not yet due again
    clock.now += 32  # the first back-off (30 s), and the time the try took
    assert await sender.run_once() == 1

    first, second = receiver.received
    assert (first.answered, second.answered) == (500, 200)
    assert first.payload is not None and second.payload == first.payload  # both verified
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.headers["webhook-id"].startswith("msg_")
    assert first.headers["content-type"] == "application/json" and first.path == "/hooks"
    assert first.payload["type"] == "contact.updated"
    data = first.payload["data"]
    assert (data["id"], data["object"], data["contact_id"]) == (contact.id, "contact", contact.id)
    assert data["external_id"] is None
    assert set(data["changes"]) == {"city", "phone"} and data["changes"]["city"][1] == "Bonn"
    assert "Kai" not in second.body.decode() and "Kunde" not in second.body.decode()

    log = await client.get(f"/staff/settings/webhooks/{endpoint_id}")
    assert log.status_code == 200
    text = log_text(log.text)
    assert "contact.updated" in text and first.headers["webhook-id"] in text
    assert re.search(r"2:\s+500\s+·\s+200", text) and "Zugestellt" in text


async def test_a_replay_sends_the_same_message_again(
    tenant, passwords, client, settings, receiver
) -> None:
    contact = await make_customer(tenant, passwords)
    await client.log_in("alpha-admin")
    endpoint_id, receiver.secret = await register(client, receiver.url, ["contact.updated"])
    await edit_contact(client, contact.id, city="Bonn")
    sender = WebhookSender(settings, clock=Clock())
    assert await sender.run_once() == 1
    with tenant_scope(tenant.tenant.id):
        delivery = await WebhookDelivery.get(endpoint_id=endpoint_id)

    path = f"/staff/settings/webhooks/{endpoint_id}"
    replay = f"{path}/deliveries/{delivery.id}/replay"
    answer = await client.submit(replay, {}, form_page=path)
    assert answer.status_code == 303 and "replayed=1" in answer.headers["location"]
    page = await client.get(answer.headers["location"])
    assert 'id="webhook-replayed"' in page.text
    assert await sender.run_once() == 1
    first, again = receiver.received
    assert again.headers["webhook-id"] == first.headers["webhook-id"] == delivery.message_id
    assert again.payload == first.payload is not None
    with tenant_scope(tenant.tenant.id):
        delivery = await WebhookDelivery.get(id=delivery.id)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 2, 200)


async def test_a_delivery_fails_after_its_last_try_and_a_replay_gets_it_through(
    tenant, passwords, client, settings, receiver
) -> None:
    contact = await make_customer(tenant, passwords)
    await client.log_in("alpha-admin")
    endpoint_id, receiver.secret = await register(client, receiver.url, ["contact.updated"])
    receiver.plan = [503, 503]
    await edit_contact(client, contact.id, city="Bonn")
    clock = Clock()
    sender = WebhookSender(settings, clock=clock, max_attempts=2)
    await sender.run_once()
    clock.now += 32
    await sender.run_once()
    clock.now += 3600
    assert await sender.run_once() == 0 and len(receiver.received) == 2  # given up
    path = f"/staff/settings/webhooks/{endpoint_id}"
    assert "Fehlgeschlagen" in log_text((await client.get(path)).text)

    with tenant_scope(tenant.tenant.id):
        delivery = await WebhookDelivery.get(endpoint_id=endpoint_id)
    await client.submit(f"{path}/deliveries/{delivery.id}/replay", {}, form_page=path)
    assert await sender.run_once() == 1
    assert [hit.answered for hit in receiver.received] == [503, 503, 200]


async def test_an_endpoint_failing_for_three_days_is_switched_off_and_the_admins_told(
    tenant, passwords, client, settings, receiver, deliver
) -> None:
    contact = await make_customer(tenant, passwords)
    await client.log_in("alpha-admin")
    endpoint_id, receiver.secret = await register(client, receiver.url, ["contact.updated"])
    receiver.plan = [500] * 20
    await edit_contact(client, contact.id, city="Bonn")
    clock = Clock()
    sender = WebhookSender(settings, clock=clock)
    await sender.run_once()
    clock.now += 3 * DAY - 60
    await sender.run_once()  # failing for almost three days: still on
    with tenant_scope(tenant.tenant.id):
        assert (await WebhookEndpoint.get(id=endpoint_id)).is_active
    clock.now += 2 * 3600
    await sender.run_once()
    with tenant_scope(tenant.tenant.id):
        endpoint = await WebhookEndpoint.get(id=endpoint_id)
        told = await OutboxMail.filter(kind="webhook_disabled").values_list("to_address", flat=True)
    assert not endpoint.is_active and endpoint.disabled_at is not None
    assert told == ["chef@alpha.example"]
    [mail] = [m for m in await deliver() if m["To"] == "chef@alpha.example"]
    assert "Webhook abgeschaltet" in str(mail["Subject"])
    assert f"/staff/settings/webhooks/{endpoint_id}" in text_of(mail)

    await edit_contact(client, contact.id, city="Köln")  # waits: the endpoint is off
    clock.now += DAY
    hits = len(receiver.received)
    assert await sender.run_once() == 0 and len(receiver.received) == hits
    path = f"/staff/settings/webhooks/{endpoint_id}"
    page = await client.get(path)
    assert 'id="webhook-disabled"' in page.text and "Automatisch abgeschaltet" in page.text
    listing = await client.get("/staff/settings/webhooks")
    assert "Automatisch abgeschaltet" in listing.text

    receiver.plan = []  # fixed: answers 200 from now on
    enabled = await client.submit(f"{path}/enable", {}, form_page=path)
    assert enabled.status_code == 303
    assert await sender.run_once() == 2  # what waited: both edits
    cities = sorted(hit.payload["data"]["changes"]["city"][1] for hit in receiver.received[-2:])
    assert cities == ["Bonn", "Köln"]
    with tenant_scope(tenant.tenant.id):
        endpoint = await WebhookEndpoint.get(id=endpoint_id)
    assert endpoint.is_active and endpoint.failing_since is None and endpoint.disabled_at is None


async def test_a_created_and_erased_contact_leaves_only_ids_behind(
    tenant, client, settings, receiver
) -> None:
    await client.log_in("alpha-admin")
    types = ["contact.created", "contact.updated", "contact.deleted"]
    endpoint_id, receiver.secret = await register(client, receiver.url, types)
    contact = {
        "first_name": "Zora",
        "last_name": "Quendel",
        "birthdate": "07.11.1979",
        "email": "zora@kunde.example",
        "street": "Lindenweg 5",
    }
    created = await client.submit("/staff/contacts", contact, form_page="/staff/contacts/new")
    assert created.status_code == 303
    contact_id = int(created.headers["location"].rsplit("/", 1)[1].split("?")[0])
    await edit_contact(client, contact_id, street="Eichenweg 9")
    with tenant_scope(tenant.tenant.id):
        kinds = await WebhookDelivery.filter(endpoint_id=endpoint_id).values_list("event_type")
    assert sorted(kind for (kind,) in kinds) == ["contact.created", "contact.updated"]

    path = f"/staff/contacts/{contact_id}/delete"
    erased = await client.submit(path, {"confirm_text": "Quendel"}, form_page=path)
    assert erased.status_code == 303
    with tenant_scope(tenant.tenant.id):
        left = await WebhookDelivery.filter(endpoint_id=endpoint_id)
    [gone] = left
    assert gone.event_type == "contact.deleted"
    assert json.loads(gone.payload)["data"] == {
        "id": contact_id,
        "object": "contact",
        "contact_id": contact_id,
        "external_id": None,
    }
    assert await WebhookSender(settings, clock=Clock()).run_once() == 1
    [hit] = receiver.received
    assert hit.payload["type"] == "contact.deleted"
    assert not any(trace in hit.body.decode() for trace in ("Quendel", "Zora", "weg"))


async def test_an_endpoint_that_does_not_answer_holds_up_nothing_else(
    tenant, passwords, client, settings
) -> None:
    """Nothing listens there: one try fails; its other deliveries wait untried, not each
    for its own deadline."""
    contact = await make_customer(tenant, passwords)
    await client.log_in("alpha-admin")
    endpoint_id, _secret = await register(
        client, f"http://127.0.0.1:{free_port()}/hooks", ["contact.updated"]
    )
    await edit_contact(client, contact.id, city="Bonn")
    await edit_contact(client, contact.id, city="Köln")
    clock = Clock()
    assert await WebhookSender(settings, clock=clock).run_once() == 0
    with tenant_scope(tenant.tenant.id):
        tried, waiting = await WebhookDelivery.filter(endpoint_id=endpoint_id).order_by("id")
        [attempt] = await WebhookAttempt.all()
    assert (tried.attempts, waiting.attempts) == (1, 0)
    assert tried.status == waiting.status == "pending"
    assert attempt.status_code is None and "ConnectError" in attempt.error
    assert int(clock.now) + 30 <= waiting.next_attempt_at <= int(clock.now) + 32


async def test_a_deactivated_tenants_deliveries_wait_unsent(
    tenant, passwords, client, settings, receiver
) -> None:
    from tenant_app.models.tenancy import Tenant
    from tenant_app.queries import webhooks as webhook_queries

    contact = await make_customer(tenant, passwords)
    await client.log_in("alpha-admin")
    endpoint_id, receiver.secret = await register(client, receiver.url, ["contact.updated"])
    await edit_contact(client, contact.id, city="Bonn")
    await Tenant.filter(id=tenant.tenant.id).update(is_active=False)  # the tenant is switched off
    clock = Clock()
    now = int(clock.now)
    assert await webhook_queries.claim_due(now=now, until=now + 60, batch=10) == []
    assert await WebhookSender(settings, clock=clock).run_once() == 0
    assert receiver.received == []
    with tenant_scope(tenant.tenant.id):
        delivery = await WebhookDelivery.get(endpoint_id=endpoint_id)
    assert (delivery.status, delivery.attempts, delivery.locked_until) == ("pending", 0, 0)
    await Tenant.filter(id=tenant.tenant.id).update(is_active=True)  # on again: sent then
    assert await WebhookSender(settings, clock=clock).run_once() == 1
    assert [hit.payload["type"] for hit in receiver.received] == ["contact.updated"]
