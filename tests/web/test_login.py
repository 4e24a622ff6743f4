"""Staff login and logout, sessions bound to one tenant, rate limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tenant_app.models.accounts import Session, User
from tenant_app.models.scoping import tenant_scope
from tenant_app.security import ratelimit
from tests.conftest import ADMIN_PASSWORD

WRONG = "Der Benutzername/die E-Mail-Adresse oder das Passwort ist nicht korrekt."


async def test_admin_logs_in_by_username_and_sees_the_staff_area(client) -> None:
    response = await client.log_in("alpha-admin")
    assert response.headers["location"] == "/staff"
    page = await client.get("/staff")
    assert page.status_code == 200
    assert "Willkommen, Clara" in page.text
    assert "--brand-primary" not in page.text  # colours come from the stylesheet, not inline
    assert 'href="/brand.css?v=' in page.text


async def test_login_by_email_in_any_case(client) -> None:
    await client.log_in("Chef@Alpha.Example")
    assert (await client.get("/staff")).status_code == 200


@pytest.mark.parametrize("identifier", ["alpha-admin", "nobody", "nobody@alpha.example"])
async def test_wrong_credentials_give_one_message_for_all(client, identifier) -> None:
    response = await client.submit(
        "/login", {"identifier": identifier, "password": "wrong password!"}
    )
    assert response.status_code == 401
    assert WRONG in response.text
    assert f'value="{identifier}"' in response.text  # what the user typed stays


async def test_empty_fields_are_marked_next_to_the_field(client) -> None:
    response = await client.submit("/login", {"identifier": "", "password": ""})
    assert response.status_code == 422
    assert 'id="identifier-error"' in response.text
    assert 'id="password-error"' in response.text


async def test_repeated_field_is_rejected(client) -> None:
    token = await client.csrf()
    response = await client.post(
        "/login",
        content=f"csrf_token={token}&identifier=a&identifier=b&password=x",
        headers={
            "Origin": "http://alpha.localhost",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert response.status_code == 422


async def test_staff_area_requires_login(client) -> None:
    response = await client.get("/staff")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fstaff"


async def test_next_only_redirects_to_a_local_path(client) -> None:
    response = await client.submit(
        "/login", {"identifier": "alpha-admin", "password": ADMIN_PASSWORD, "next": "/staff?tab=1"}
    )
    assert response.headers["location"] == "/staff?tab=1"


# (a NUL never gets this far: the edge refuses the whole form, see test_edge_abuse.py)
@pytest.mark.parametrize(
    "target", ["//evil.test/x", "https://evil.test/", "/\\evil.test", "evil", "/\x01x"]
)
async def test_next_to_another_host_is_ignored(client, target) -> None:
    response = await client.submit(
        "/login", {"identifier": "alpha-admin", "password": ADMIN_PASSWORD, "next": target}
    )
    assert response.headers["location"] == "/staff"


async def test_logout_ends_the_session_for_real(client) -> None:
    await client.log_in("alpha-admin")
    stolen = dict(client.cookies)
    response = await client.submit("/logout", form_page="/staff")
    assert response.status_code == 303
    assert (await client.get("/staff")).status_code == 303
    client.cookies.clear()
    client.cookies.update(stolen)  # replaying the old cookie after logout
    assert (await client.get("/staff")).status_code == 303


async def test_login_issues_a_new_session_each_time(client_for, tenant) -> None:
    first, second = client_for(tenant.hostname), client_for(tenant.hostname)
    first.cookies.set("session", "planted-by-attacker", domain=tenant.hostname)
    await first.log_in("alpha-admin")
    await second.log_in("alpha-admin")
    assert first.cookies.get("session") not in (None, "planted-by-attacker")
    assert first.cookies.get("session") != second.cookies.get("session")
    with tenant_scope(tenant.tenant.id):
        assert await Session.filter(user_id=tenant.admin.id).count() == 2


async def test_session_cookie_is_worthless_on_another_tenant(
    client_for, tenant, other_tenant
) -> None:
    alpha = client_for(tenant.hostname)
    await alpha.log_in("alpha-admin")
    beta = client_for(other_tenant.hostname)
    beta.cookies.set("session", alpha.cookies.get("session"))
    response = await beta.get("/staff")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


async def test_session_cookie_attributes(client) -> None:
    response = await client.log_in("alpha-admin")
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie
    assert "Domain" not in cookie


async def test_deactivated_user_is_logged_out(client, tenant) -> None:
    await client.log_in("alpha-admin")
    with tenant_scope(tenant.tenant.id):
        await User.filter(id=tenant.admin.id).update(is_active=False)
    assert (await client.get("/staff")).status_code == 303
    response = await client.submit(
        "/login", {"identifier": "alpha-admin", "password": ADMIN_PASSWORD}
    )
    assert response.status_code == 401


async def test_idle_session_expires(client, tenant) -> None:
    await client.log_in("alpha-admin")
    with tenant_scope(tenant.tenant.id):
        await Session.filter(user_id=tenant.admin.id).update(
            last_seen_at=datetime.now(UTC) - timedelta(hours=2)
        )
    assert (await client.get("/staff")).status_code == 303
    with tenant_scope(tenant.tenant.id):
        assert await Session.filter(user_id=tenant.admin.id).count() == 0


async def test_absolute_session_lifetime(client, tenant) -> None:
    await client.log_in("alpha-admin")
    with tenant_scope(tenant.tenant.id):
        await Session.filter(user_id=tenant.admin.id).update(
            created_at=datetime.now(UTC) - timedelta(days=2)
        )
    assert (await client.get("/staff")).status_code == 303


async def test_login_is_rate_limited_per_account(client) -> None:
    limit = ratelimit.LOGIN_PER_ACCOUNT.attempts
    for _ in range(limit):
        response = await client.submit(
            "/login", {"identifier": "alpha-admin", "password": "nope nope"}
        )
        assert response.status_code == 401
    response = await client.submit(
        "/login", {"identifier": "alpha-admin", "password": ADMIN_PASSWORD}
    )
    assert response.status_code == 429
    assert "Zu viele Anmeldeversuche" in response.text


async def test_login_is_rate_limited_per_client(client) -> None:
    for number in range(ratelimit.LOGIN_PER_CLIENT.attempts):
        await client.submit("/login", {"identifier": f"user{number}", "password": "nope nope"})
    response = await client.submit(
        "/login", {"identifier": "alpha-admin", "password": ADMIN_PASSWORD}
    )
    assert response.status_code == 429


async def test_english_when_the_browser_asks(client) -> None:
    page = await client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert "Log in" in page.text
    assert '<html lang="en">' in page.text
    german = await client.get("/login", headers={"Accept-Language": "de-DE"})
    assert "Anmelden" in german.text


async def test_users_choose_their_language_for_pages(client) -> None:
    await client.log_in("alpha-admin")
    assert "Willkommen, Clara" in (await client.get("/staff")).text
    response = await client.submit(
        "/account/language",
        {"language": "en"},
        form_page="/staff",
        headers={"Referer": "http://alpha.localhost/staff"},
    )
    assert response.status_code == 303 and response.headers["location"] == "/staff"
    page = await client.get("/staff", headers={"Accept-Language": "de-DE"})
    assert "Welcome, Clara" in page.text  # the user's choice wins over the browser's
    bad = await client.submit("/account/language", {"language": "xx"}, form_page="/staff")
    assert bad.status_code == 400
