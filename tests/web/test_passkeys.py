"""Passkeys over HTTP, with a software authenticator in place of the browser's: register,
list, rename, remove; log in without a password or confirm a password with one; a challenge
works once; another user's or tenant's passkey is not found; failures are rate-limited."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from webauthn.helpers import base64url_to_bytes

from tenant_app.models.accounts import LoginRecord, User
from tenant_app.models.factors import Passkey, RecoveryCode
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant
from tenant_app.services import passkeys
from tenant_app.tenancy import tenant_cache
from tests.conftest import ADMIN_PASSWORD, CUSTOMER_PASSWORD, make_customer
from tests.web.test_tickets import make_staff
from tests.webauthn_authenticator import SoftAuthenticator

SECURITY = "/account/security"
CODE_RE = re.compile(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>")


async def post_json(
    client: Any, path: str, body: dict[str, Any], *, page: str = SECURITY
) -> httpx.Response:
    """A same-origin fetch of static/js/passkeys.js: JSON, the page's token in the header."""
    token = await client.csrf(page)
    headers = {"Origin": f"http://{client.host}", "X-CSRF-Token": token}
    return await client.post(path, json=body, headers=headers)


async def add_passkey(
    client: Any,
    device: SoftAuthenticator,
    name: str = "Laptop",
    *,
    password: str = CUSTOMER_PASSWORD,
) -> Any:
    """As static/js/passkeys.js does it: name and current password, then the device's key."""
    body = {"name": name, "current_password": password}
    options = await post_json(client, "/account/passkeys/options", body)
    assert options.status_code == 200, options.text
    credential = device.create(options.json()["publicKey"])
    return await post_json(client, "/account/passkeys", {"credential": credential})


async def passwordless(
    client: Any, device: SoftAuthenticator, *, next_path: str = "", **get: Any
) -> httpx.Response:
    options = await post_json(client, "/login/passkey/options", {}, page="/login")
    assert options.status_code == 200, options.text
    credential = device.get(options.json()["publicKey"], **get)
    body = {"credential": credential, "next": next_path}
    return await post_json(client, "/login/passkey", body, page="/login")


@pytest.fixture
async def kai(tenant, passwords, client_for) -> Any:
    """A customer logged in, with a device that can hold passkeys."""
    await make_customer(tenant, passwords, profile_visible=True)
    client = client_for(tenant.hostname)
    await client.log_in("kai", CUSTOMER_PASSWORD)
    client.device = SoftAuthenticator(f"http://{tenant.hostname}")
    return client


async def _kai_user(tenant) -> User:
    with tenant_scope(tenant.tenant.id):
        return await User.get(username="kai")


async def test_the_first_passkey_brings_recovery_codes_shown_once(kai, tenant) -> None:
    added = await add_passkey(kai, kai.device, "Laptop")
    assert added.status_code == 200
    html = added.json()["html"]
    assert 'id="passkey-added"' in html and "Laptop" in html
    codes = CODE_RE.findall(html)
    assert len(codes) == 10
    user = await _kai_user(tenant)
    assert user.has_second_factor
    second = await add_passkey(kai, SoftAuthenticator(kai.device.origin), "Telefon")
    assert second.status_code == 200 and CODE_RE.findall(second.json()["html"]) == []
    page = (await kai.get(SECURITY)).text
    assert "Laptop" in page and "Telefon" in page and CODE_RE.findall(page) == []
    with tenant_scope(tenant.tenant.id):
        assert await RecoveryCode.filter(user_id=user.id).count() == 10
        stored = await Passkey.filter(user_id=user.id).order_by("id")
    assert [p.name for p in stored] == ["Laptop", "Telefon"]
    assert stored[0].transports == "internal" and stored[0].last_used_at is None


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Bitte dem Passkey einen Namen geben."),
        ("   ", "Bitte dem Passkey einen Namen geben."),
        ("x" * 81, "Bitte höchstens 80 Zeichen eingeben."),
        ("Laptop\x07", "Ungültige Eingabe."),
    ],
)
async def test_a_passkey_needs_a_name_of_at_most_80_characters(kai, name, message) -> None:
    body = {"name": name, "current_password": CUSTOMER_PASSWORD}
    response = await post_json(kai, "/account/passkeys/options", body)
    assert response.status_code == 422
    assert response.json() == {"error": "invalid", "errors": {"name": message}}


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"name": "Laptop"}, {"current_password": "Bitte das aktuelle Passwort eingeben."}),
        (
            {"name": "Laptop", "current_password": "falsch"},
            {"current_password": "Das aktuelle Passwort ist nicht korrekt."},
        ),
        (
            {"name": "", "current_password": ""},
            {
                "name": "Bitte dem Passkey einen Namen geben.",
                "current_password": "Bitte das aktuelle Passwort eingeben.",
            },
        ),
    ],
)
async def test_adding_a_passkey_needs_the_current_password(kai, tenant, body, errors) -> None:
    """A session alone cannot give itself a way in that outlives a new password: without the
    password there is no challenge to answer, and nothing is stored."""
    response = await post_json(kai, "/account/passkeys/options", body)
    assert response.status_code == 422
    assert response.json() == {"error": "invalid", "errors": errors}
    assert "passkey" not in response.cookies
    with tenant_scope(tenant.tenant.id):
        assert not await Passkey.exists()


