"""Linking the broker's own systems (API tokens, webhooks) is for administrators only (issue 18's
review): a token acts with every contact and folder, and a webhook hears of them all, so the
settings right alone, which other staff may have, must not reach them."""

from __future__ import annotations

from typing import Any

import pytest

from tenant_app.errors import PermissionDenied
from tenant_app.models.integration import ApiToken, WebhookEndpoint
from tenant_app.models.scoping import tenant_scope
from tenant_app.services import api_tokens, webhooks
from tenant_app.vocabulary import API_SCOPES
from tests.api_helpers import make_token
from tests.case_helpers import actor, in_tenant
from tests.web.test_tickets import make_staff
from tests.web.test_webhooks import register

TOKENS = "/staff/settings/api"
HOOKS = "/staff/settings/webhooks"
CARDS = ('id="api-setting"', 'id="webhooks-setting"', f'href="{TOKENS}"', f'href="{HOOKS}"')
HOOK = {"url": "https://crm.example.com/h", "event_types": ["contact.updated"], "is_active": "on"}


@pytest.fixture
async def sina(tenant: Any, passwords: Any, client_for: Any) -> Any:
    """Sina manages the settings (and users, and sees every contact), but is no admin."""
    rights = {"manages_settings": True, "manages_users": True, "sees_all_contacts": True}
    await make_staff(tenant, passwords, "sina", "Sina", **rights)
    browser = client_for(tenant.hostname)
    await browser.log_in("sina")
    return browser


async def test_the_settings_right_opens_neither_tokens_nor_webhooks(
    tenant, client_for, sina
) -> None:
    await make_token(tenant)
    admin = client_for(tenant.hostname)
    await admin.log_in("alpha-admin")
    endpoint_id, _secret = await register(admin, HOOK["url"], HOOK["event_types"])
    with tenant_scope(tenant.tenant.id):
        token = await ApiToken.get(name="BMS-Sync")
    one = f"{HOOKS}/{endpoint_id}"
    for path in (TOKENS, HOOKS, f"{HOOKS}/new", one, f"{one}/edit"):
        assert (await sina.get(path)).status_code == 403, path
    posts = {
        TOKENS: {"name": "Schatten", "scopes": list(API_SCOPES), "expires_at": ""},
        f"{TOKENS}/{token.id}/revoke": {},
        HOOKS: HOOK,
        one: HOOK,
        f"{one}/secret": {},
        f"{one}/delete": {},
    }
    for path, data in posts.items():
        assert (await sina.submit(path, data, form_page="/staff/settings")).status_code == 403, path
    with tenant_scope(tenant.tenant.id):
        assert await ApiToken.filter(revoked_at=None).count() == 1
        assert await WebhookEndpoint.all().count() == 1
    page = await sina.get("/staff/settings")  # the rest of the settings stay hers
    assert page.status_code == 200
    assert not [card for card in CARDS if card in page.text]


async def test_nor_do_the_use_cases_let_her(tenant, sina) -> None:
    async with in_tenant(tenant):
        her = await actor("sina")
        with pytest.raises(PermissionDenied):
            await api_tokens.create_token(
                her, name="Schatten", scopes=["contacts:read"], expires_at=None
            )
        with pytest.raises(PermissionDenied):
            await api_tokens.create_token_from_form(
                her, name="Schatten", scopes=["contacts:read"], expires_on=""
            )
        with pytest.raises(PermissionDenied):
            await api_tokens.tokens(her)
        with pytest.raises(PermissionDenied):
            await webhooks.create_endpoint(her, values=HOOK, allow_private=True)
        with pytest.raises(PermissionDenied):
            await webhooks.endpoints(her)
    with tenant_scope(tenant.tenant.id):
        assert not await ApiToken.exists() and not await WebhookEndpoint.exists()


async def test_the_admin_still_links_the_systems(tenant, client) -> None:
    await client.log_in("alpha-admin")
    page = await client.get("/staff/settings")
    assert all(card in page.text for card in CARDS)
    grid = await client.get(TOKENS, headers={"Accept-Language": "de"})
    assert grid.status_code == 200
    assert '<th scope="row">Absprung-Links</th>' in grid.text  # its own row in the grid
    assert 'id="scope-jump_links-write"' in grid.text
    assert (await client.get(HOOKS)).status_code == 200
    data = {"name": "Maklerverwaltung", "scopes": ["jump_links:write"], "expires_at": ""}
    made = await client.submit(TOKENS, data)
    assert made.status_code == 200 and 'id="token-secret"' in made.text
    await register(client, HOOK["url"], HOOK["event_types"])
    async with in_tenant(tenant):
        admin = await actor("alpha-admin")
        await api_tokens.create_token(admin, name="Zweites", scopes=["cases:read"], expires_at=None)
    with tenant_scope(tenant.tenant.id):
        assert [t.scopes for t in await ApiToken.all().order_by("id")] == [
            ["jump_links:write"],
            ["cases:read"],
        ]
        assert await WebhookEndpoint.all().count() == 1
