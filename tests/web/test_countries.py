"""Customers abroad: a contact has a country, and its postcode is checked by it (DE 5 digits,
AT and CH 4), in the staff's contact form and the customer's profile."""

from __future__ import annotations

import html

from tenant_app.models.contacts import Contact
from tenant_app.models.scoping import tenant_scope
from tests.conftest import CUSTOMER_PASSWORD, make_customer
from tests.html_forms import form_fields

AUSTRIAN = {
    "first_name": "Anna",
    "last_name": "Huber",
    "birthdate": "1980-05-06",
    "email": "anna@huber.example",
    "street": "Kärntner Straße 1",
    "country": "AT",
    "postal_code": "1010",
    "city": "Wien",
}


async def test_staff_record_an_austrian_customer(client, tenant) -> None:
    await client.log_in("alpha-admin")
    form = await client.get("/staff/contacts/new")
    assert '<select id="f-country" name="country"' in form.text
    for code in ("DE", "AT", "CH"):
        assert f'<option value="{code}"' in form.text
    saved = await client.submit("/staff/contacts", AUSTRIAN, form_page="/staff/contacts/new")
    assert saved.status_code == 303
    with tenant_scope(tenant.tenant.id):
        contact = await Contact.get(email="anna@huber.example")
    assert (contact.country, contact.postal_code) == ("AT", "1010")
    page = html.unescape((await client.get(f"/staff/contacts/{contact.id}")).text)
    assert "1010 Wien" in page and "Österreich" in page


async def test_the_postcode_must_fit_the_country(client, tenant) -> None:
    await client.log_in("alpha-admin")
    for country, code, digits in (("DE", "1010", 5), ("AT", "50667", 4), ("CH", "123", 4)):
        refused = await client.submit(
            "/staff/contacts",
            {**AUSTRIAN, "country": country, "postal_code": code},
            form_page="/staff/contacts/new",
        )
        assert refused.status_code == 422 and 'id="f-postal_code-error"' in refused.text
        assert f"bitte {digits} Ziffern" in html.unescape(refused.text)
        assert form_fields(refused.text, "/staff/contacts")["country"] == country  # kept
    unknown = await client.submit(
        "/staff/contacts", {**AUSTRIAN, "country": "XX"}, form_page="/staff/contacts/new"
    )
    assert unknown.status_code == 422 and 'id="f-country-error"' in unknown.text
    with tenant_scope(tenant.tenant.id):
        assert not await Contact.exists(email="anna@huber.example")


async def test_a_customer_moves_to_switzerland(client_for, tenant, passwords) -> None:
    contact = await make_customer(tenant, passwords, profile_visible=True, profile_editable=True)
    customer = client_for(tenant.hostname)
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    fields = form_fields((await customer.get("/portal/profile")).text, "/portal/profile")
    assert fields["country"] == "DE"
    moved = {**fields, "country": "CH", "postal_code": "8001", "city": "Zürich"}
    assert (await customer.submit("/portal/profile", moved)).status_code == 303
    with tenant_scope(tenant.tenant.id):
        stored = await Contact.get(id=contact.id)
    assert (stored.country, stored.postal_code, stored.city) == ("CH", "8001", "Zürich")
    refused = await customer.submit(
        "/portal/profile", {**moved, "version": "2", "postal_code": "80010"}
    )
    assert refused.status_code == 422 and 'id="f-postal_code-error"' in refused.text