@pytest.mark.parametrize(
    "body", [b"{", b"[" * 5000 + b"]" * 5000, b"[]", b'{"name": 7}', b"x" * 70_000]
)
async def test_a_malformed_request_is_refused(kai, body) -> None:
    token = await kai.csrf(SECURITY)
    headers = {"Origin": f"http://{kai.host}", "X-CSRF-Token": token}
    headers["Content-Type"] = "application/json"
    response = await kai.post("/account/passkeys/options", content=body, headers=headers)
    assert response.status_code in (400, 413)


async def test_a_request_without_the_token_is_refused(kai) -> None:
    headers = {"Origin": f"http://{kai.host}"}
    body = {"name": "x", "current_password": CUSTOMER_PASSWORD}
    response = await kai.post("/account/passkeys/options", json=body, headers=headers)
    assert response.status_code == 403


async def test_a_name_is_tidied_and_80_characters_are_fine(kai, tenant) -> None:
    assert (await add_passkey(kai, kai.device, "  Büro  " + "x" * 74)).status_code == 200
    with tenant_scope(tenant.tenant.id):
        assert (await Passkey.get()).name == "Büro " + "x" * 74


async def test_rename_and_remove_with_the_current_password(kai, tenant) -> None:
    await add_passkey(kai, kai.device, "Laptop")
    with tenant_scope(tenant.tenant.id):
        passkey = await Passkey.get()
    path = f"/account/passkeys/{passkey.id}"
    empty = await kai.submit(f"{path}/name", {"name": " "}, form_page=SECURITY)
    assert empty.status_code == 422 and "Bitte dem Passkey einen Namen geben." in empty.text
    renamed = await kai.submit(f"{path}/name", {"name": "Arbeitslaptop"}, form_page=SECURITY)
    assert renamed.status_code == 303
    assert "Der Passkey wurde umbenannt." in (await kai.get(renamed.headers["location"])).text
    wrong = await kai.submit(f"{path}/delete", {"current_password": "falsch"}, form_page=SECURITY)
    assert wrong.status_code == 422 and "Das aktuelle Passwort ist nicht korrekt." in wrong.text
    assert 'id="passkey-password-' in wrong.text and "Arbeitslaptop" in wrong.text
    removed = await kai.submit(
        f"{path}/delete", {"current_password": CUSTOMER_PASSWORD}, form_page=SECURITY
    )
    assert removed.status_code == 303
    page = (await kai.get(removed.headers["location"])).text
    assert "Der Passkey wurde entfernt." in page and 'id="no-passkeys"' in page
    user = await _kai_user(tenant)
    assert not user.has_second_factor
    with tenant_scope(tenant.tenant.id):  # they stood in for the factor that is gone
        assert not await RecoveryCode.filter(user_id=user.id).exists()


async def test_another_users_or_tenants_passkey_is_not_found(
    kai, tenant, other_tenant, passwords, client_for
) -> None:
    await add_passkey(kai, kai.device)
    with tenant_scope(tenant.tenant.id):
        kais = await Passkey.get()
    await make_staff(tenant, passwords, "anna", "Anna")
    anna = client_for(tenant.hostname)
    await anna.log_in("anna")
    stranger = client_for(other_tenant.hostname)
    await stranger.log_in("beta-admin")
    for client in (anna, stranger):
        for action, data in (("name", {"name": "Meins"}), ("delete", {"current_password": ""})):
            path = f"/account/passkeys/{kais.id}/{action}"
            response = await client.submit(path, data, form_page=SECURITY)
            assert response.status_code == 404, (client.host, action)
    with tenant_scope(tenant.tenant.id):
        assert (await Passkey.get()).name == "Laptop"


