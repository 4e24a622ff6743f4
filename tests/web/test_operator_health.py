"""The operator's health page and audit: each check's state from what the database and the
storage say, the audit newest first a page at a time, and the platform's second factor."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tenant_app.models.mail import OutboxMail
from tenant_app.models.operations import OperatorAction
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant
from tenant_app.services.operator_audit import PAGE_SIZE
from tenant_app.services.operator_health import newest_migration_file
from tests.operator_helpers import OPERATOR_PASSWORD, make_operator, operator_client
from tests.tender_helpers import PLATFORM_HOST


@pytest.fixture
async def operator(client_for, passwords):
    return await operator_client(client_for, passwords)


def _state(page: str, key: str) -> str:
    found = re.search(rf'id="health-{key}" data-state="(\w+)"', page)
    assert found, key
    return found.group(1)


async def test_a_healthy_platform_is_ok_everywhere(operator, settings) -> None:
    page = await operator.get("/operator/health")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    for key in ("database", "storage", "mail_queue", "failed_mails", "webhooks", "migration"):
        assert _state(page.text, key) == "ok", key
    assert newest_migration_file() in page.text
    assert 'data-overall="ok"' in page.text
    assert list((settings.storage_dir / "0").glob("*")) == []  # the probe is removed


async def test_a_waiting_and_failed_mail_show_as_warnings_or_failures(operator, tenant) -> None:
    with tenant_scope(tenant.tenant.id):
        waiting = await OutboxMail.create(
            to_address="a@kunde.example", subject="x", text_body="x", html_body=""
        )
        await OutboxMail.create(
            to_address="b@kunde.example", subject="x", text_body="x", html_body="", status="failed"
        )
    assert _state((await operator.get("/operator/health")).text, "mail_queue") == "ok"
    old = datetime.now(UTC) - timedelta(hours=2)
    await OutboxMail.unscoped.filter(id=waiting.id).update(created_at=old)
    page = (await operator.get("/operator/health")).text
    assert _state(page, "mail_queue") == "fail"
    assert _state(page, "failed_mails") == "warn"
    assert 'data-overall="fail"' in page


async def test_a_broken_storage_is_a_failure_not_an_error(operator, app, monkeypatch) -> None:
    async def refuse(key, source):
        raise OSError("disk gone")

    monkeypatch.setattr(app.state.storage, "save", refuse)
    page = await operator.get("/operator/health")
    assert page.status_code == 200 and _state(page.text, "storage") == "fail"
    assert _state(page.text, "database") == "ok"


async def test_the_audit_is_paged_newest_first(operator) -> None:
    for number in range(PAGE_SIZE + 3):
        await OperatorAction.create(
            operator_name="Otto Operator", action="tenant_created", tenant_name=f"Firma {number}"
        )
    first = await operator.get("/operator/audit")
    assert first.status_code == 200
    assert f"Firma {PAGE_SIZE + 2}<" in first.text and "Firma 2<" not in first.text
    assert 'rel="next"' in first.text and 'rel="prev"' not in first.text
    second = await operator.get("/operator/audit?page=2")
    assert "Firma 0<" in second.text and "Firma 2<" in second.text and 'rel="prev"' in second.text
    assert (await operator.get("/operator/audit?page=abc")).status_code == 200


async def test_an_operator_without_a_second_factor_past_the_deadline_must_set_one_up(
    client_for, passwords
) -> None:
    user = await make_operator(passwords)
    long_ago = datetime.now(UTC) - timedelta(days=60)
    await Tenant.filter(is_platform=True).update(staff_2fa_required_at=long_ago)
    client = client_for(PLATFORM_HOST)
    await client.log_in(user.username, OPERATOR_PASSWORD)
    for path in ("/operator/tenants", "/operator/health", "/operator/audit"):
        answer = await client.get(path)
        assert answer.status_code == 303 and answer.headers["location"] == "/account/security"
