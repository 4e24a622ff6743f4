"""Einstellungen › Onlinekonten: the admin stores the firm's insurer credentials (sealed, a
password never shown again: not in a page, a log, an export or the audit trail), switches an
interface on (only with credentials), the reminder, and the staff's agent numbers; other
staff and other tenants see none of it."""

from __future__ import annotations

import io
import logging
import zipfile
from typing import Any

import pytest

from tenant_app.errors import ValidationFailed
from tenant_app.models.folders import AuditEntry
from tenant_app.models.interfaces import AgentNumber, InsurerAccount
from tenant_app.models.scoping import tenant_scope
from tenant_app.services import insurer_account_pages, insurer_account_settings
from tenant_app.services.insurer_accounts import (
    account_for,
    active_plugins,
    agent_number_of,
    credentials_for,
    reminding_plugins,
)
from tenant_app.text.i18n import gettext
from tests.conftest import actor_of, make_customer
from tests.plugin_helpers import KEY, installed_plugin  # noqa: F401 - a fixture
from tests.web.test_tickets import make_staff

pytestmark = pytest.mark.usefixtures("installed_plugin")

LIST = "/staff/settings/insurer-accounts"
PAGE = f"{LIST}/{KEY}"
PASSWORD = "Sehr-Geheim#4711"  # noqa: S105 - what must never be shown again


async def _account(tenant) -> InsurerAccount | None:
    with tenant_scope(tenant.tenant.id):
        return await account_for(KEY)


async def _version(client) -> str:
    page = await client.get(PAGE)
    marker = 'name="version" value="'
    return page.text.split(marker, 1)[1].split('"', 1)[0]


async def _save(client, **fields: str):
    data = {"action": "credentials", "version": await _version(client), **fields}
    return await client.submit(PAGE, data)


async def _credentials(client, password: str = PASSWORD, **more: str):
    fields = {"credential_username": "makler-7", "credential_password": password, **more}
    return await _save(client, **fields)


async def _audit(tenant) -> list[AuditEntry]:
    with tenant_scope(tenant.tenant.id):
        return list(await AuditEntry.filter(action__contains="insurer").order_by("id"))


