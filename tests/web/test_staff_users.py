"""The admin manages staff users; rights are checked on the server."""

from __future__ import annotations

import pytest

from tenant_app.models.accounts import User
from tenant_app.models.scoping import tenant_scope
from tests.conftest import ADMIN_PASSWORD, CUSTOMER_PASSWORD, make_customer
from tests.web.test_registration import STAFF, create_staff


async def _make_registered_staff(tenant, passwords, **rights) -> User:
    with tenant_scope(tenant.tenant.id):
        return await User.create(
            kind="staff",
            role="mitarbeiter",
            username="sina.staff",
            email="sina@alpha.example",
            first_name="Sina",
            last_name="Staff",
            password_hash=await passwords.hash(ADMIN_PASSWORD),
            **rights,
        )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"first_name": ""}, "first_name", "Pflichtfeld"),
        ({"email": "not-an-email"}, "email", "gültige E-Mail"),
        ({"email": "chef@alpha.example"}, "email", "bereits ein Konto"),
        ({"birthdate": ""}, "birthdate", "Geburtsdatum ein"),
        ({"birthdate": "31.02.1990"}, "birthdate", "gültiges Datum"),
        ({"birthdate": "2999-01-01"}, "birthdate", "Zukunft"),
        ({"role": "superuser"}, "role", "Rolle"),
    ],
)
async def test_bad_staff_input_is_refused_and_nothing_is_saved(
    client, tenant, smtp, changes, field, message
) -> None:
    await client.log_in("alpha-admin")
    response = await client.submit(
        "/staff/users", {**STAFF, **changes}, form_page="/staff/users/new"
    )
    assert response.status_code == 422
    assert f'id="f-{field}-error"' in response.text and message in response.text
    assert 'value="Böhm"' in response.text  # what was typed stays
    with tenant_scope(tenant.tenant.id):
        assert await User.filter(kind="staff").count() == 1
        from tenant_app.models.mail import OutboxMail

        assert await OutboxMail.all().count() == 0


async def test_same_email_may_exist_in_another_tenant(
    client, client_for, other_tenant, smtp
) -> None:
    await create_staff(client)
    beta = client_for(other_tenant.hostname)
    await beta.log_in("beta-admin")
    response = await beta.submit("/staff/users", STAFF, form_page="/staff/users/new")
    assert response.status_code == 303


async def test_rights_are_saved_and_shown(client, tenant, smtp) -> None:
    await create_staff(client, handles_tickets="on", access_finance="write")
    with tenant_scope(tenant.tenant.id):
        bernd = await User.get(email="bernd@alpha.example")
    assert (
        bernd.access_insurance,
        bernd.access_finance,
        bernd.handles_tickets,
        bernd.manages_users,
    ) == ("read", "write", True, False)
    page = await client.get(f"/staff/users/{bernd.id}")
    assert 'id="username">bernd.boehm<' in page.text
    assert 'name="handles_tickets" value="on" checked' in page.text


async def test_admin_edits_a_user_but_the_username_stays(client, tenant, smtp) -> None:
    await create_staff(client)
    with tenant_scope(tenant.tenant.id):
        bernd = await User.get(email="bernd@alpha.example")
    response = await client.submit(
        f"/staff/users/{bernd.id}",
        {**STAFF, "last_name": "Berger", "username": "hacker", "version": "1"},
    )
    assert response.status_code == 303
    with tenant_scope(tenant.tenant.id):
        bernd = await User.get(id=bernd.id)
    assert (bernd.last_name, bernd.username) == ("Berger", "bernd.boehm")


async def test_deactivation_ends_sessions_and_blocks_login(
    client, client_for, tenant, passwords
) -> None:
    sina = await _make_registered_staff(tenant, passwords)
    staff = client_for(tenant.hostname)
    await staff.log_in("sina.staff")
    await client.log_in("alpha-admin")
    response = await client.submit(
        f"/staff/users/{sina.id}/deactivate", form_page=f"/staff/users/{sina.id}"
    )
    assert response.status_code == 303
    assert (await staff.get("/staff")).status_code == 303
    again = await staff.submit("/login", {"identifier": "sina.staff", "password": ADMIN_PASSWORD})
    assert again.status_code == 401
    with tenant_scope(tenant.tenant.id):
        assert await User.filter(id=sina.id).exists()  # history stays
    await client.submit(f"/staff/users/{sina.id}/activate", form_page=f"/staff/users/{sina.id}")
    await staff.log_in("sina.staff")


async def test_staff_without_rights_sees_a_hint_and_no_user_admin(
    client_for, tenant, passwords
) -> None:
    await _make_registered_staff(tenant, passwords)
    staff = client_for(tenant.hostname)
    await staff.log_in("sina.staff")
    home = await staff.get("/staff")
    assert 'id="no-rights-hint"' in home.text and "Administrator" in home.text
    assert "/staff/users" not in home.text
    assert (await staff.get("/staff/users")).status_code == 403
    assert (await staff.get("/staff/users/new")).status_code == 403
    token = await staff.csrf("/staff")
    posted = await staff.post(
        "/staff/users",
        data={**STAFF, "csrf_token": token},
        headers={"Origin": "http://alpha.localhost"},
    )
    assert posted.status_code == 403


async def test_user_manager_cannot_create_or_touch_admins(
    client_for, tenant, passwords, smtp
) -> None:
    await _make_registered_staff(tenant, passwords, manages_users=True)
    staff = client_for(tenant.hostname)
    await staff.log_in("sina.staff")
    made = await staff.submit(
        "/staff/users", {**STAFF, "role": "admin"}, form_page="/staff/users/new"
    )
    assert made.status_code == 422
    touched = await staff.submit(
        f"/staff/users/{tenant.admin.id}/deactivate", form_page=f"/staff/users/{tenant.admin.id}"
    )
    assert touched.status_code == 403
    ok = await staff.submit("/staff/users", STAFF, form_page="/staff/users/new")
    assert ok.status_code == 303


async def test_users_of_another_tenant_are_not_found(client, client_for, other_tenant) -> None:
    await client.log_in("alpha-admin")
    foreign = other_tenant.admin.id
    assert (await client.get(f"/staff/users/{foreign}")).status_code == 404
    posted = await client.submit(f"/staff/users/{foreign}/deactivate", form_page="/staff/users")
    assert posted.status_code == 404
    with tenant_scope(other_tenant.tenant.id):
        assert (await User.get(id=foreign)).is_active


async def test_customers_cannot_use_the_staff_area(client_for, tenant, passwords) -> None:
    await make_customer(tenant, passwords)
    customer = client_for(tenant.hostname)
    response = await customer.log_in("kai", CUSTOMER_PASSWORD)
    assert response.headers["location"] == "/portal"
    assert (await customer.get("/staff")).status_code == 403
    assert (await customer.get("/staff/users")).status_code == 403
    assert (await customer.get("/portal")).status_code == 200
