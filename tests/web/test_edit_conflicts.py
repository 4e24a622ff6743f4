"""Two people save the same record: the second save is refused (409), says what is stored now,
keeps what was typed, and saves nothing of it. Saving again from that form then works."""

from __future__ import annotations

import html
from datetime import date

from tenant_app.models.accounts import User
from tenant_app.models.contacts import Contact
from tenant_app.models.folders import Contract, CustomerAccess
from tenant_app.models.scoping import tenant_scope
from tenant_app.text import i18n
from tests.conftest import CUSTOMER_PASSWORD, make_customer
from tests.folder_helpers import add_contract
from tests.html_forms import form_fields
from tests.web.test_staff_users import _make_registered_staff


def german(message: str) -> str:
    with i18n.using("de"):
        return i18n.gettext(message)


async def _two_staff(tenant, passwords, client_for):
    """Clara (admin) and Sina, who may also change contacts and every folder."""
    await _make_registered_staff(
        tenant,
        passwords,
        sees_all_contacts=True,
        manages_contacts=True,
        access_insurance="write",
    )
    clara, sina = client_for(tenant.hostname), client_for(tenant.hostname)
    await clara.log_in("alpha-admin")
    await sina.log_in("sina.staff")
    return clara, sina


async def _load(client, path: str, action: str | None = None) -> dict[str, str]:
    page = await client.get(path)
    assert page.status_code == 200
    fields = form_fields(page.text, action or path)
    assert fields["version"], "the edit form carries its version"
    return fields


def _refused(response, *, typed: str, changed_label: str, stored: str) -> str:
    """The second save's answer: the form again with the typed text, naming what changed."""
    assert response.status_code == 409, response.text[:300]
    text = html.unescape(response.text)
    assert typed in text  # what the user typed is still in the form
    assert changed_label in text and stored in text  # the field, with what is stored now
    return text


async def test_second_contact_save_is_refused_and_keeps_the_input(
    tenant, passwords, client_for
) -> None:
    contact = await make_customer(tenant, passwords)
    clara, sina = await _two_staff(tenant, passwords, client_for)
    path = f"/staff/contacts/{contact.id}/edit"
    form_a, form_b = await _load(clara, path), await _load(sina, path)

    assert (await clara.submit(path, {**form_a, "phone": "0221 999"})).status_code == 303
    refused = await sina.submit(path, {**form_b, "customer_number": "K-SINA-7"})

    text = _refused(refused, typed="K-SINA-7", changed_label=german("Phone"), stored="0221 999")
    assert 'id="f-phone-error"' in refused.text  # the note sits next to the field
    with tenant_scope(tenant.tenant.id):
        stored = await Contact.get(id=contact.id)
    assert (stored.phone, stored.customer_number, stored.version) == ("0221 999", "", 2)
    again = form_fields(text, path)
    assert again["version"] == "2" and again["customer_number"] == "K-SINA-7"
    assert (await sina.submit(path, again)).status_code == 303  # now deliberately


async def test_a_save_without_version_is_refused(tenant, passwords, client) -> None:
    contact = await make_customer(tenant, passwords)
    await client.log_in("alpha-admin")
    path = f"/staff/contacts/{contact.id}/edit"
    fields = await _load(client, path)
    del fields["version"]
    response = await client.submit(path, {**fields, "city": "Bonn"})
    assert response.status_code == 409 and 'name="version" value="1"' in response.text
    with tenant_scope(tenant.tenant.id):
        assert (await Contact.get(id=contact.id)).city == ""


async def test_second_contract_save_is_refused(tenant, passwords, client_for) -> None:
    contact = await make_customer(tenant, passwords)
    contract = await add_contract(tenant, contact, number="V-1")
    clara, sina = await _two_staff(tenant, passwords, client_for)
    path = f"/staff/contacts/{contact.id}/contracts/{contract.id}"
    form_a, form_b = await _load(clara, path), await _load(sina, path)

    assert (await clara.submit(path, {**form_a, "insurance_number": "V-2"})).status_code == 303
    refused = await sina.submit(path, {**form_b, "note": "Sina war hier"})

    _refused(refused, typed="Sina war hier", changed_label=german("Insurance number"), stored="V-2")
    with tenant_scope(tenant.tenant.id):
        stored = await Contract.get(id=contract.id)
    assert (stored.insurance_number, stored.note, stored.version) == ("V-2", "", 2)


