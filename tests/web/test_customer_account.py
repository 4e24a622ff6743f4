"""A contact gets an account in two steps, registers with the PIN and reaches the portal."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tenant_app.models.accounts import User
from tenant_app.models.contacts import Contact
from tenant_app.models.scoping import tenant_scope
from tests.conftest import link_in, text_of

CONTACT = {
    "first_name": "Jana",
    "last_name": "Jäger",
    "birthdate": "07.11.1979",
    "email": "Jana@Kunde.example",
    "company_name": "Jäger Bau",
    "legal_form": "GmbH",
    "city": "Köln",
}


async def _contact_id(tenant) -> int:
    with tenant_scope(tenant.tenant.id):
        return (await Contact.get(email="jana@kunde.example")).id


async def test_contact_account_steps_and_customer_login(
    client, client_for, tenant, deliver
) -> None:
    await client.log_in("alpha-admin")
    created = await client.submit("/staff/contacts", CONTACT, form_page="/staff/contacts/new")
    assert created.status_code == 303
    contact_id = await _contact_id(tenant)
    page = await client.get(f"/staff/contacts/{contact_id}")
    assert 'id="account-state">Kein Benutzerkonto<' in page.text
    assert "Jäger Bau GmbH" in page.text

    await client.submit(
        f"/staff/contacts/{contact_id}/account", form_page=f"/staff/contacts/{contact_id}"
    )
    page = await client.get(f"/staff/contacts/{contact_id}")
    assert 'id="account-state">Konto erstellt, keine Mail verschickt<' in page.text
    assert await deliver() == []  # creating the account sends nothing yet

    await client.submit(
        f"/staff/contacts/{contact_id}/registration-mail", form_page=f"/staff/contacts/{contact_id}"
    )
    page = await client.get(f"/staff/contacts/{contact_id}")
    assert 'id="account-state">Registrierungsmail verschickt<' in page.text
    mails = await deliver()
    assert [m["To"] for m in mails] == ["jana@kunde.example"]

    customer = client_for(tenant.hostname)
    path = urlsplit(link_in(mails[0])).path
    done = await customer.submit(
        path, {"password": "Kundenportal-1", "password2": "Kundenportal-1", "pin": "07111979"}
    )
    assert done.status_code == 200
    username_mail = (await deliver())[-1]
    assert "jana.jaeger" in text_of(username_mail)
    login = await customer.log_in("jana.jaeger", "Kundenportal-1")
    assert login.headers["location"] == "/portal"
    assert "Willkommen, Jana" in (await customer.get("/portal")).text
    page = await client.get(f"/staff/contacts/{contact_id}")
    assert 'id="account-state">Aktiv<' in page.text


async def test_one_account_per_email_per_tenant(client, tenant, smtp) -> None:
    await client.log_in("alpha-admin")
    await client.submit("/staff/contacts", CONTACT, form_page="/staff/contacts/new")
    again = await client.submit(
        "/staff/contacts", {**CONTACT, "first_name": "Jan"}, form_page="/staff/contacts/new"
    )
    assert again.status_code == 422 and 'id="f-email-error"' in again.text
    staff_same_mail = await client.submit(
        "/staff/users",
        {
            "first_name": "J",
            "last_name": "J",
            "email": "jana@kunde.example",
            "birthdate": "1979-11-07",
            "role": "experte",
        },
        form_page="/staff/users/new",
    )
    assert staff_same_mail.status_code == 303  # a contact without account holds no account yet
    contact_id = await _contact_id(tenant)
    refused = await client.submit(
        f"/staff/contacts/{contact_id}/account", form_page=f"/staff/contacts/{contact_id}"
    )
    assert refused.headers["location"].endswith("account_error=1")
    with tenant_scope(tenant.tenant.id):
        assert await User.filter(email="jana@kunde.example").count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"first_name": ""}, "first_name"),
        ({"last_name": " "}, "last_name"),
        ({"email": ""}, "email"),
        ({"birthdate": "31.02.1980"}, "birthdate"),
        ({"birthdate": "01.01.2999"}, "birthdate"),
        ({"birthdate": "gestern"}, "birthdate"),
    ],
)
async def test_contact_required_fields(client, tenant, changes, field) -> None:
    await client.log_in("alpha-admin")
    response = await client.submit(
        "/staff/contacts", {**CONTACT, **changes}, form_page="/staff/contacts/new"
    )
    assert response.status_code == 422
    assert f'id="f-{field}-error"' in response.text
    with tenant_scope(tenant.tenant.id):
        assert await Contact.all().count() == 0


async def test_contact_of_another_tenant_is_not_found(
    client, client_for, other_tenant, tenant
) -> None:
    beta = client_for(other_tenant.hostname)
    await beta.log_in("beta-admin")
    await beta.submit("/staff/contacts", CONTACT, form_page="/staff/contacts/new")
    with tenant_scope(other_tenant.tenant.id):
        foreign = (await Contact.get(email="jana@kunde.example")).id
    await client.log_in("alpha-admin")
    for path in (f"/staff/contacts/{foreign}",):
        assert (await client.get(path)).status_code == 404
    for path in (
        f"/staff/contacts/{foreign}/account",
        f"/staff/contacts/{foreign}/registration-mail",
    ):
        assert (await client.submit(path, form_page="/staff/contacts")).status_code == 404
    with tenant_scope(other_tenant.tenant.id):
        assert await User.filter(email="jana@kunde.example").count() == 0