async def test_saved_credentials_are_sealed_and_the_password_never_shown_again(
    client, tenant, passwords, settings, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    await client.log_in("alpha-admin")
    assert 'id="insurer-accounts-link"' in (await client.get("/staff/settings")).text
    listed = await client.get(LIST)
    assert listed.status_code == 200 and f'id="account-{KEY}"' in listed.text
    assert gettext("No credentials yet") in listed.text

    saved = await _credentials(client, credential_broker_id="MK123")
    assert saved.status_code == 303 and saved.headers["location"] == f"{PAGE}?credentials_saved=1"
    row = await _account(tenant)
    assert row is not None and row.credentials_hint == "makler-7 · MK123"
    assert PASSWORD not in row.sealed_credentials and "makler-7" not in row.sealed_credentials
    assert row.updated_by_id == tenant.admin.id and not row.is_active
    expected = {"username": "makler-7", "password": PASSWORD, "broker_id": "MK123"}
    assert await credentials_for(settings, row) == expected

    page = await client.get(saved.headers["location"])
    assert 'id="credentials-saved"' in page.text
    assert PASSWORD not in page.text
    assert 'value="makler-7"' in page.text and 'value="MK123"' in page.text
    assert f'id="f-credential_password-stored">{gettext("Stored")}' in page.text
    password_input = page.text.split('id="f-credential_password"', 1)[1].split(">", 1)[0]
    assert "value=" not in password_input and 'type="password"' in password_input
    assert "makler-7" in (await client.get(LIST)).text

    contact = await make_customer(tenant, passwords)
    export = await client.get(f"/staff/contacts/{contact.id}/export")
    assert export.status_code == 200
    with zipfile.ZipFile(io.BytesIO(export.content)) as archive:
        for name in archive.namelist():
            assert PASSWORD.encode() not in archive.read(name), name
    audit = await _audit(tenant)
    assert [entry.action for entry in audit] == ["insurer_credentials_saved"]
    assert audit[0].details == f"{KEY}: username, password, broker_id"
    assert all(PASSWORD not in entry.details for entry in audit)
    logged = [f"{record.getMessage()} {record.args!r}" for record in caplog.records]
    # The SQL statements are logged with their values: the sealed one, never the password.
    assert [line for line in logged if row.sealed_credentials in line]
    assert not [line for line in logged if PASSWORD in line]


async def test_an_empty_password_keeps_the_stored_one(client, tenant, settings) -> None:
    await client.log_in("alpha-admin")
    await _credentials(client)
    again = await _save(client, credential_username="makler-8", credential_password="")
    assert again.status_code == 303
    row = await _account(tenant)
    assert row is not None and row.credentials_hint == "makler-8"
    assert await credentials_for(settings, row) == {"username": "makler-8", "password": PASSWORD}
    assert (await _audit(tenant))[-1].details == f"{KEY}: username"


async def test_a_refused_form_changes_nothing_and_does_not_repeat_the_password(
    client, tenant
) -> None:
    await client.log_in("alpha-admin")
    refused = await _save(
        client, credential_username="", credential_password=PASSWORD, credential_broker_id="X1"
    )
    assert refused.status_code == 422
    assert PASSWORD not in refused.text
    assert 'id="f-credential_username-error"' in refused.text
    assert 'id="f-credential_broker_id-error">Bitte im Format MK123.' in refused.text
    assert 'value="X1"' in refused.text  # the typed input is kept, but for the secret
    assert await _account(tenant) is None
    assert await _audit(tenant) == []


async def test_activation_needs_credentials_and_the_reminder_follows_it(client, tenant) -> None:
    await client.log_in("alpha-admin")
    version = await _version(client)
    refused = await client.submit(PAGE, {"action": "activate", "version": version})
    assert refused.status_code == 422 and 'id="f-is_active-error"' in refused.text
    row = await _account(tenant)
    assert row is None or not row.is_active

    await _credentials(client)
    reminder = {"action": "reminder", "remind": "on", "version": await _version(client)}
    assert (await client.submit(PAGE, reminder)).status_code == 303
    with tenant_scope(tenant.tenant.id):
        assert await active_plugins() == [] and await reminding_plugins() == []
    on = await client.submit(PAGE, {"action": "activate", "version": await _version(client)})
    assert on.status_code == 303 and on.headers["location"] == f"{PAGE}?activated=1"
    with tenant_scope(tenant.tenant.id):
        assert [p.key for p in await active_plugins()] == [KEY]
        assert [p.key for p in await reminding_plugins()] == [KEY]
    page = await client.get(on.headers["location"])
    assert 'id="account-activated"' in page.text and 'id="account-deactivate"' in page.text

    off = await client.submit(PAGE, {"action": "deactivate", "version": await _version(client)})
    assert off.status_code == 303
    with tenant_scope(tenant.tenant.id):
        assert await active_plugins() == [] and await reminding_plugins() == []
    actions = [entry.action for entry in await _audit(tenant)]
    assert actions == [
        "insurer_credentials_saved",
        "insurer_reminder_on",
        "insurer_account_activated",
        "insurer_account_deactivated",
    ]


async def test_a_stale_form_changes_nothing(client, tenant) -> None:
    await client.log_in("alpha-admin")
    await _credentials(client)
    stale = await _version(client)
    await _save(client, credential_username="makler-8", credential_password="")
    again = await client.submit(
        PAGE,
        {"action": "credentials", "version": stale, "credential_username": "makler-9"},
    )
    assert again.status_code == 409
    assert gettext("Stored now: %(value)s", value="makler-8") in again.text
    row = await _account(tenant)
    assert row is not None and row.credentials_hint == "makler-8"
    activate = await client.submit(PAGE, {"action": "activate", "version": stale})
    assert activate.status_code == 409
    assert not (await _account(tenant)).is_active  # type: ignore[union-attr]


async def test_agent_numbers_are_checked_by_the_insurer_s_form(client, tenant, passwords) -> None:
    anna = await make_staff(tenant, passwords, "anna", "Anna")
    ben = await make_staff(tenant, passwords, "ben", "Ben")
    await client.log_in("alpha-admin")
    page = await client.get(PAGE)
    assert f'id="f-agent_{anna.id}"' in page.text and f'id="f-agent_{ben.id}"' in page.text
    version = await _version(client)
    wrong = {f"agent_{anna.id}": "ZW-1234", f"agent_{ben.id}": "VM-12345", "version": version}
    refused = await client.submit(f"{PAGE}/agents", wrong, form_page=PAGE)
    assert refused.status_code == 422
    assert f'id="f-agent_{ben.id}-error"' in refused.text and "Format: ZW-1234." in refused.text
    assert 'value="VM-12345"' in refused.text  # kept to correct it
    with tenant_scope(tenant.tenant.id):
        assert await AgentNumber.all().count() == 0

    right = {**wrong, f"agent_{ben.id}": " ZW-0007 "}
    saved = await client.submit(f"{PAGE}/agents", right, form_page=PAGE)
    assert saved.status_code == 303 and saved.headers["location"] == f"{PAGE}?agents_saved=1"
    with tenant_scope(tenant.tenant.id):
        assert await agent_number_of(anna.id, KEY) == "ZW-1234"
        assert await agent_number_of(ben.id, KEY) == "ZW-0007"
        assert await agent_number_of(tenant.admin.id, KEY) == ""
    listed = await client.get(LIST)
    assert f'id="account-{KEY}-agents">2 ' in listed.text

    removed = {f"agent_{anna.id}": "", "version": await _version(client)}
    assert (await client.submit(f"{PAGE}/agents", removed, form_page=PAGE)).status_code == 303
    with tenant_scope(tenant.tenant.id):
        assert await agent_number_of(anna.id, KEY) == ""
        assert await agent_number_of(ben.id, KEY) == "ZW-0007"
        audit = [
            (e.action, e.subject_id) for e in await AuditEntry.filter(action__contains="agent")
        ]
    assert audit == [
        ("agent_number_set", anna.id),
        ("agent_number_set", ben.id),
        ("agent_number_removed", anna.id),
    ]
    stale = await client.submit(f"{PAGE}/agents", {**right, "version": version}, form_page=PAGE)
    assert stale.status_code == 409
    with tenant_scope(tenant.tenant.id):
        assert await agent_number_of(anna.id, KEY) == ""


async def test_only_administrators_reach_the_online_accounts(
    client, client_for, tenant, passwords
) -> None:
    await make_staff(tenant, passwords, "sina", "Sina", manages_settings=True)
    staff = client_for(tenant.hostname)
    await staff.log_in("sina")
    assert (await staff.get(LIST)).status_code == 403
    assert (await staff.get(PAGE)).status_code == 403
    settings_page = await staff.get("/staff/settings")
    assert settings_page.status_code == 200 and "insurer-accounts-link" not in settings_page.text
    token = await staff.csrf("/staff/settings")
    headers = {"Origin": f"http://{tenant.hostname}"}
    data = {"csrf_token": token, "action": "credentials", "credential_username": "x"}
    assert (await staff.post(PAGE, data=data, headers=headers)).status_code == 403
    assert await _account(tenant) is None
    await client.log_in("alpha-admin")
    assert (await client.get(f"{LIST}/unknown")).status_code == 404


async def test_another_tenant_sees_none_of_it(
    client, client_for, tenant, other_tenant, settings
) -> None:
    await client.log_in("alpha-admin")
    await _credentials(client)
    await client.submit(PAGE, {"action": "activate", "version": await _version(client)})
    beta = client_for(other_tenant.hostname)
    await beta.log_in("beta-admin")
    page = await beta.get(PAGE)
    assert page.status_code == 200
    assert "makler-7" not in page.text and PASSWORD not in page.text
    assert gettext("No credentials yet") in page.text
    with tenant_scope(other_tenant.tenant.id):
        assert await account_for(KEY) is None and await active_plugins() == []


async def test_without_a_key_saving_credentials_says_so(client, tenant, app, monkeypatch) -> None:
    production = app.state.settings.with_overrides(credentials_keys="", environment="production")
    await client.log_in("alpha-admin")
    monkeypatch.setitem(app.state._state, "settings", production)  # State keeps it there
    page = await client.get(PAGE)
    assert 'id="credentials-no-key"' in page.text
    refused = await _credentials(client)
    assert refused.status_code == 422 and "CREDENTIALS_KEYS" in refused.text
    assert PASSWORD not in refused.text
    row = await _account(tenant)
    assert row is None or not row.sealed_credentials


async def test_the_services_refuse_staff_who_are_no_administrators(tenant, passwords) -> None:
    await make_staff(tenant, passwords, "sina", "Sina", manages_settings=True)
    with tenant_scope(tenant.tenant.id):
        actor: Any = await actor_of("sina")
        for call in (
            insurer_account_pages.overview(actor),
            insurer_account_settings.set_reminder(actor, KEY, remind=True, values={}),
        ):
            with pytest.raises(Exception) as refused:
                await call
            assert type(refused.value).__name__ == "PermissionDenied"
            assert not isinstance(refused.value, ValidationFailed)


async def test_the_reference_plug_in_s_account_is_set_up_the_same_way(
    client, tenant, settings
) -> None:
    page = f"{LIST}/radschutz"
    await client.log_in("alpha-admin")
    listed = await client.get(LIST)
    assert 'id="account-radschutz"' in listed.text and f'id="account-{KEY}"' in listed.text
    form = await client.get(page)
    assert form.status_code == 200 and 'id="f-credential_password"' in form.text
    version = form.text.split('name="version" value="', 1)[1].split('"', 1)[0]
    data = {
        "action": "credentials",
        "version": version,
        "credential_username": "demo-makler",
        "credential_password": "radschutz-demo",
    }
    assert (await client.submit(page, data)).status_code == 303
    with tenant_scope(tenant.tenant.id):
        row = await account_for("radschutz")
        assert row is not None and await credentials_for(settings, row) == {
            "username": "demo-makler",
            "password": "radschutz-demo",
        }
    shown = await client.get(page)
    assert "radschutz-demo" not in shown.text
    agent = f"agent_{tenant.admin.id}"
    version = shown.text.split('name="version" value="', 1)[1].split('"', 1)[0]
    wrong = await client.submit(
        f"{page}/agents", {agent: "ZW-1234", "version": version}, form_page=page
    )
    assert wrong.status_code == 422 and "VM-12345" in wrong.text
    right = {agent: "VM-10001", "version": version}
    assert (await client.submit(f"{page}/agents", right, form_page=page)).status_code == 303
    with tenant_scope(tenant.tenant.id):
        assert await agent_number_of(tenant.admin.id, "radschutz") == "VM-10001"
        assert await agent_number_of(tenant.admin.id, KEY) == ""
