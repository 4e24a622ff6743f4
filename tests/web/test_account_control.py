"""Own passwords (change while logged in, one-time passwords) and staff control of a login."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tenant_app.models.accounts import AccountLink, User
from tenant_app.models.contacts import Contact
from tenant_app.models.scoping import tenant_scope
from tenant_app.services.tenants import create_tenant
from tests.conftest import ADMIN_PASSWORD, CUSTOMER_PASSWORD, link_in, make_customer

NEW = "Wolkenkratzer-Blau-7"
CHANGE = "/account/password"


async def _hash_of(tenant, user_id: int) -> str | None:
    with tenant_scope(tenant.tenant.id):
        return (await User.get(id=user_id)).password_hash


async def _change(client, current: str, new: str, repeat: str | None = None):
    fields = {"current_password": current, "password": new, "password2": repeat or new}
    return await client.submit(CHANGE, fields)


async def test_staff_change_their_password_and_other_sessions_end(client_for, tenant) -> None:
    here, elsewhere = client_for(tenant.hostname), client_for(tenant.hostname)
    await here.log_in("alpha-admin")
    await elsewhere.log_in("alpha-admin")
    staff_home = await here.get("/staff")
    assert f'href="{CHANGE}"' in staff_home.text  # in the user menu of every staff page

    done = await _change(here, ADMIN_PASSWORD, NEW)
    assert done.status_code == 303
    page = await here.get(done.headers["location"])
    assert 'id="password-changed"' in page.text and "Andere Sitzungen" in page.text
    assert (await here.get("/staff")).status_code == 200  # this session goes on
    assert (await elsewhere.get("/staff")).status_code == 303  # the other one has ended

    fresh = client_for(tenant.hostname)
    refused = await fresh.submit(
        "/login", {"identifier": "alpha-admin", "password": ADMIN_PASSWORD}
    )
    assert refused.status_code == 401
    await fresh.log_in("alpha-admin", NEW)


@pytest.mark.parametrize(
    ("current", "new", "repeat", "field", "message"),
    [
        ("wrong password!", NEW, NEW, "current_password", "nicht korrekt"),
        ("", NEW, NEW, "current_password", "aktuelle Passwort eingeben"),
        (ADMIN_PASSWORD, "aaaaaaaaaa", None, "password", "zu einfach"),
        (ADMIN_PASSWORD, "Clara-Chef-2026", None, "password", "weder den Namen"),
        (ADMIN_PASSWORD, ADMIN_PASSWORD, None, "password", "vom aktuellen unterscheiden"),
        (ADMIN_PASSWORD, NEW, NEW + "x", "password2", "nicht überein"),
    ],
)
async def test_a_refused_change_says_why_next_to_the_field_and_changes_nothing(
    client_for, tenant, current, new, repeat, field, message
) -> None:
    here, elsewhere = client_for(tenant.hostname), client_for(tenant.hostname)
    await here.log_in("alpha-admin")
    await elsewhere.log_in("alpha-admin")
    before = await _hash_of(tenant, tenant.admin.id)
    response = await _change(here, current, new, repeat)
    assert response.status_code == 422
    assert f'id="f-{field}-error"' in response.text and message in response.text
    password_inputs = re.findall(r'<input[^>]*type="password"[^>]*>', response.text)
    assert len(password_inputs) == 3
    assert not [tag for tag in password_inputs if "value=" in tag]  # passwords never echoed
    assert await _hash_of(tenant, tenant.admin.id) == before
    assert (await elsewhere.get("/staff")).status_code == 200  # nobody was logged out


async def test_guessing_the_current_password_is_limited(client_for, tenant) -> None:
    here = client_for(tenant.hostname)
    await here.log_in("alpha-admin")
    before = await _hash_of(tenant, tenant.admin.id)
    for _ in range(5):
        assert (await _change(here, "wrong password!", NEW)).status_code == 422
    stopped = await _change(here, ADMIN_PASSWORD, NEW)
    assert stopped.status_code == 422 and "Zu viele Versuche" in stopped.text
    assert await _hash_of(tenant, tenant.admin.id) == before


@pytest.mark.parametrize("profile_visible", [False, True])
async def test_customers_change_their_password_from_the_profile(
    client_for, tenant, passwords, profile_visible
) -> None:
    await make_customer(tenant, passwords, profile_visible=profile_visible)
    customer, other_phone = client_for(tenant.hostname), client_for(tenant.hostname)
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    await other_phone.log_in("kai", CUSTOMER_PASSWORD)
    portal = await customer.get("/portal")
    assert 'href="/portal/profile"' in portal.text  # the password is always theirs
    profile = await customer.get("/portal/profile")
    assert profile.status_code == 200 and f'href="{CHANGE}"' in profile.text
    form = await customer.get(CHANGE)
    assert form.status_code == 200 and 'name="current_password"' in form.text
    assert 'href="/staff' not in form.text  # the portal's layout, not the staff's

    wrong = await _change(customer, "Falsches-Passwort-1", NEW)
    assert wrong.status_code == 422 and 'id="f-current_password-error"' in wrong.text
    done = await _change(customer, CUSTOMER_PASSWORD, NEW)
    assert done.status_code == 303
    assert (await customer.get("/portal")).status_code == 200
    assert (await other_phone.get("/portal")).status_code == 303
    await client_for(tenant.hostname).log_in("kai", NEW)


async def test_a_one_time_admin_password_must_be_changed_first(client_for, passwords) -> None:
    created = await create_tenant(  # as `tenant-app tenant create` does
        passwords,
        slug="gamma",
        name="Gamma Makler",
        base_domain="localhost",
        admin_email="chefin@gamma.example",
        admin_first_name="Greta",
        admin_last_name="Gamma",
    )
    admin = client_for(created.hostname)
    login = await admin.log_in(created.admin.username, created.admin_password)
    assert login.headers["location"] == CHANGE
    for path in ("/staff", "/staff/contacts", "/staff/users", "/staff/settings", "/"):
        response = await admin.get(path)
        assert response.status_code == 303
        assert response.headers["location"] in (CHANGE, "/staff"), path
    fragment = await admin.get("/staff/contacts", headers={"HX-Request": "true"})
    assert fragment.headers.get("hx-redirect") == CHANGE
    page = await admin.get(CHANGE)
    assert page.status_code == 200 and 'id="password-change-required"' in page.text
    assert "hx-get" not in page.text  # no badge polling that would lead back here for ever
    assert (await admin.get("/static/css/app.css")).status_code == 200

    same = await _change(admin, created.admin_password, created.admin_password)
    assert same.status_code == 422  # the one-time password cannot simply be kept
    done = await _change(admin, created.admin_password, NEW)
    assert done.status_code == 303
    assert (await admin.get("/staff")).status_code == 200
    with tenant_scope(created.tenant.id):
        assert not (await User.get(id=created.admin.id)).must_change_password

    other = client_for(created.hostname)
    await other.log_in(created.admin.username, NEW)
    logout = await other.submit("/logout", form_page="/staff")
    assert logout.status_code == 303


async def test_logout_stays_reachable_before_the_change(client_for, passwords) -> None:
    created = await create_tenant(
        passwords,
        slug="delta",
        name="Delta Makler",
        base_domain="localhost",
        admin_email="chef@delta.example",
    )
    admin = client_for(created.hostname)
    await admin.log_in(created.admin.username, created.admin_password)
    response = await admin.submit("/logout", form_page=CHANGE)
    assert response.status_code == 303
    assert (await admin.get(CHANGE)).status_code == 303  # logged out: to the login


async def _customer_contact(tenant, passwords) -> Contact:
    contact = await make_customer(tenant, passwords, communication=True)
    with tenant_scope(tenant.tenant.id):  # the PIN of a reset link
        await User.filter(contact_id=contact.id).update(birthdate=contact.birthdate)
    return contact


async def test_staff_deactivate_and_reactivate_a_customer_login(
    client, client_for, tenant, passwords, deliver
) -> None:
    contact = await _customer_contact(tenant, passwords)
    customer = client_for(tenant.hostname)
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    await client_for(tenant.hostname).submit("/passwort-vergessen", {"identifier": "kai"})
    reset_path = urlsplit(link_in((await deliver())[-1])).path

    await client.log_in("alpha-admin")
    page = f"/staff/contacts/{contact.id}"
    card = await client.get(page)
    last_login = card.text.split('id="last-login">')[1].split("<")[0]
    assert "Letzte Anmeldung" in last_login and "noch nie" not in last_login
    off = await client.submit(f"{page}/login/deactivate", form_page=page)
    assert off.status_code == 303
    card = await client.get(off.headers["location"])
    assert 'id="account-state">Anmeldung deaktiviert<' in card.text
    assert "Anmeldung wieder freigeben" in card.text

    assert (await customer.get("/portal")).status_code == 303  # the session ended at once
    refused = await client_for(tenant.hostname).submit(
        "/login", {"identifier": "kai", "password": CUSTOMER_PASSWORD}
    )
    assert refused.status_code == 401
    assert "Benutzername/die E-Mail-Adresse oder das Passwort" in refused.text  # says no more
    assert (await client_for(tenant.hostname).get(reset_path)).status_code == 404  # revoked
    with tenant_scope(tenant.tenant.id):
        assert await Contact.exists(id=contact.id)  # nothing erased
        assert not await AccountLink.filter(revoked_at=None, used_at=None).exists()

    on = await client.submit(f"{page}/login/activate", form_page=page)
    assert on.status_code == 303
    assert 'id="account-state">Aktiv<' in (await client.get(page)).text
    await client_for(tenant.hostname).log_in("kai", CUSTOMER_PASSWORD)


async def test_only_who_manages_contacts_may_lock_a_login(client_for, tenant, passwords) -> None:
    contact = await _customer_contact(tenant, passwords)
    with tenant_scope(tenant.tenant.id):
        await User.create(
            kind="staff",
            username="sina.staff",
            email="sina@alpha.example",
            first_name="Sina",
            last_name="Staff",
            sees_all_contacts=True,
            password_hash=await passwords.hash(ADMIN_PASSWORD),
        )
    colleague = client_for(tenant.hostname)
    await colleague.log_in("sina.staff")
    page = f"/staff/contacts/{contact.id}"
    assert "Anmeldung deaktivieren" not in (await colleague.get(page)).text
    response = await colleague.submit(f"{page}/login/deactivate", form_page=page)
    assert response.status_code == 403
    with tenant_scope(tenant.tenant.id):
        assert (await User.get(username="kai")).is_active


async def test_last_login_shows_in_the_user_list(client, tenant) -> None:
    await client.log_in("alpha-admin")
    users = await client.get("/staff/users")
    cell = users.text.split(f'id="last-login-{tenant.admin.id}">')[1].split("<")[0]
    assert cell.strip() and "noch nie" not in cell


async def test_the_account_card_says_when_the_registration_mail_went_out(
    client, tenant, deliver
) -> None:
    await client.log_in("alpha-admin")
    await client.submit(
        "/staff/contacts",
        {
            "first_name": "Jana",
            "last_name": "Jäger",
            "birthdate": "07.11.1979",
            "email": "jana@kunde.example",
        },
        form_page="/staff/contacts/new",
    )
    with tenant_scope(tenant.tenant.id):
        contact_id = (await Contact.get(email="jana@kunde.example")).id
    page = f"/staff/contacts/{contact_id}"
    await client.submit(f"{page}/account", form_page=page)
    before = await client.get(page)
    assert "Registrierungsmail verschicken" in before.text
    assert 'id="registration-sent"' not in before.text
    await client.submit(f"{page}/registration-mail", form_page=page)
    after = await client.get(page)
    assert 'id="registration-sent">Registrierungsmail verschickt am ' in after.text
    assert "Erneut senden" in after.text
    assert "Registrierungsmail verschicken" not in after.text
    assert "dann die Registrierungsmail" not in after.text  # no more "send it first" hint
