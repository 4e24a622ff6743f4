"""Contacts as the broker's system keeps them in step: cursor pages, incremental sync
(also of what staff change in their forms), filters, upserts by external id, unique external
ids (also when two requests race), the customer's permissions, the login's state, constant
query counts and the OpenAPI document."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from tenant_app.models.contacts import Contact
from tenant_app.models.folders import CustomerAccess
from tenant_app.models.scoping import tenant_scope
from tenant_app.services import contact_sync
from tests.api_helpers import bearer, field_messages, make_token, problem_of
from tests.conftest import count_queries, make_customer
from tests.html_forms import form_fields
from tests.web.test_api_contacts import ANNA, CONTACTS, DE, FLAGS, person


async def test_cursor_pages_list_every_contact_once_in_id_order(client: Any, tenant: Any) -> None:
    secret = await make_token(tenant, ["contacts:write"])
    made = []
    for number in range(7):
        created = await client.post(CONTACTS, json=person(number), headers=bearer(secret))
        made.append(created.json()["id"])
    seen: list[int] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = (await client.get(CONTACTS, params=params, headers=bearer(secret))).json()
        seen += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(made) and pages == 3
    bad = await client.get(CONTACTS, params={"cursor": "kaputt"}, headers=bearer(secret))
    assert set(field_messages(bad)) == {"cursor"}
    too_many = await client.get(CONTACTS, params={"limit": 201}, headers=bearer(secret))
    assert set(field_messages(too_many)) == {"limit"}


async def test_updated_since_finds_what_changed_also_in_the_staff_form(
    client: Any, tenant: Any
) -> None:
    secret = await make_token(tenant, ["contacts:write"])
    ids = [
        (await client.post(CONTACTS, json=person(number), headers=bearer(secret))).json()["id"]
        for number in range(3)
    ]
    long_ago = datetime(2020, 1, 1, tzinfo=UTC)
    with tenant_scope(tenant.tenant.id):
        await Contact.filter(id__in=ids[:2]).update(updated_at=long_ago)
    since = datetime(2021, 1, 1, tzinfo=UTC).isoformat()

    async def changed() -> list[int]:
        page = await client.get(CONTACTS, params={"updated_since": since}, headers=bearer(secret))
        return [item["id"] for item in page.json()["items"]]

    assert await changed() == [ids[2]]
    await client.patch(
        f"{CONTACTS}/{ids[0]}", json={"city": "Bonn"}, headers=bearer(secret, **{"If-Match": '"1"'})
    )
    assert await changed() == [ids[0], ids[2]]
    await client.log_in("alpha-admin")
    path = f"/staff/contacts/{ids[1]}/edit"
    form = form_fields((await client.get(path)).text, path)
    assert (await client.submit(path, {**form, "city": "Köln"})).status_code == 303
    assert await changed() == ids
    naive = await client.get(
        CONTACTS, params={"updated_since": "2021-01-01T00:00:00"}, headers=bearer(secret)
    )
    assert set(field_messages(naive)) == {"updated_since"}


async def test_filters_by_external_id_customer_number_and_search(client: Any, tenant: Any) -> None:
    secret = await make_token(tenant, ["contacts:write"])
    anna = (await client.post(CONTACTS, json=ANNA, headers=bearer(secret))).json()
    other = person(2, customer_number="K-2002", company_name="Muster 100% GmbH")
    bernd = (await client.post(CONTACTS, json=other, headers=bearer(secret))).json()

    async def found(**params: str) -> list[int]:
        page = await client.get(CONTACTS, params=params, headers=bearer(secret))
        assert page.status_code == 200, page.text
        return [item["id"] for item in page.json()["items"]]

    assert await found(external_id="BMS-4711") == [anna["id"]]
    assert await found(external_id="BMS-0000") == []
    assert await found(customer_number="K-2002") == [bernd["id"]]
    assert await found(q="berg") == [anna["id"]]
    assert await found(q="100%") == [bernd["id"]]
    assert await found(q="example.de") == [anna["id"], bernd["id"]]


async def test_an_upsert_creates_then_replaces_by_external_id(client: Any, tenant: Any) -> None:
    secret = await make_token(tenant, ["contacts:write"])
    path = f"{CONTACTS}/external/BMS/K-77"  # a slash is allowed in the broker's ids
    fields = {key: value for key, value in ANNA.items() if key != "external_id"}
    created = await client.put(path, json=fields, headers=bearer(secret))
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["external_id"] == "BMS/K-77" and created.headers["etag"] == '"1"'
    assert created.headers["location"] == f"{CONTACTS}/{body['id']}"

    problem_of(await client.put(path, json=fields, headers=bearer(secret)), 428)
    replaced = await client.put(
        path,
        json={**fields, "city": "Bonn", "postal_code": "53111", "phone": ""},
        headers=bearer(secret, **{"If-Match": '"1"'}),
    )
    assert replaced.status_code == 200, replaced.text
    again = replaced.json()
    assert again["id"] == body["id"] and again["version"] == 2
    assert (again["city"], again["phone"], again["customer_number"]) == ("Bonn", "", "K-1001")
    stale = await client.put(path, json=fields, headers=bearer(secret, **{"If-Match": '"1"'}))
    problem_of(stale, 412)
    gone = await client.put(
        f"{CONTACTS}/external/BMS-NEU",
        json=person(5),
        headers=bearer(secret, **{"If-Match": '"3"'}),
    )
    problem_of(gone, 412)
    bad_key = await client.put(
        f"{CONTACTS}/external/mit%20leer", json=person(6), headers=bearer(secret)
    )
    assert set(field_messages(bad_key)) == {"external_id"}
    with tenant_scope(tenant.tenant.id):
        assert await Contact.all().count() == 1


async def test_an_external_id_belongs_to_one_contact(client: Any, tenant: Any) -> None:
    secret = await make_token(tenant, ["contacts:write"])
    await client.post(CONTACTS, json=ANNA, headers=bearer(secret))
    twice = await client.post(
        CONTACTS, json=person(1, external_id="BMS-4711"), headers=bearer(secret, **DE)
    )
    assert field_messages(twice) == {
        "external_id": "Ein anderer Kontakt hat bereits diese externe ID."
    }
    second = (await client.post(CONTACTS, json=person(2), headers=bearer(secret))).json()
    taken = await client.patch(
        f"{CONTACTS}/{second['id']}",
        json={"external_id": "BMS-4711"},
        headers=bearer(secret, **{"If-Match": '"1"'}),
    )
    assert set(field_messages(taken)) == {"external_id"}
    with tenant_scope(tenant.tenant.id):
        assert await Contact.filter(external_id="BMS-4711").count() == 1


async def test_permissions_are_read_and_set_for_one_customer_only(
    client: Any, tenant: Any, passwords: Any
) -> None:
    kai = await make_customer(tenant, passwords, insurance_unlock=True)
    olga = await make_customer(tenant, passwords, email="olga@kunde.example", first_name="Olga")
    secret = await make_token(tenant, ["contacts:write"])
    path = f"{CONTACTS}/{kai.id}/permissions"
    read = await client.get(path, headers=bearer(secret))
    assert read.status_code == 200 and read.headers["etag"] == '"1"'
    assert read.json() == {
        "contact_id": kai.id,
        "version": 1,
        **dict.fromkeys(FLAGS, False),
        "insurance_unlock": True,
    }

    wanted = {**dict.fromkeys(FLAGS, False), "finance_unlock": True, "profile_editable": True}
    saved = await client.put(path, json=wanted, headers=bearer(secret, **{"If-Match": '"1"'}))
    assert saved.status_code == 200, saved.text
    assert saved.headers["etag"] == '"2"'
    assert saved.json() == {**wanted, "profile_visible": True, "contact_id": kai.id, "version": 2}
    problem_of(
        await client.put(path, json=wanted, headers=bearer(secret, **{"If-Match": '"1"'})), 412
    )
    problem_of(await client.put(path, json=wanted, headers=bearer(secret)), 428)
    partial = await client.put(
        path, json={"finance_unlock": True}, headers=bearer(secret, **{"If-Match": '"2"'})
    )
    assert "insurance_unlock" in field_messages(partial)
    with tenant_scope(tenant.tenant.id):
        mine = await CustomerAccess.get(contact_id=kai.id)
        others = await CustomerAccess.get(contact_id=olga.id)
    assert (mine.finance_unlock, mine.insurance_unlock, mine.version) == (True, False, 2)
    assert not others.finance_unlock and others.version == 1


async def test_the_first_permissions_of_a_contact_are_saved_with_version_0(
    client: Any, tenant: Any
) -> None:
    secret = await make_token(tenant, ["contacts:write"])
    made = (await client.post(CONTACTS, json=ANNA, headers=bearer(secret))).json()
    path = f"{CONTACTS}/{made['id']}/permissions"
    read = await client.get(path, headers=bearer(secret))
    assert read.json()["version"] == 0 and read.headers["etag"] == '"0"'
    wanted = {**dict.fromkeys(FLAGS, False), "communication": True}
    problem_of(
        await client.put(path, json=wanted, headers=bearer(secret, **{"If-Match": '"1"'})), 412
    )
    saved = await client.put(path, json=wanted, headers=bearer(secret, **{"If-Match": '"0"'}))
    assert saved.status_code == 200 and saved.json()["version"] == 1
    problem_of(
        await client.put(path, json=wanted, headers=bearer(secret, **{"If-Match": '"0"'})), 412
    )


async def test_the_account_state_says_whether_the_customer_has_a_login(
    client: Any, tenant: Any, passwords: Any
) -> None:
    await make_customer(tenant, passwords)
    secret = await make_token(tenant, ["contacts:write"])
    await client.post(CONTACTS, json=ANNA, headers=bearer(secret))
    page = (await client.get(CONTACTS, headers=bearer(secret))).json()
    assert [item["account_state"] for item in page["items"]] == ["active", "none"]


async def test_listing_contacts_costs_the_same_queries_for_few_and_many(
    client: Any, tenant: Any, passwords: Any
) -> None:
    secret = await make_token(tenant, ["contacts:read"])
    await make_customer(tenant, passwords)

    async def queries() -> int:
        await client.get(CONTACTS, headers=bearer(secret))  # the token's last use is written once
        with count_queries() as counter:
            response = await client.get(CONTACTS, params={"limit": 200}, headers=bearer(secret))
        assert response.status_code == 200
        return counter.count

    few = await queries()
    with tenant_scope(tenant.tenant.id):
        await Contact.bulk_create(
            [
                Contact(
                    tenant_id=tenant.tenant.id,
                    first_name=f"P{number}",
                    last_name="Muster",
                    email=f"p{number}@example.de",
                    birthdate=date(1970, 1, 1),
                )
                for number in range(60)
            ]
        )
    many = await queries()
    assert few == many
    assert many <= 4  # token, rate limit, the contacts, their logins


async def test_the_openapi_document_describes_the_contact_operations(
    client: Any, tenant: Any
) -> None:
    spec = (await client.get("/api/v1/openapi.json")).json()
    assert spec["paths"][CONTACTS]["post"]["responses"]["201"]
    assert spec["paths"][f"{CONTACTS}/{{contact_id}}"]["patch"]["x-scope"] == "contacts:write"
    upsert = spec["paths"][f"{CONTACTS}/external/{{external_id}}"]["put"]
    assert upsert["operationId"] == "api_contact_upsert"
    body = spec["components"]["schemas"]["ContactIn"]
    assert body["properties"]["birthdate"]["format"] == "date"
    assert body["additionalProperties"] is False


async def test_two_requests_racing_for_an_external_id_leave_one_contact(
    client: Any, tenant: Any, monkeypatch: Any
) -> None:
    secret = await make_token(tenant, ["contacts:write"])
    await client.post(CONTACTS, json=ANNA, headers=bearer(secret))

    async def looked_too_early(*_args: Any, **_kwargs: Any) -> None:
        """As if the other request wrote its contact just after this one looked."""

    monkeypatch.setattr(contact_sync, "_check_external_id", looked_too_early)
    lost = await client.post(
        CONTACTS, json=person(1, external_id="BMS-4711"), headers=bearer(secret, **DE)
    )
    assert field_messages(lost) == {
        "external_id": "Ein anderer Kontakt hat bereits diese externe ID."
    }
    other = (await client.post(CONTACTS, json=person(2), headers=bearer(secret))).json()
    taken = await client.patch(
        f"{CONTACTS}/{other['id']}",
        json={"external_id": "BMS-4711", "city": "Bonn"},
        headers=bearer(secret, **{"If-Match": '"1"'}),
    )
    assert set(field_messages(taken)) == {"external_id"}
    with tenant_scope(tenant.tenant.id):
        assert await Contact.filter(external_id="BMS-4711").count() == 1
        assert await Contact.all().count() == 2
        assert (await Contact.get(id=other["id"])).city == ""  # nothing of the change stayed