async def test_log_in_without_a_password(kai, tenant, client_for) -> None:
    await add_passkey(kai, kai.device)
    browser = client_for(tenant.hostname)  # the same device, another browser session
    answer = await passwordless(browser, kai.device, next_path="/portal/profile")
    assert answer.status_code == 200 and answer.json() == {"redirect": "/portal/profile"}
    assert (await browser.get("/portal/profile")).status_code == 200
    user = await _kai_user(tenant)
    with tenant_scope(tenant.tenant.id):
        passkey = await Passkey.get()
        assert await LoginRecord.filter(user_id=user.id).count() == 2  # password, then passkey
    assert passkey.sign_count == 1 and passkey.last_used_at is not None
    row = re.search(r'<tr id="passkey-\d+">.*?</tr>', (await kai.get(SECURITY)).text, re.S)
    assert row and len(re.findall(r"\d\d\.\d\d\.\d{4}", row.group(0))) == 2  # added, used
    elsewhere = await passwordless(client_for(tenant.hostname), kai.device, next_path="//evil")
    assert elsewhere.json() == {"redirect": "/portal"}  # only paths on this host


async def test_a_passkey_confirms_a_password_login(kai, tenant, client_for, passwords) -> None:
    await add_passkey(kai, kai.device)
    browser = client_for(tenant.hostname)
    refused = await post_json(browser, "/login/second-factor/passkey/options", {}, page="/login")
    assert refused.status_code == 400 and refused.json() == {"error": "expired"}
    answer = await browser.log_in("kai", CUSTOMER_PASSWORD)
    assert answer.headers["location"] == "/login/second-factor"
    assert (await browser.get("/portal")).status_code == 303  # not logged in yet
    options = await post_json(browser, "/login/second-factor/passkey/options", {}, page="/login")
    public_key = options.json()["publicKey"]
    assert [c["id"] for c in public_key["allowCredentials"]] == list(kai.device.keys)
    credential = kai.device.get(public_key, user_verified=False)  # presence suffices here
    done = await post_json(
        browser, "/login/second-factor/passkey", {"credential": credential}, page="/login"
    )
    assert done.json() == {"redirect": "/portal"}
    assert (await browser.get("/portal")).status_code == 200


async def test_the_second_step_takes_only_the_users_own_passkey(
    kai, tenant, passwords, client_for
) -> None:
    await add_passkey(kai, kai.device)
    await make_customer(tenant, passwords, email="lea@kunde.example", first_name="Lea")
    lea = client_for(tenant.hostname)
    await lea.log_in("lea", CUSTOMER_PASSWORD)
    lea_device = SoftAuthenticator(kai.device.origin)
    await add_passkey(lea, lea_device)
    browser = client_for(tenant.hostname)
    await browser.log_in("kai", CUSTOMER_PASSWORD)
    options = await post_json(browser, "/login/second-factor/passkey/options", {}, page="/login")
    credential = lea_device.get(options.json()["publicKey"] | {"allowCredentials": []})
    refused = await post_json(
        browser, "/login/second-factor/passkey", {"credential": credential}, page="/login"
    )
    assert refused.status_code == 400 and refused.json() == {"error": "unknown"}
    assert (await browser.get("/portal")).status_code == 303


async def test_a_challenge_works_once(kai, tenant, client_for) -> None:
    await add_passkey(kai, kai.device)
    browser = client_for(tenant.hostname)
    options = await post_json(browser, "/login/passkey/options", {}, page="/login")
    cookie = browser.cookies.get("passkey")
    body = {"credential": kai.device.get(options.json()["publicKey"]), "next": ""}
    first = await post_json(browser, "/login/passkey", body, page="/login")
    assert first.status_code == 200
    replay = client_for(tenant.hostname)  # the captured cookie and response, sent again
    replay.cookies.set("passkey", cookie, domain=tenant.hostname)
    again = await post_json(replay, "/login/passkey", body, page="/login")
    assert again.status_code == 400 and again.json() == {"error": "expired"}
    assert (await replay.get("/portal")).status_code == 303
    missing = await post_json(client_for(tenant.hostname), "/login/passkey", body, page="/login")
    assert missing.json() == {"error": "expired"}


async def test_a_registration_challenge_works_once_and_for_its_user(kai, tenant) -> None:
    body = {"name": "Laptop", "current_password": CUSTOMER_PASSWORD}
    options = await post_json(kai, "/account/passkeys/options", body)
    credential = kai.device.create(options.json()["publicKey"])
    cookie = kai.cookies.get("passkey")
    assert (await post_json(kai, "/account/passkeys", {"credential": credential})).is_success
    kai.cookies.set("passkey", cookie, domain=tenant.hostname)
    again = await post_json(kai, "/account/passkeys", {"credential": credential})
    assert again.status_code == 400 and again.json() == {"error": "expired"}
    with tenant_scope(tenant.tenant.id):
        assert await Passkey.all().count() == 1


