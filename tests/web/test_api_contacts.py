"""Contacts through the API: create, read, change, erase; the staff form's rules and
messages (German and English); tokens and scopes, other tenants, idempotent retries, and
stale writes through the API and the staff form. Syncing: test_api_contacts_sync.py."""

from __future__ import annotations

import html
import json
from datetime import date, timedelta
from typing import Any

from tenant_app.models.contacts import Contact
from tenant_app.models.folders import CustomerAccess
from tenant_app.models.scoping import tenant_scope
from tests.api_helpers import bearer, field_messages, make_token, problem_of
from tests.conftest import CUSTOMER_PASSWORD, make_customer
from tests.html_forms import form_fields

CONTACTS = "/api/v1/contacts"
DE = {"Accept-Language": "de"}
EN = {"Accept-Language": "en"}
ANNA = {
    "first_name": "Anna",
    "last_name": "Berger",
    "email": "anna.berger@example.de",
    "birthdate": "1980-05-01",
    "street": "Hauptstraße 1",
    "postal_code": "50667",
    "city": "Köln",
    "phone": "0221 12345",
    "customer_number": "K-1001",
    "external_id": "BMS-4711",
}


def person(number: int, **fields: Any) -> dict[str, Any]:
    return {
        "first_name": f"Person{number:03d}",
        "last_name": "Muster",
        "email": f"person{number}@example.de",
        "birthdate": "1975-01-31",
        **fields,
    }


FLAGS = (  # the customer's permissions (vocabulary.ACCESS_FIELDS)
    "insurance_unlock",
    "insurance_share",
    "insurance_readonly",
    "finance_unlock",
    "finance_share",
    "finance_readonly",
    "other_unlock",
    "other_share",
    "other_readonly",
    "emergency_unlock",
    "emergency_share",
    "emergency_readonly",
    "profile_visible",
    "profile_editable",
    "communication",
)


async def stored(tenant: Any, contact_id: int) -> Contact | None:
    with tenant_scope(tenant.tenant.id):
        return await Contact.get_or_none(id=contact_id)


