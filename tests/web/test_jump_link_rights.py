"""Who a jump-in link may log in, and who may ask for one (issue 18's review): links have their
own scope (`jump_links:write`, not `cases:write`); no link is made for, nor logs in, anyone who
administers the tenant (an admin, staff who manage users or settings); a link stops working
the moment the token that asked for it is revoked or expires."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest

from tenant_app.models.accounts import LoginRecord, Session, User
from tenant_app.models.contacts import ContactResponsible
from tenant_app.models.integration import ApiToken, JumpLink
from tenant_app.models.scoping import tenant_scope
from tenant_app.services import api_tokens
from tests.api_helpers import bearer, field_messages, make_token, problem_of
from tests.case_helpers import actor, in_tenant, open_case, staff_member
from tests.conftest import make_customer

LINKS = "/api/v1/jump-links"
DE = {"Accept-Language": "de"}
ONLY_ADVISERS = "nur für Mitarbeitende, die Vorgänge bearbeiten"


@pytest.fixture
async def scene(tenant: Any, passwords: Any) -> Any:
    """Kai's case, and Anna, the adviser responsible for Kai."""
    kai = await make_customer(tenant, passwords)
    anna = await staff_member(tenant, passwords, "anna", access_insurance="write")
    with tenant_scope(tenant.tenant.id):
        await ContactResponsible.create(contact_id=kai.id, user_id=anna.id)
    case = await open_case(tenant, kai)
    return anna, case


async def _ask(client: Any, secret: str, username: str, case_id: int) -> Any:
    body = {"username": username, "case_id": case_id}
    return await client.post(LINKS, json=body, headers=bearer(secret, **DE))


async def _links(tenant: Any) -> int:
    with tenant_scope(tenant.tenant.id):
        return await JumpLink.all().count()


async def _logins(tenant: Any, user_id: int) -> tuple[int, int]:
    with tenant_scope(tenant.tenant.id):
        sessions = await Session.filter(user_id=user_id).count()
        return sessions, await LoginRecord.filter(user_id=user_id).count()


def _session_cookie(response: Any) -> bool:
    return any(c.startswith("session=") for c in response.headers.get_list("set-cookie"))


async def test_a_cases_token_may_not_ask_for_links_but_a_jump_links_token_may(
    client_for, tenant, scene
) -> None:
    anna, case = scene
    api = client_for(tenant.hostname)
    cases_only = await make_token(tenant, ["cases:write"], name="Nur Vorgänge")
    refused = problem_of(await _ask(api, cases_only, "anna", case.id), 403)
    assert "jump_links:write" in refused["detail"]
    reader = await make_token(tenant, ["jump_links:read"], name="Nur lesen")
    problem_of(await _ask(api, reader, "anna", case.id), 403)
    assert await _links(tenant) == 0

    linker = await make_token(tenant, ["jump_links:write"], name="Absprung")
    made = await _ask(api, linker, "anna", case.id)
    assert made.status_code == 201, made.text
    browser = client_for(tenant.hostname)
    opened = await browser.get(urlsplit(made.json()["url"]).path)
    assert opened.status_code == 303 and opened.headers["location"] == f"/staff/cases/{case.id}"
    assert (await browser.get(opened.headers["location"])).status_code == 200
    assert await _logins(tenant, anna.id) == (1, 1)


@pytest.mark.parametrize(
    ("username", "rights"),
    [
        ("alpha-admin", {}),  # the tenant's admin
        ("sina", {"manages_settings": True, "sees_all_contacts": True}),
        ("uwe", {"manages_users": True, "sees_all_contacts": True}),
    ],
)
async def test_no_link_is_made_for_who_administers_the_tenant(
    client_for, tenant, passwords, scene, username: str, rights: dict[str, Any]
) -> None:
    _anna, case = scene
    if rights:  # sees the contact, writes in its folder: only the administering right is wrong
        await staff_member(tenant, passwords, username, access_insurance="write", **rights)
    secret = await make_token(tenant, ["jump_links:write"])
    api = client_for(tenant.hostname)
    answer = await _ask(api, secret, username, case.id)
    assert ONLY_ADVISERS in field_messages(answer)["user_id"]
    with tenant_scope(tenant.tenant.id):
        user = await User.get(username=username)
    by_id = await api.post(
        LINKS, json={"user_id": user.id, "case_id": case.id}, headers=bearer(secret)
    )
    assert "user_id" in field_messages(by_id)
    assert await _links(tenant) == 0


async def test_the_admin_gets_no_link_from_the_use_case_either(tenant, settings, scene) -> None:
    from tenant_app.errors import ValidationFailed
    from tenant_app.services import jump_links

    _anna, case = scene
    async with in_tenant(tenant):
        admin = await actor("alpha-admin")
        with pytest.raises(ValidationFailed) as refused:
            await jump_links.create_jump_link(
                admin, settings=settings, user_id=admin.id, target_id=case.id
            )
    assert "user_id" in refused.value.errors
    assert await _links(tenant) == 0


async def _link(client_for: Any, tenant: Any, secret: str, case_id: int) -> str:
    made = await _ask(client_for(tenant.hostname), secret, "anna", case_id)
    assert made.status_code == 201, made.text
    return urlsplit(made.json()["url"]).path


async def _refused(client_for: Any, tenant: Any, path: str) -> None:
    """The link's page says no, logs nobody in, and the link is spent."""
    answer = await client_for(tenant.hostname).get(path)
    assert answer.status_code == 403 and 'id="jump-problem"' in answer.text
    assert "keine Anmeldung möglich" in html.unescape(answer.text)
    assert not _session_cookie(answer)
    assert (await client_for(tenant.hostname).get(path)).status_code == 410


async def test_a_revoked_or_expired_tokens_links_stop_working_at_once(
    client_for, tenant, scene
) -> None:
    anna, case = scene
    secret = await make_token(tenant, ["jump_links:write"], name="MVP")
    first = await _link(client_for, tenant, secret, case.id)
    second = await _link(client_for, tenant, secret, case.id)
    with tenant_scope(tenant.tenant.id):
        token = await ApiToken.get(name="MVP")
    async with in_tenant(tenant):
        await api_tokens.revoke_token(await actor("alpha-admin"), token.id)
    await _refused(client_for, tenant, first)
    await _refused(client_for, tenant, second)

    lapsing = await make_token(tenant, ["jump_links:write"], name="Befristet")
    path = await _link(client_for, tenant, lapsing, case.id)
    with tenant_scope(tenant.tenant.id):
        await ApiToken.filter(name="Befristet").update(
            expires_at=datetime.now(UTC) - timedelta(seconds=1)
        )
    await _refused(client_for, tenant, path)
    assert await _logins(tenant, anna.id) == (0, 0)


@pytest.mark.parametrize(
    "change", [{"manages_users": True}, {"manages_settings": True}, {"role": "admin"}]
)
async def test_a_member_who_administers_by_now_is_not_logged_in(
    client_for, tenant, scene, change: dict[str, Any]
) -> None:
    anna, case = scene
    secret = await make_token(tenant, ["jump_links:write"])
    path = await _link(client_for, tenant, secret, case.id)
    with tenant_scope(tenant.tenant.id):
        await User.filter(id=anna.id).update(**change)
    await _refused(client_for, tenant, path)
    assert await _logins(tenant, anna.id) == (0, 0)