async def test_a_passkey_registered_twice_is_refused(kai, tenant) -> None:
    await add_passkey(kai, kai.device)
    [registered] = list(kai.device.keys)
    body = {"name": "Nochmal", "current_password": CUSTOMER_PASSWORD}
    options = await post_json(kai, "/account/passkeys/options", body)
    public_key = options.json()["publicKey"]
    assert [c["id"] for c in public_key["excludeCredentials"]] == [registered]
    credential = kai.device.create(public_key, credential_id=base64url_to_bytes(registered))
    again = await post_json(kai, "/account/passkeys", {"credential": credential})
    assert again.status_code == 400 and again.json() == {"error": "exists"}
    with tenant_scope(tenant.tenant.id):
        assert await Passkey.all().count() == 1


async def test_a_counter_that_went_backwards_is_refused(kai, tenant, client_for) -> None:
    await add_passkey(kai, kai.device)
    assert (await passwordless(client_for(tenant.hostname), kai.device, sign_count=5)).is_success
    cloned = await passwordless(client_for(tenant.hostname), kai.device, sign_count=3)
    assert cloned.status_code == 400 and cloned.json() == {"error": "failed"}
    with tenant_scope(tenant.tenant.id):
        assert (await Passkey.get()).sign_count == 5


async def test_a_passkey_of_another_tenant_is_unknown_here(
    kai, tenant, other_tenant, client_for
) -> None:
    await add_passkey(kai, kai.device)
    there = SoftAuthenticator(f"http://{other_tenant.hostname}")
    there.keys = kai.device.keys  # the same device, on the other firm's host
    refused = await passwordless(client_for(other_tenant.hostname), there)
    assert refused.status_code == 400 and refused.json() == {"error": "unknown"}
    wrong_host = await passwordless(
        client_for(tenant.hostname), kai.device, origin=f"http://{other_tenant.hostname}"
    )
    assert wrong_host.json() == {"error": "failed"}


async def test_a_deactivated_login_cannot_use_its_passkey(kai, tenant, client_for) -> None:
    await add_passkey(kai, kai.device)
    with tenant_scope(tenant.tenant.id):
        await User.filter(username="kai").update(is_active=False)
    refused = await passwordless(client_for(tenant.hostname), kai.device)
    assert refused.json() == {"error": "failed"}


async def test_failed_passkey_logins_are_limited_per_client(kai, tenant, client_for) -> None:
    await add_passkey(kai, kai.device)
    browser = client_for(tenant.hostname)
    garbage = {"credential": {"id": "x"}, "next": ""}
    for _ in range(passkeys.PER_CLIENT.attempts):
        answer = await post_json(browser, "/login/passkey", garbage, page="/login")
        assert answer.status_code == 400
    throttled = await passwordless(browser, kai.device)
    assert throttled.status_code == 429 and throttled.json() == {"error": "throttled"}


async def test_staff_cannot_remove_their_last_factor_while_the_firm_requires_one(
    tenant, client
) -> None:
    await client.log_in("alpha-admin")
    device = SoftAuthenticator(f"http://{tenant.hostname}")
    assert (await add_passkey(client, device, password=ADMIN_PASSWORD)).is_success
    await Tenant.filter(id=tenant.tenant.id).update(staff_2fa_required_at=datetime.now(UTC))
    tenant_cache.invalidate()
    with tenant_scope(tenant.tenant.id):
        passkey = await Passkey.get()
    refused = await client.submit(
        f"/account/passkeys/{passkey.id}/delete",
        {"current_password": ADMIN_PASSWORD},
        form_page=SECURITY,
    )
    assert refused.status_code == 422 and "zweiten Faktor" in refused.text
    second = SoftAuthenticator(device.origin)
    assert (await add_passkey(client, second, "Zweiter", password=ADMIN_PASSWORD)).is_success
    removed = await client.submit(
        f"/account/passkeys/{passkey.id}/delete",
        {"current_password": ADMIN_PASSWORD},
        form_page=SECURITY,
    )
    assert removed.status_code == 303


async def test_the_pages_offer_passkeys_to_scripts_only(client, kai) -> None:
    login = (await client.get("/login")).text
    assert 'id="passkey-login" hidden' in login and 'data-options-url="/login/passkey/options"' in (
        login
    )
    assert "<script>" not in login  # the CSP allows no inline script
    page = (await kai.get(SECURITY)).text
    assert 'id="passkey-add-wrap" hidden' in page and 'id="no-passkeys"' in page
    assert 'data-msg-cancelled="' in page
    form = page.split('id="passkey-add"')[1].split("</form>")[0]
    assert '<label for="passkey-new-password">Aktuelles Passwort</label>' in form
    assert 'name="current_password" type="password"' in form
    assert 'data-passkey-field-error="current_password"' in form