async def test_a_created_contact_reads_back_and_shows_in_the_staff_list(
    client: Any, tenant: Any
) -> None:
    secret = await make_token(tenant, ["contacts:write"])
    made = await client.post(
        CONTACTS, json=ANNA, headers=bearer(secret, **{"Idempotency-Key": "a-1"})
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert made.headers["location"] == f"{CONTACTS}/{body['id']}"
    assert made.headers["etag"] == '"1"' and body["version"] == 1
    assert {key: body[key] for key in ANNA} == ANNA
    assert body["country"] == "DE" and body["account_state"] == "none"
    assert body["company_name"] == "" and body["created_at"] and body["updated_at"]

    read = await client.get(f"{CONTACTS}/{body['id']}", headers=bearer(secret))
    assert read.status_code == 200 and read.json() == body and read.headers["etag"] == '"1"'
    listed = await client.get(CONTACTS, headers=bearer(secret))
    assert listed.json() == {"items": [body], "next_cursor": None}

    await client.log_in("alpha-admin")
    staff_list = await client.get("/staff/contacts", headers=DE)
    assert "Berger" in staff_list.text and "K-1001" in staff_list.text


async def test_the_staff_page_shows_the_external_id_and_the_customer_number(
    client: Any, tenant: Any
) -> None:
    secret = await make_token(tenant, ["contacts:write"])
    made = await client.post(CONTACTS, json=ANNA, headers=bearer(secret))
    await client.log_in("alpha-admin")
    page = await client.get(f"/staff/contacts/{made.json()['id']}", headers=DE)
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "Externe ID" in text and "BMS-4711" in text
    assert "Kundennummer" in text and "K-1001" in text


async def test_the_customer_sees_the_customer_number_the_api_set(
    client: Any, tenant: Any, passwords: Any
) -> None:
    kai = await make_customer(tenant, passwords, profile_visible=True)
    secret = await make_token(tenant, ["contacts:write"])
    changed = await client.patch(
        f"{CONTACTS}/{kai.id}",
        json={"customer_number": "K-2024-17"},
        headers=bearer(secret, **{"If-Match": '"1"'}),
    )
    assert changed.status_code == 200
    await client.log_in("kai", CUSTOMER_PASSWORD)
    profile = await client.get("/portal/profile", headers=DE)
    assert 'id="customer-number"' in profile.text and "K-2024-17" in profile.text


async def test_invalid_input_names_each_field_in_german_and_english(
    client: Any, tenant: Any
) -> None:
    secret = await make_token(tenant, ["contacts:write"])
    wrong = {
        "first_name": "  ",
        "last_name": 42,
        "email": "keine-adresse",
        "birthdate": (date.today() + timedelta(days=2)).isoformat(),
        "postal_code": "123",
        "external_id": "mit leerzeichen",
    }
    german = field_messages(await client.post(CONTACTS, json=wrong, headers=bearer(secret, **DE)))
    assert german == {
        "first_name": "Dieses Feld ist ein Pflichtfeld.",
        "last_name": "Ungültige Eingabe.",
        "email": "Bitte geben Sie eine gültige E-Mail-Adresse ein.",
        "birthdate": "Das Geburtsdatum darf nicht in der Zukunft liegen.",
        "postal_code": "Postleitzahl für Deutschland: bitte 5 Ziffern.",
        "external_id": "Bitte nur Buchstaben, Ziffern und - _ . / : # verwenden",
    }
    english = field_messages(await client.post(CONTACTS, json=wrong, headers=bearer(secret, **EN)))
    assert english["first_name"] == "This field is required."
    assert english["birthdate"] == "The date of birth cannot be in the future."
    missing = field_messages(await client.post(CONTACTS, json={}, headers=bearer(secret, **DE)))
    assert set(missing) == {"first_name", "last_name", "email", "birthdate"}
    unknown = field_messages(
        await client.post(CONTACTS, json={**person(1), "vip": True}, headers=bearer(secret))
    )
    assert set(unknown) == {"vip"}
    unstorable = {**person(1), "first_name": "Nul\u0000", "city": "\ud800"}  # valid JSON
    raw = json.dumps(unstorable).encode()  # escaped: \u0000, \ud800
    sent = await client.post(
        CONTACTS, content=raw, headers=bearer(secret, **{"Content-Type": "application/json"})
    )
    assert set(field_messages(sent)) == {"first_name", "city"}
    with tenant_scope(tenant.tenant.id):
        assert await Contact.all().count() == 0


async def test_the_form_and_the_api_take_the_german_date_too(client: Any, tenant: Any) -> None:
    secret = await make_token(tenant, ["contacts:write"])
    made = await client.post(
        CONTACTS, json=person(1, birthdate="01.05.1980"), headers=bearer(secret)
    )
    assert made.status_code == 201 and made.json()["birthdate"] == "1980-05-01"


async def test_an_e_mail_address_in_use_is_refused_as_in_the_form(
    client: Any, tenant: Any, passwords: Any
) -> None:
    await make_customer(tenant, passwords)  # kai@kunde.example
    secret = await make_token(tenant, ["contacts:write"])
    taken = await client.post(
        CONTACTS, json=person(1, email="KAI@kunde.example"), headers=bearer(secret, **DE)
    )
    assert field_messages(taken) == {
        "email": "Es gibt bereits einen Kontakt oder Benutzer mit dieser E-Mail-Adresse."
    }


async def test_a_token_without_the_scope_gets_403_and_changes_nothing(
    client: Any, tenant: Any, passwords: Any
) -> None:
    kai = await make_customer(tenant, passwords)
    reader = await make_token(tenant, ["contacts:read"], name="Leser")
    other = await make_token(tenant, ["contracts:write", "documents:write"], name="Andere")
    assert (await client.get(CONTACTS, headers=bearer(reader))).status_code == 200
    problem_of(await client.post(CONTACTS, json=person(1), headers=bearer(reader)), 403)
    patch = await client.patch(
        f"{CONTACTS}/{kai.id}", json={"city": "Bonn"}, headers=bearer(reader, **{"If-Match": '"1"'})
    )
    problem_of(patch, 403)
    delete = await client.delete(
        f"{CONTACTS}/{kai.id}", headers=bearer(reader, **{"If-Match": '"1"'})
    )
    problem_of(delete, 403)
    permissions = f"{CONTACTS}/{kai.id}/permissions"
    flags = {name: True for name in (await client.get(permissions, headers=bearer(reader))).json()}
    put = await client.put(permissions, json=flags, headers=bearer(reader, **{"If-Match": '"1"'}))
    problem_of(put, 403)
    for path in (CONTACTS, f"{CONTACTS}/{kai.id}", permissions):
        problem_of(await client.get(path, headers=bearer(other)), 403)
    denied = problem_of(
        await client.post(CONTACTS, json=person(1), headers=bearer(other, **DE)), 403
    )
    assert "contacts:write" in denied["detail"]
    contact = await stored(tenant, kai.id)
    assert contact is not None and contact.city == "" and contact.version == 1
    with tenant_scope(tenant.tenant.id):
        assert await Contact.all().count() == 1
        assert not (await CustomerAccess.get(contact_id=kai.id)).insurance_unlock


async def test_another_tenants_contacts_are_not_found(
    client: Any, tenant: Any, other_tenant: Any, passwords: Any
) -> None:
    theirs = await make_customer(other_tenant, passwords, email="olga@kunde.example")
    secret = await make_token(tenant)
    matched = bearer(secret, **{"If-Match": '"1"'})
    for missing in (theirs.id, 999_999):
        path = f"{CONTACTS}/{missing}"
        problem_of(await client.get(path, headers=bearer(secret)), 404)
        problem_of(await client.patch(path, json={"city": "X"}, headers=matched), 404)
        problem_of(await client.delete(path, headers=matched), 404)
        problem_of(await client.get(f"{path}/permissions", headers=bearer(secret)), 404)
        flags = dict.fromkeys(FLAGS, True)
        put = await client.put(f"{path}/permissions", json=flags, headers=matched)
        problem_of(put, 404)
    listed = await client.get(CONTACTS, headers=bearer(secret))
    assert listed.json()["items"] == []
    with tenant_scope(other_tenant.tenant.id):
        olga = await Contact.get(id=theirs.id)
        assert olga.city == "" and olga.version == 1
        assert not (await CustomerAccess.get(contact_id=theirs.id)).insurance_unlock


async def test_a_patch_changes_only_the_fields_sent(client: Any, tenant: Any) -> None:
    secret = await make_token(tenant, ["contacts:write"])
    made = (await client.post(CONTACTS, json=ANNA, headers=bearer(secret))).json()
    path = f"{CONTACTS}/{made['id']}"
    changed = await client.patch(
        path,
        json={"city": "Bonn", "postal_code": "53111", "external_id": None},
        headers=bearer(secret, **{"If-Match": '"1"'}),
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert changed.headers["etag"] == '"2"' and body["version"] == 2
    assert (body["city"], body["postal_code"], body["external_id"]) == ("Bonn", "53111", None)
    kept = ("first_name", "last_name", "email", "birthdate", "street", "phone", "customer_number")
    assert {key: body[key] for key in kept} == {key: ANNA[key] for key in kept}
    # the merged contact is checked as a whole, as the form checks it
    wrong = await client.patch(
        path, json={"country": "AT"}, headers=bearer(secret, **DE, **{"If-Match": '"2"'})
    )
    assert field_messages(wrong) == {"postal_code": "Postleitzahl für Österreich: bitte 4 Ziffern."}
    contact = await stored(tenant, made["id"])
    assert contact is not None and contact.country == "DE" and contact.version == 2


async def test_a_stale_or_missing_if_match_changes_nothing(client: Any, tenant: Any) -> None:
    secret = await make_token(tenant)  # erasing takes contracts, documents, tickets, cases
    made = (await client.post(CONTACTS, json=ANNA, headers=bearer(secret))).json()
    path = f"{CONTACTS}/{made['id']}"
    first = await client.patch(
        path, json={"city": "Bonn"}, headers=bearer(secret, **{"If-Match": '"1"'})
    )
    assert first.status_code == 200

    stale = await client.patch(
        path, json={"city": "Aachen"}, headers=bearer(secret, **DE, **{"If-Match": '"1"'})
    )
    conflict = problem_of(stale, 412)
    assert conflict["current_version"] == 2 and stale.headers["etag"] == '"2"'
    assert "nichts gespeichert" in conflict["detail"]
    problem_of(await client.patch(path, json={"city": "Aachen"}, headers=bearer(secret)), 428)
    malformed = bearer(secret, **{"If-Match": "W/irgendwas"})
    problem_of(await client.patch(path, json={"city": "Aachen"}, headers=malformed), 412)
    problem_of(await client.delete(path, headers=bearer(secret)), 428)
    problem_of(await client.delete(path, headers=bearer(secret, **{"If-Match": '"1"'})), 412)
    beyond = bearer(secret, **{"If-Match": '"9999999999"'})  # no integer column holds it
    problem_of(await client.delete(path, headers=beyond), 412)
    problem_of(await client.patch(path, json={"city": "Aachen"}, headers=beyond), 412)
    flags = dict.fromkeys(FLAGS, False)
    problem_of(await client.put(f"{path}/permissions", json=flags, headers=beyond), 412)
    contact = await stored(tenant, made["id"])
    assert contact is not None and (contact.city, contact.version) == ("Bonn", 2)


async def test_an_api_write_between_loading_and_saving_the_staff_form_is_not_lost(
    client_for: Any, tenant: Any, passwords: Any
) -> None:
    kai = await make_customer(tenant, passwords)
    secret = await make_token(tenant, ["contacts:write"])
    staff, api = client_for(tenant.hostname), client_for(tenant.hostname)
    await staff.log_in("alpha-admin")
    path = f"/staff/contacts/{kai.id}/edit"
    form = form_fields((await staff.get(path)).text, path)
    assert form["version"] == "1"

    changed = await api.patch(
        f"{CONTACTS}/{kai.id}",
        json={"phone": "0228 777"},
        headers=bearer(secret, **{"If-Match": '"1"'}),
    )
    assert changed.status_code == 200
    refused = await staff.submit(path, {**form, "city": "Bonn"}, headers=DE)
    assert refused.status_code == 409
    assert "0228 777" in html.unescape(refused.text)  # what the API stored, named
    contact = await stored(tenant, kai.id)
    assert contact is not None and (contact.phone, contact.city) == ("0228 777", "")

    # and the other way round: the staff saved, the API's ETag is stale
    again = form_fields(html.unescape(refused.text), path)
    assert (await staff.submit(path, {**again, "city": "Bonn"})).status_code == 303
    stale = await api.patch(
        f"{CONTACTS}/{kai.id}", json={"city": "Köln"}, headers=bearer(secret, **{"If-Match": '"2"'})
    )
    assert problem_of(stale, 412)["current_version"] == 3
    contact = await stored(tenant, kai.id)
    assert contact is not None and contact.city == "Bonn"


async def test_a_retried_post_answers_the_same_and_creates_one_contact(
    client: Any, tenant: Any
) -> None:
    secret = await make_token(tenant, ["contacts:write"])
    headers = bearer(secret, **{"Idempotency-Key": "create-anna-1"})
    first = await client.post(CONTACTS, json=ANNA, headers=headers)
    again = await client.post(CONTACTS, json=ANNA, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["idempotent-replayed"] == "true"
    with tenant_scope(tenant.tenant.id):
        assert await Contact.all().count() == 1

    other_body = await client.post(CONTACTS, json={**ANNA, "city": "Bonn"}, headers=headers)
    problem_of(other_body, 422)
    # without a key the same person is a second request: the e-mail address is taken now
    second = {**ANNA, "external_id": "BMS-4712"}
    taken = await client.post(CONTACTS, json=second, headers=bearer(secret))
    assert set(field_messages(taken)) == {"email"}
    with tenant_scope(tenant.tenant.id):
        assert await Contact.all().count() == 1


async def test_a_failed_post_is_replayed_as_it_failed(client: Any, tenant: Any) -> None:
    secret = await make_token(tenant, ["contacts:write"])
    headers = bearer(secret, **{"Idempotency-Key": "bad-1"})
    first = await client.post(CONTACTS, json={"first_name": "X"}, headers=headers)
    again = await client.post(CONTACTS, json={"first_name": "X"}, headers=headers)
    assert first.status_code == again.status_code == 422 and again.json() == first.json()


async def test_an_erased_contact_is_gone_everywhere(
    client: Any, tenant: Any, passwords: Any
) -> None:
    kai = await make_customer(tenant, passwords)
    secret = await make_token(tenant)  # erasing takes contracts, documents, tickets, cases
    path = f"{CONTACTS}/{kai.id}"
    problem_of(await client.delete(path, headers=bearer(secret, **{"If-Match": '"7"'})), 412)
    assert await stored(tenant, kai.id) is not None
    deleted = await client.delete(path, headers=bearer(secret, **{"If-Match": '"1"'}))
    assert deleted.status_code == 204 and deleted.content == b""
    assert await stored(tenant, kai.id) is None
    problem_of(await client.get(path, headers=bearer(secret)), 404)
    await client.log_in("alpha-admin")
    assert "kai@kunde.example" not in (await client.get("/staff/contacts")).text
