"""Prometheus at /metrics: only with the token, by route template, with the queues' ages."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tenant_app import create_app
from tenant_app.mail.outbox import enqueue
from tenant_app.mail.render import RenderedMail
from tenant_app.models.contacts import Contact
from tenant_app.models.mail import OutboxMail
from tenant_app.models.scoping import tenant_scope
from tenant_app.settings import Settings

TOKEN = "scrape-" + "s" * 40
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def metrics_app(settings: Settings) -> Any:
    return create_app(replace(settings, metrics_token=TOKEN), manage_db=False)


@pytest.fixture
def host_client(client_for: Any, metrics_app: Any) -> Any:
    def make(host: str) -> Any:
        made = client_for(host)
        made._transport.app = metrics_app  # the same browser-like client, on this app
        return made

    return make


def sample(text: str, name: str, **labels: str) -> float | None:
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == name and all(found.labels.get(k) == v for k, v in labels.items()):
                return float(found.value)
    return None


async def test_metrics_hidden_without_the_right_token(tenant: Any, host_client: Any) -> None:
    browser = host_client(tenant.hostname)
    unknown = await browser.get("/no-such-page")
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
        response = await browser.get("/metrics", headers=headers)
        assert response.status_code == 404
        assert response.text == unknown.text  # the same page as any unknown path
        assert "tenant_app_" not in response.text
    elsewhere = host_client("nobody.example")
    assert (
        await elsewhere.get("/metrics", headers={"Authorization": "Bearer x"})
    ).status_code == 404


async def test_no_token_configured_means_no_metrics(
    tenant: Any, client_for: Any, settings: Settings
) -> None:
    assert settings.metrics_token == ""
    response = await client_for(tenant.hostname).get(
        "/metrics", headers={"Authorization": "Bearer "}
    )
    assert response.status_code == 404


async def test_request_histogram_by_route_template(tenant: Any, host_client: Any) -> None:
    with tenant_scope(tenant.tenant.id):
        contact = await Contact.create(
            first_name="Jana",
            last_name="Jäger",
            email="jana@kunde.example",
            birthdate=date(1979, 11, 7),
        )
    browser = host_client(tenant.hostname)
    await browser.log_in(tenant.admin.username)
    page = await browser.get(f"/staff/contacts/{contact.id}")
    assert page.status_code == 200
    await browser.get("/no-such-page")

    response = await host_client("platform.localhost").get("/metrics", headers=AUTH)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    text = response.text
    route = "/staff/contacts/{contact_id}"
    count = sample(
        text, "tenant_app_http_request_duration_seconds_count", route=route, method="GET"
    )
    assert count is not None and count >= 1
    assert sample(text, "tenant_app_http_requests_total", route=route, status="2xx")
    assert sample(text, "tenant_app_http_requests_total", route="unmatched", status="4xx")
    assert f"/staff/contacts/{contact.id}" not in text  # never a raw path with its id
    assert sample(text, "tenant_app_logins_total", tenant="alpha", outcome="ok")


async def test_mail_queue_age_shows_the_oldest_pending_mail(tenant: Any, host_client: Any) -> None:
    mail = RenderedMail(subject="Hallo", text="Text", html="<p>Text</p>")
    row = await enqueue(mail, to="kunde@example.com", tenant_id=tenant.tenant.id)
    hour_ago = datetime.now(UTC) - timedelta(hours=1)
    await OutboxMail.unscoped.filter(id=row.id).update(created_at=hour_ago)
    await enqueue(mail, to="failed@example.com", tenant_id=tenant.tenant.id)
    await OutboxMail.unscoped.filter(to_address="failed@example.com").update(status="failed")

    response = await host_client(tenant.hostname).get("/metrics", headers=AUTH)
    text = response.text
    age = sample(text, "tenant_app_mail_queue_oldest_seconds")
    assert age is not None and 3590 <= age <= 3700
    assert sample(text, "tenant_app_mail_queue_pending") == 1
    assert sample(text, "tenant_app_mail_failed") == 1
    assert sample(text, "tenant_app_database_up") == 1
    assert sample(text, "tenant_app_webhook_queue_pending") == 0
    assert sample(text, "tenant_app_job_queue_oldest_seconds") == 0
    assert sample(text, "tenant_app_db_pool_connections", state="max")


async def test_tenant_labels_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from tenant_app import metrics

    monkeypatch.setattr(metrics, "_known_tenants", {f"t{n}" for n in range(3)})
    monkeypatch.setattr(metrics, "MAX_TENANT_LABELS", 3)
    monkeypatch.setattr(metrics, "current_tenant", lambda: type("T", (), {"slug": "new"})())
    assert metrics.tenant_label() == "other"
    monkeypatch.setattr(metrics, "current_tenant", lambda: type("T", (), {"slug": "t1"})())
    assert metrics.tenant_label() == "t1"


_COUNT_ONE = (
    "from tenant_app import metrics\n"
    "metrics.observe_request('/staff/contacts/{contact_id}', 'GET', 200, 0.01)\n"
)
_SCRAPE = (
    "from prometheus_client import generate_latest\n"
    "from tenant_app import metrics\n"
    "print(generate_latest(metrics.process_registry()).decode())\n"
)


def test_worker_processes_are_summed_with_a_multiprocess_dir(tmp_path: Path) -> None:
    """uvicorn --workers N on one port: any worker's scrape reports all workers' requests."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for _ in range(2):  # two worker processes, each answering one request
        subprocess.run([sys.executable, "-c", _COUNT_ONE], env=env, check=True, timeout=60)
    scraped = subprocess.run(
        [sys.executable, "-c", _SCRAPE], env=env, check=True, timeout=60, capture_output=True
    ).stdout.decode()
    route = "/staff/contacts/{contact_id}"
    assert sample(scraped, "tenant_app_http_requests_total", route=route, status="2xx") == 2