async def test_customer_and_staff_edit_the_same_contract(tenant, passwords, client_for) -> None:
    contact = await make_customer(tenant, passwords, insurance_share=True)
    contract = await add_contract(tenant, contact, number="V-1")
    staff, customer = client_for(tenant.hostname), client_for(tenant.hostname)
    await staff.log_in("alpha-admin")
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    staff_path = f"/staff/contacts/{contact.id}/contracts/{contract.id}"
    portal_path = f"/portal/contracts/{contract.id}"
    form_staff, form_customer = await _load(staff, staff_path), await _load(customer, portal_path)

    saved = await staff.submit(staff_path, {**form_staff, "gross_premium": "15,00"})
    assert saved.status_code == 303
    refused = await customer.submit(portal_path, {**form_customer, "note": "Neue Bank"})

    _refused(refused, typed="Neue Bank", changed_label=german("Gross premium"), stored="15,00")
    with tenant_scope(tenant.tenant.id):
        assert (await Contract.get(id=contract.id)).note == ""


async def test_second_permissions_save_is_refused(tenant, passwords, client_for) -> None:
    contact = await make_customer(tenant, passwords)
    clara, sina = await _two_staff(tenant, passwords, client_for)
    path = f"/staff/contacts/{contact.id}/permissions"
    form_a, form_b = await _load(clara, path), await _load(sina, path)

    assert (await clara.submit(path, {**form_a, "communication": "on"})).status_code == 303
    refused = await sina.submit(path, {**form_b, "finance_unlock": "on"})

    label = german("Customer can write to us (tickets)")
    text = _refused(refused, typed="", changed_label=label, stored=german("on"))
    assert form_fields(text, path).get("finance_unlock") == "on"  # Sina's tick is kept
    with tenant_scope(tenant.tenant.id):
        access = await CustomerAccess.get(contact_id=contact.id)
    assert (access.communication, access.finance_unlock) == (True, False)


async def test_first_permissions_of_a_contact_saved_twice(tenant, passwords, client_for) -> None:
    """No row yet (version 0): the first save makes it, the second is a conflict, not a 500."""
    contact = await make_customer(tenant, passwords)
    with tenant_scope(tenant.tenant.id):
        await CustomerAccess.filter(contact_id=contact.id).delete()
    clara, sina = await _two_staff(tenant, passwords, client_for)
    path = f"/staff/contacts/{contact.id}/permissions"
    form_a, form_b = await _load(clara, path), await _load(sina, path)
    assert form_a["version"] == "0"
    assert (await clara.submit(path, {**form_a, "communication": "on"})).status_code == 303
    assert (await sina.submit(path, {**form_b, "other_share": "on"})).status_code == 409
    with tenant_scope(tenant.tenant.id):
        assert not (await CustomerAccess.get(contact_id=contact.id)).other_share


async def test_profile_and_staff_edit_the_same_contact(tenant, passwords, client_for) -> None:
    contact = await make_customer(tenant, passwords, profile_visible=True, profile_editable=True)
    staff, customer = client_for(tenant.hostname), client_for(tenant.hostname)
    await staff.log_in("alpha-admin")
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    staff_path = f"/staff/contacts/{contact.id}/edit"
    form_staff = await _load(staff, staff_path)
    form_customer = await _load(customer, "/portal/profile")

    saved = await staff.submit(staff_path, {**form_staff, "phone": "0221 4711"})
    assert saved.status_code == 303
    refused = await customer.submit("/portal/profile", {**form_customer, "street": "Neuer Weg 5"})

    _refused(refused, typed="Neuer Weg 5", changed_label=german("Phone"), stored="0221 4711")
    with tenant_scope(tenant.tenant.id):
        assert (await Contact.get(id=contact.id)).street == ""


async def test_second_staff_user_save_is_refused(tenant, passwords, client_for) -> None:
    sina = await _make_registered_staff(
        tenant, passwords, access_finance="read", birthdate=date(1991, 2, 3)
    )
    first, second = client_for(tenant.hostname), client_for(tenant.hostname)
    await first.log_in("alpha-admin")
    await second.log_in("alpha-admin")  # the same admin in a second window
    path = f"/staff/users/{sina.id}"
    form_a, form_b = await _load(first, path), await _load(second, path)

    assert (await first.submit(path, {**form_a, "access_finance": "write"})).status_code == 303
    refused = await second.submit(path, {**form_b, "last_name": "Sommer"})

    _refused(
        refused, typed="Sommer", changed_label=german("Finances"), stored=german("Read and write")
    )
    with tenant_scope(tenant.tenant.id):
        stored = await User.get(id=sina.id)
    assert (stored.access_finance, stored.last_name) == ("write", "Staff")
