"""Einstellungen › API: an administrator creates tokens (the secret shown once, kept
only as a hash), sees them listed with their permissions and use, and revokes them at once."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from tenant_app.api.operations import OPERATIONS, PREFIX
from tenant_app.models.integration import ApiToken
from tenant_app.models.scoping import tenant_scope
from tenant_app.vocabulary import API_SCOPES
from tests.api_helpers import bearer, make_token, problem_of
from tests.conftest import ADMIN_PASSWORD
from tests.web.test_broker_profile import main_text, section
from tests.web.test_tickets import make_staff

PAGE = "/staff/settings/api"
SECRET_RE = re.compile(r'id="token-secret"[^>]*value="(tka_[A-Za-z0-9_-]+)"')
DE = {"Accept-Language": "de"}


async def create(client: Any, **fields: Any) -> Any:
    """Submit the page's form as a browser would (scopes: a list of checked boxes)."""
    data = {"name": "Maklerverwaltung", "scopes": ["contacts:read"], "expires_at": "", **fields}
    return await client.submit(PAGE, data, headers=DE)


def secret_in(html: str) -> str:
    found = SECRET_RE.search(html)
    assert found, "no secret on the page"
    return found.group(1)


def last_used(html: str) -> str:
    found = re.search(r'id="token-\d+-used">([^<]*)<', html)
    assert found
    return found.group(1).strip()


@pytest.fixture
async def admin(client: Any) -> Any:
    await client.log_in("alpha-admin")
    return client


async def test_a_new_token_is_shown_once_and_stored_as_a_hash(admin, tenant) -> None:
    empty = await admin.get(PAGE, headers=DE)
    assert empty.status_code == 200
    assert "Noch keine API-Tokens." in main_text(empty.text)

    answer = await create(admin, scopes=["contacts:read", "contracts:write"])
    assert answer.status_code == 200
    secret = secret_in(answer.text)
    assert "Token „Maklerverwaltung“ erstellt" in main_text(answer.text)
    assert "nur dieses eine Mal angezeigt" in section(answer.text, "token-created")
    assert "location" not in answer.headers and "set-cookie" not in answer.headers
    assert answer.headers["cache-control"] == "no-store"

    listed = await admin.get(PAGE, headers=DE)
    assert secret not in listed.text
    assert 'id="token-secret"' not in listed.text
    row = section(listed.text, "api-tokens")
    assert f"tka_{secret[4:12]}…" in row
    assert "Lesen und schreiben: Verträge" in row and "Lesen: Kontakte" in row
    assert "Aktiv" in row and "von Clara Chef" in row
    assert last_used(listed.text) == "noch nie"

    with tenant_scope(tenant.tenant.id):
        stored = await ApiToken.get(name="Maklerverwaltung")
        columns = await ApiToken.filter(id=stored.id).values()
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert not any(secret in str(value) for value in columns[0].values())
    assert stored.scopes == ["contacts:read", "contracts:write"]

    info = await admin.get("/api/v1/token", headers=bearer(secret))
    assert info.json()["scopes"] == ["contacts:read", "contracts:write"]
    used = await admin.get(PAGE, headers=DE)
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4} \d\d:\d\d", last_used(used.text))


async def test_the_settings_page_leads_to_the_tokens_and_the_reference(admin) -> None:
    settings = await admin.get("/staff/settings", headers=DE)
    assert f'href="{PAGE}"' in settings.text
    assert 'href="/api/v1/docs"' in settings.text
    assert 'href="/api/v1/docs"' in (await admin.get(PAGE)).text


async def test_a_token_may_do_only_what_it_was_given(admin, client) -> None:
    secret = secret_in((await create(admin, scopes=["contacts:read", "documents:write"])).text)
    info = (await client.get("/api/v1/token", headers=bearer(secret))).json()
    assert info["scopes"] == ["contacts:read", "documents:write"]
    lacking = [op for op in OPERATIONS if op.scope not in ("any", *info["scopes"])]
    lacking = [op for op in lacking if op.scope != "documents:read"]  # write includes read
    for op in lacking:
        path = PREFIX + re.sub(r"{(\w+)(?::\w+)?}", "1", op.path)
        answer = await client.request(op.method, path, headers=bearer(secret, **DE))
        assert op.scope in problem_of(answer, 403)["detail"], op.name


async def test_revoking_on_the_page_ends_the_token_at_once(admin, client, tenant) -> None:
    secret = secret_in((await create(admin)).text)
    assert (await client.get("/api/v1/token", headers=bearer(secret))).status_code == 200
    with tenant_scope(tenant.tenant.id):
        token = await ApiToken.get(name="Maklerverwaltung")
    revoke = f"{PAGE}/{token.id}/revoke"
    assert f'action="{revoke}"' in (await admin.get(PAGE)).text
    answer = await admin.submit(revoke, form_page=PAGE)
    assert answer.status_code == 303
    problem_of(await client.get("/api/v1/token", headers=bearer(secret)), 401)
    page = await admin.get(answer.headers["location"], headers=DE)
    assert "Der Token wurde widerrufen" in main_text(page.text)
    assert "Widerrufen" in section(page.text, "api-tokens")
    assert f'action="{revoke}"' not in page.text


