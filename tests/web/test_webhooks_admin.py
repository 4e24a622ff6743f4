"""The webhook settings: private addresses refused next to the field (no server-side request
forgery), checked again before each delivery; the secret shown once and replaced on demand;
only administrators reach the pages, and another tenant's endpoints answer 404;
the delivery log reads a fixed number of statements; an event costs one query when nobody
listens."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tenant_app import create_app
from tenant_app.models.activity import Event
from tenant_app.models.integration import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tenant_app.models.scoping import tenant_scope
from tenant_app.services import webhooks
from tenant_app.services.webhooks_delivery import WebhookSender, purge_old
from tests.conftest import Client, count_queries, make_customer, page_queries
from tests.html_forms import form_fields
from tests.web.test_staff_users import _make_registered_staff
from tests.web.test_webhooks import Clock, edit_contact, register

NEW = "/staff/settings/webhooks/new"


@pytest.fixture
def strict_app(settings: Any) -> Any:
    """The app as in production: webhooks only to public https addresses."""
    return create_app(settings.with_overrides(webhooks_allow_private=False), manage_db=False)


async def _refused(client: Any, url: str) -> str:
    data = {"url": url, "event_types": ["contact.updated"], "is_active": "on"}
    response = await client.submit("/staff/settings/webhooks", data, form_page=NEW)
    assert response.status_code == 422, response.text[:300]
    match = re.search(r'<p class="field__error" id="f-url-error">([^<]+)</p>', response.text)
    assert match, "the message sits next to the URL field"
    assert f'value="{html.escape(url)}"' in response.text  # the input is kept
    return html.unescape(match.group(1))


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://crm.example.com/hooks", "nur über https://"),
        ("https://127.0.0.1/hooks", "privaten oder internen Netz"),
        ("https://localhost:8443/hooks", "privaten oder internen Netz"),
        ("https://[::ffff:10.0.0.1]/hooks", "privaten oder internen Netz"),
        ("https://169.254.169.254/latest/meta-data/", "privaten oder internen Netz"),
        ("https://2130706433/", "privaten oder internen Netz"),
        ("https://kai:geheim@93.184.215.14/", "Benutzernamen"),
    ],
)
async def test_private_targets_are_refused_next_to_the_field(
    tenant, strict_app, url: str, says: str
) -> None:
    async with Client(strict_app, tenant.hostname) as admin:
        await admin.log_in("alpha-admin")
        assert says in await _refused(admin, url)
    with tenant_scope(tenant.tenant.id):
        assert await WebhookEndpoint.all().count() == 0


async def test_a_public_https_address_is_accepted_where_private_ones_are_not(
    tenant, strict_app
) -> None:
    async with Client(strict_app, tenant.hostname) as admin:
        await admin.log_in("alpha-admin")
        endpoint_id, secret = await register(admin, "https://93.184.215.14/hooks", ["case.created"])
    assert secret.startswith("whsec_")
    with tenant_scope(tenant.tenant.id):
        assert (await WebhookEndpoint.get(id=endpoint_id)).url == "https://93.184.215.14/hooks"


async def test_each_delivery_checks_the_address_again(tenant, passwords, client, settings) -> None:
    """Saved where private targets were allowed; the strict sender never connects there."""
    contact = await make_customer(tenant, passwords)
    await client.log_in("alpha-admin")
    endpoint_id, _secret = await register(client, "https://127.0.0.1:9/hooks", ["contact.updated"])
    await edit_contact(client, contact.id, city="Bonn")
    strict = settings.with_overrides(webhooks_allow_private=False)
    assert await WebhookSender(strict, clock=Clock()).run_once() == 0
    with tenant_scope(tenant.tenant.id):
        delivery = await WebhookDelivery.get(endpoint_id=endpoint_id)
        [attempt] = await WebhookAttempt.filter(delivery_id=delivery.id)
    assert delivery.status == "pending" and delivery.attempts == 1
    assert attempt.status_code is None and "privaten oder internen Netz" in attempt.error


async def test_the_form_says_what_is_missing(tenant, client) -> None:
    await client.log_in("alpha-admin")
    data = {"url": "", "description": "x" * 201, "is_active": "on"}
    response = await client.submit("/staff/settings/webhooks", data, form_page=NEW)
    assert response.status_code == 422
    for name in ("url", "description", "event_types"):
        assert f'id="f-{name}-error"' in response.text
    assert "Bitte wählen Sie mindestens ein Ereignis." in response.text


async def test_the_secret_is_shown_once_and_can_be_replaced(tenant, client) -> None:
    await client.log_in("alpha-admin")
    endpoint_id, secret = await register(client, "https://crm.example.com/h", ["contact.created"])
    path = f"/staff/settings/webhooks/{endpoint_id}"
    page = await client.get(path)
    assert page.status_code == 200 and secret not in page.text
    rotated = await client.submit(f"{path}/secret", {}, form_page=path)
    assert rotated.status_code == 200 and rotated.headers["cache-control"] == "no-store"
    new = re.search(r'id="webhook-secret">(whsec_[^<]+)<', rotated.text)
    assert new and new.group(1) != secret
    with tenant_scope(tenant.tenant.id):
        assert (await WebhookEndpoint.get(id=endpoint_id)).secret == new.group(1)
    assert new.group(1) not in (await client.get(path)).text


async def test_editing_switches_events_and_state(tenant, passwords, client) -> None:
    contact = await make_customer(tenant, passwords)
    await client.log_in("alpha-admin")
    endpoint_id, _secret = await register(client, "https://crm.example.com/h", ["contact.updated"])
    path = f"/staff/settings/webhooks/{endpoint_id}/edit"
    fields = form_fields((await client.get(path)).text, f"/staff/settings/webhooks/{endpoint_id}")
    fields.pop("is_active")  # switched off
    data = {**fields, "event_types": ["contact.updated", "contract.updated"]}
    saved = await client.submit(f"/staff/settings/webhooks/{endpoint_id}", data, form_page=path)
    assert saved.status_code == 303
    page = await client.get(saved.headers["location"])
    assert 'id="webhook-saved"' in page.text and 'id="webhook-paused"' in page.text
    await edit_contact(client, contact.id, city="Bonn")  # nobody listens now
    with tenant_scope(tenant.tenant.id):
        endpoint = await WebhookEndpoint.get(id=endpoint_id)
        assert await WebhookDelivery.all().count() == 0
    assert endpoint.event_types == ["contact.updated", "contract.updated"]
    assert not endpoint.is_active and endpoint.version == 2
    stale = await client.submit(f"/staff/settings/webhooks/{endpoint_id}", data, form_page=path)
    assert stale.status_code == 409  # a form loaded before that save changes nothing
    assert 'id="webhook-errors"' in stale.text and 'name="version" value="2"' in stale.text


async def test_deleting_an_endpoint_takes_its_log(tenant, passwords, client) -> None:
    contact = await make_customer(tenant, passwords)
    await client.log_in("alpha-admin")
    endpoint_id, _secret = await register(client, "https://crm.example.com/h", ["contact.updated"])
    await edit_contact(client, contact.id, city="Bonn")
    path = f"/staff/settings/webhooks/{endpoint_id}"
    deleted = await client.submit(f"{path}/delete", {}, form_page=path)
    assert deleted.status_code == 303
    assert 'id="webhook-deleted"' in (await client.get(deleted.headers["location"])).text
    assert (await client.get(path)).status_code == 404
    with tenant_scope(tenant.tenant.id):
        assert await WebhookDelivery.all().count() == 0


async def test_another_tenant_and_staff_without_the_right_get_nothing(
    tenant, other_tenant, passwords, client, client_for
) -> None:
    await client.log_in("alpha-admin")
    endpoint_id, _secret = await register(client, "https://crm.example.com/h", ["contact.created"])
    with tenant_scope(tenant.tenant.id):
        endpoint = await WebhookEndpoint.get(id=endpoint_id)
        delivery = await WebhookDelivery.create(
            endpoint=endpoint, message_id="msg_x", event_type="contact.created", payload="{}"
        )
    beta = client_for(other_tenant.hostname)
    await beta.log_in("beta-admin")
    beta_id, _beta_secret = await register(beta, "https://beta.example.com/h", ["case.created"])
    base = f"/staff/settings/webhooks/{endpoint_id}"
    for path in (base, f"{base}/edit"):
        assert (await beta.get(path)).status_code == 404
    own_page = f"/staff/settings/webhooks/{beta_id}"
    posts = [base, f"{base}/secret", f"{base}/delete", f"{base}/enable"]
    posts += [f"{base}/deliveries/{delivery.id}/replay"]
    posts += [f"{own_page}/deliveries/{delivery.id}/replay"]  # alpha's delivery, beta's endpoint
    for path in posts:
        response = await beta.submit(path, {"url": "https://x.example/"}, form_page=own_page)
        assert response.status_code == 404, path
    with tenant_scope(tenant.tenant.id):
        assert (await WebhookEndpoint.get(id=endpoint_id)).secret == endpoint.secret

    await _make_registered_staff(tenant, passwords, sees_all_contacts=True, manages_contacts=True)
    sina = client_for(tenant.hostname)
    await sina.log_in("sina.staff")
    for path in ("/staff/settings/webhooks", NEW, base, f"{base}/edit"):
        assert (await sina.get(path)).status_code == 403, path


async def test_the_delivery_log_reads_the_same_statements_for_few_or_many(tenant, client) -> None:
    await client.log_in("alpha-admin")
    endpoint_id, _secret = await register(client, "https://crm.example.com/h", ["contact.created"])

    async def add(count: int) -> None:
        with tenant_scope(tenant.tenant.id):
            for number in range(count):
                delivery = await WebhookDelivery.create(
                    endpoint_id=endpoint_id,
                    message_id=f"msg_{number}",
                    event_type="contact.created",
                    payload="{}",
                    attempts=2,
                )
                for code in (500, 200):
                    await WebhookAttempt.create(delivery=delivery, status_code=code)

    path = f"/staff/settings/webhooks/{endpoint_id}"
    await add(2)
    few = await page_queries(client, path)
    few_list = await page_queries(client, "/staff/settings/webhooks")
    await add(40)
    assert await page_queries(client, path) == few
    assert await page_queries(client, f"{path}?page=2") == few
    assert await page_queries(client, "/staff/settings/webhooks") == few_list
    page = (await client.get(f"{path}?page=2")).text
    assert 'id="delivery-pages"' in page and "Neuere" in page


async def test_an_event_costs_one_query_when_nobody_listens(tenant) -> None:
    with tenant_scope(tenant.tenant.id):
        changed = await Event.create(kind="profile_changed", actor_kind="system")
        opened = await Event.create(kind="document_opened", actor_kind="system")
        with count_queries() as counter:
            assert await webhooks.enqueue(changed) == 0
        assert counter.count == 1
        with count_queries() as counter:
            assert await webhooks.enqueue(opened) == 0  # no webhook event at all
        assert counter.count == 0


async def test_old_deliveries_go_after_the_retention_period(tenant, client, settings) -> None:
    await client.log_in("alpha-admin")
    endpoint_id, _secret = await register(client, "https://crm.example.com/h", ["contact.created"])
    with tenant_scope(tenant.tenant.id):
        for status in ("delivered", "failed", "pending"):
            await WebhookDelivery.create(
                endpoint_id=endpoint_id,
                message_id=f"msg_{status}",
                event_type="contact.created",
                payload="{}",
                status=status,
            )
    assert await purge_old(settings, now=datetime.now(UTC) + timedelta(days=29)) == 0
    assert await purge_old(settings, now=datetime.now(UTC) + timedelta(days=31)) == 2
    with tenant_scope(tenant.tenant.id):
        left = await WebhookDelivery.all().values_list("status", flat=True)
    assert left == ["pending"]  # still to be sent