async def test_an_expired_token_is_refused_and_shown_as_expired(admin, client, tenant) -> None:
    secret = await make_token(tenant, expires_at=datetime.now(UTC) + timedelta(days=1))
    with tenant_scope(tenant.tenant.id):
        await ApiToken.filter(name="BMS-Sync").update(
            expires_at=datetime.now(UTC) - timedelta(minutes=1)
        )
    problem_of(await client.get("/api/v1/token", headers=bearer(secret)), 401)
    assert "Abgelaufen" in section((await admin.get(PAGE, headers=DE)).text, "api-tokens")


async def test_an_expiry_date_lasts_through_that_day(admin, tenant) -> None:
    day = date.today() + timedelta(days=30)
    answer = await create(admin, expires_at=day.isoformat())
    assert answer.status_code == 200
    with tenant_scope(tenant.tenant.id):
        token = await ApiToken.get(name="Maklerverwaltung")
    assert token.expires_at is not None
    assert token.expires_at > datetime.combine(day, datetime.min.time(), tzinfo=UTC)
    assert token.expires_at < datetime.combine(day + timedelta(days=1), datetime.min.time(), UTC)
    assert f"{day:%d.%m.%Y} 23:59" in section(
        (await admin.get(PAGE, headers=DE)).text, "api-tokens"
    )


NAME_ERROR = "Bitte geben Sie einen Namen mit höchstens 100 Zeichen ein."
SCOPES_ERROR = "Bitte wählen Sie mindestens eine Berechtigung."
PAST_ERROR = "Das Ablaufdatum muss in der Zukunft liegen."
DATE_ERROR = "Bitte ein gültiges Datum eingeben, z. B. 03.04.1985."


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"name": "  "}, {"name": NAME_ERROR}),
        ({"name": "x" * 101}, {"name": NAME_ERROR}),
        ({"scopes": []}, {"scopes": SCOPES_ERROR}),
        ({"scopes": ["contacts:delete"]}, {"scopes": SCOPES_ERROR}),
        ({"expires_at": "2001-02-03"}, {"expires_at": PAST_ERROR}),
        ({"expires_at": "31.02.2030"}, {"expires_at": DATE_ERROR}),
        (
            {"name": "", "scopes": [], "expires_at": "gestern"},
            {"name": NAME_ERROR, "scopes": SCOPES_ERROR, "expires_at": DATE_ERROR},
        ),
    ],
)
async def test_refused_input_is_explained_next_to_each_field(
    admin, tenant, fields: dict[str, Any], expected: dict[str, str]
) -> None:
    answer = await create(admin, **fields)
    assert answer.status_code == 422
    for name, message in expected.items():
        error = re.search(rf'id="f-{name}-error">([^<]*)<', answer.text)
        assert error and message in error.group(1), (name, answer.text[-3000:])
    assert 'id="token-secret"' not in answer.text
    if fields.get("name", "x").strip():
        assert f'value="{fields.get("name", "Maklerverwaltung")}"' in answer.text  # input kept
    with tenant_scope(tenant.tenant.id):
        assert not await ApiToken.exists()


async def test_a_second_token_of_the_same_name_is_refused(admin) -> None:
    assert (await create(admin)).status_code == 200
    again = await create(admin)
    assert again.status_code == 422
    assert "Ein Token mit diesem Namen gibt es bereits." in again.text


async def test_without_the_settings_right_the_page_is_closed(tenant, passwords, client_for) -> None:
    await make_token(tenant)
    await make_staff(tenant, passwords, "mia", "Mia", manages_users=True, handles_tickets=True)
    with tenant_scope(tenant.tenant.id):
        token = await ApiToken.get(name="BMS-Sync")
    mia = client_for(tenant.hostname)
    await mia.log_in("mia", ADMIN_PASSWORD)
    assert (await mia.get(PAGE)).status_code == 403
    refused = await mia.submit(PAGE, {"name": "X", "scopes": list(API_SCOPES)}, form_page="/staff")
    assert refused.status_code == 403
    revoke = await mia.submit(f"{PAGE}/{token.id}/revoke", form_page="/staff")
    assert revoke.status_code == 403
    with tenant_scope(tenant.tenant.id):
        assert await ApiToken.filter(revoked_at=None).count() == 1
    assert f'href="{PAGE}"' not in (await mia.get("/staff")).text


async def test_another_tenants_token_is_not_found_here(admin, tenant, other_tenant) -> None:
    secret = await make_token(other_tenant)
    with tenant_scope(other_tenant.tenant.id):
        theirs = await ApiToken.get(name="BMS-Sync")
    answer = await admin.submit(f"{PAGE}/{theirs.id}/revoke", form_page=PAGE)
    assert answer.status_code == 404
    with tenant_scope(other_tenant.tenant.id):
        assert (await ApiToken.get(id=theirs.id)).revoked_at is None
    assert "BMS-Sync" not in (await admin.get(PAGE)).text
    assert secret[4:12] not in (await admin.get(PAGE)).text


async def test_a_token_opens_neither_the_page_nor_its_form(client, tenant) -> None:
    secret = await make_token(tenant)
    page = await client.get(PAGE, headers=bearer(secret))
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    post = await client.post(PAGE, data={"name": "X"}, headers=bearer(secret))
    assert post.status_code in (303, 403)
