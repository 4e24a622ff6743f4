"""Advice cases through the API: open (naming the contact by id or external id), read, change
with If-Match, upsert by external id, risks with typed attributes at the case's version, the
product lines' definitions; scopes, other tenants, idempotent retries, paging, sync, and a
jump-in link asked for by the broker's system that logs a staff member in once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest

from tenant_app.models.activity import Event
from tenant_app.models.cases import AdviceCase, CaseRisk
from tenant_app.models.contacts import Contact, ContactResponsible
from tenant_app.models.integration import ApiToken, JumpLink
from tenant_app.models.scoping import tenant_scope
from tests.api_helpers import bearer, field_messages, make_token, problem_of
from tests.case_helpers import STORED_CAR, open_case, staff_member
from tests.conftest import count_queries, make_customer

CASES = "/api/v1/cases"
DE = {"Accept-Language": "de"}
CAR = {  # as a broker's system sends it: numbers as numbers, dates in ISO
    "make": "Volkswagen",
    "model": "Golf 8",
    "registration": "K-AB 123",
    "first_registration": "2019-05-01",
    "annual_mileage": 12000,
    "hsn": "0603",
    "tsn": "BJM",
}


def if_match(secret: str, version: int, **headers: str) -> dict[str, str]:
    return bearer(secret, **{"If-Match": f'"{version}"'}, **headers)


def kfz(contact_id: int, **fields: Any) -> dict[str, Any]:
    return {"contact_id": contact_id, "title": "Kfz-Wechsel", "product_lines": ["kfz"], **fields}


@pytest.fixture
async def kai(tenant: Any, passwords: Any) -> Any:
    return await make_customer(tenant, passwords, insurance_share=True)


@pytest.fixture
async def api(client_for: Any, tenant: Any) -> Any:
    return client_for(tenant.hostname)


async def test_a_case_is_opened_read_changed_and_closed(api, tenant, kai) -> None:
    secret = await make_token(tenant, ["cases:write"])
    made = await api.post(CASES, json=kfz(kai.id, external_id="VG-1"), headers=bearer(secret))
    assert made.status_code == 201, made.text
    body = made.json()
    assert made.headers["location"] == f"{CASES}/{body['id']}" and made.headers["etag"] == '"1"'
    assert (body["status"], body["external_id"], body["risks"]) == ("open", "VG-1", [])
    assert body["product_lines"] == ["kfz"] and body["completed_at"] is None
    assert (await api.get(f"{CASES}/{body['id']}", headers=bearer(secret))).json() == body
    path = f"{CASES}/{body['id']}"
    changed = await api.patch(
        path, json={"title": "Kfz-Wechsel 2027", "status": "completed"}, headers=if_match(secret, 1)
    )
    assert changed.status_code == 200, changed.text
    after = changed.json()
    assert after["title"] == "Kfz-Wechsel 2027" and after["status"] == "completed"
    assert after["completed_at"] is not None and changed.headers["etag"] == f'"{after["version"]}"'
    stale = await api.patch(path, json={"notes": "zu spät"}, headers=if_match(secret, 1))
    assert problem_of(stale, 412)["current_version"] == after["version"]
    assert problem_of(await api.patch(path, json={}, headers=bearer(secret)), 428)
    closed = await api.patch(
        path, json={"notes": "Nachtrag"}, headers=if_match(secret, after["version"], **DE)
    )
    assert "wieder" in field_messages(closed)["form"]  # reopen first
    reopened = await api.patch(
        path,
        json={"notes": "Nachtrag", "status": "in_progress"},
        headers=if_match(secret, after["version"]),
    )
    assert reopened.status_code == 200 and reopened.json()["notes"] == "Nachtrag"
    assert reopened.json()["completed_at"] is None
    with tenant_scope(tenant.tenant.id):
        kinds = await Event.filter(object_type="case").order_by("id").values_list("kind", flat=True)
        opened = await Event.get(kind="case_opened")
    assert kinds == ["case_opened", "case_edited", "case_closed", "case_edited", "case_edited"]
    assert "BMS-Sync" in opened.actor_name  # the token's account


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": " "}, "title", "Pflichtfeld"),
        ({"product_lines": []}, "product_lines", "Ungültige Eingabe"),
        ({"product_lines": ["raumfahrt"]}, "product_lines.0", "Ungültige Eingabe"),
        ({"responsible_id": 999}, "responsible_id", "diesen Kontakt sieht"),
        ({"external_id": "VG 1"}, "external_id", "nur Buchstaben"),
        ({"contact_id": None}, "contact_id", "contact_id"),
    ],
)
async def test_bad_cases_are_refused_by_field_in_german(
    api, tenant, kai, changes, field, message
) -> None:
    secret = await make_token(tenant, ["cases:write"])
    refused = await api.post(CASES, json={**kfz(kai.id), **changes}, headers=bearer(secret, **DE))
    assert message in field_messages(refused)[field]
    with tenant_scope(tenant.tenant.id):
        assert await AdviceCase.all().count() == 0


async def test_scopes_and_tenants_keep_cases_apart(
    api, client_for, tenant, other_tenant, passwords, kai
) -> None:
    case = await open_case(tenant, kai)
    reader = await make_token(tenant, ["cases:read"])
    contacts_only = await make_token(tenant, ["contacts:write"], name="Nur Kontakte")
    assert (await api.get(f"{CASES}/{case.id}", headers=bearer(reader))).status_code == 200
    problem_of(await api.get(CASES, headers=bearer(contacts_only)), 403)
    problem_of(await api.post(CASES, json=kfz(kai.id), headers=bearer(reader)), 403)
    problem_of(await api.post("/api/v1/jump-links", json={}, headers=bearer(reader)), 403)
    beta = client_for(other_tenant.hostname)
    theirs = await make_token(other_tenant)
    problem_of(await beta.get(f"{CASES}/{case.id}", headers=bearer(theirs)), 404)
    assert (await beta.get(CASES, headers=bearer(theirs))).json()["items"] == []
    created = await beta.post(CASES, json=kfz(kai.id), headers=bearer(theirs, **DE))
    assert "Kontakt" in field_messages(created)["contact_id"]  # not theirs to name
    problem_of(await api.get(f"{CASES}/{10**6}", headers=bearer(reader)), 404)


async def test_an_upsert_by_external_id_creates_then_replaces(api, tenant, passwords, kai) -> None:
    secret = await make_token(tenant, ["cases:write"])
    with tenant_scope(tenant.tenant.id):
        await Contact.filter(id=kai.id).update(external_id="K-42")
    path = f"{CASES}/external/MVP-7"
    body = {
        "contact_external_id": "K-42",
        "title": "BU prüfen",
        "product_lines": ["berufsunfaehigkeit"],
    }
    made = await api.put(path, json=body, headers=bearer(secret))
    assert made.status_code == 201 and made.json()["external_id"] == "MVP-7"
    problem_of(await api.put(path, json=body, headers=bearer(secret)), 428)
    replaced = await api.put(
        path,
        json={**body, "description": "Lehrerin", "status": "offered"},
        headers=if_match(secret, 1),
    )
    assert replaced.status_code == 200, replaced.text
    assert (replaced.json()["description"], replaced.json()["status"]) == ("Lehrerin", "offered")
    other = await make_customer(tenant, passwords, email="olga@kunde.example", first_name="Olga")
    moved = await api.put(
        path,
        json={**body, "contact_external_id": None, "contact_id": other.id},
        headers=if_match(secret, replaced.json()["version"], **DE),
    )
    assert "bleibt" in field_messages(moved)["contact_id"]
    again = await api.put(f"{CASES}/external/NEU-1", json=body, headers=if_match(secret, 3))
    problem_of(again, 412)  # the client believed it existed
    with tenant_scope(tenant.tenant.id):
        assert await AdviceCase.all().count() == 1


async def test_risks_keep_typed_attributes_at_the_cases_version(api, tenant, kai) -> None:
    secret = await make_token(tenant, ["cases:write"])
    case = (await api.post(CASES, json=kfz(kai.id), headers=bearer(secret))).json()
    risks = f"{CASES}/{case['id']}/risks"
    wrong = {**CAR, "annual_mileage": "viel", "colour": "rot", "first_registration": [2019]}
    refused = await api.post(
        risks,
        json={"product_line": "kfz", "label": "Golf", "attributes": wrong},
        headers=bearer(secret, **DE),
    )
    errors = field_messages(refused)
    assert "ganze Zahl" in errors["attributes.annual_mileage"]
    assert "kein solches Merkmal" in errors["attributes.colour"]
    assert "attributes.first_registration" in errors
    other_line = await api.post(
        risks, json={"product_line": "leben", "label": "Ich"}, headers=bearer(secret, **DE)
    )
    assert "Sparten des Vorgangs" in field_messages(other_line)["product_line"]
    added = await api.post(
        risks,
        json={"product_line": "kfz", "label": "Golf", "attributes": CAR},
        headers=bearer(secret),
    )
    assert added.status_code == 201, added.text
    risk = added.json()
    assert risk["attributes"] == STORED_CAR and risk["case_version"] == 2
    assert added.headers["etag"] == '"2"' and added.headers["location"] == f"{risks}/{risk['id']}"
    read = (await api.get(f"{CASES}/{case['id']}", headers=bearer(secret))).json()
    assert read["version"] == 2 and read["risks"] == [risk]
    path = f"{risks}/{risk['id']}"
    renamed = {"label": "Golf Variant", "attributes": {**CAR, "annual_mileage": 15000}}
    problem_of(await api.put(path, json=renamed, headers=if_match(secret, 1)), 412)
    saved = await api.put(path, json=renamed, headers=if_match(secret, 2))
    assert saved.status_code == 200 and saved.json()["attributes"]["annual_mileage"] == 15000
    assert saved.json()["case_version"] == 3
    problem_of(await api.delete(path, headers=if_match(secret, 2)), 412)
    assert (await api.delete(path, headers=if_match(secret, 3))).status_code == 204
    with tenant_scope(tenant.tenant.id):
        assert not await CaseRisk.filter(id=risk["id"]).exists()
        assert (await AdviceCase.get(id=case["id"])).version == 4


async def test_a_retried_post_opens_one_case(api, tenant, kai) -> None:
    secret = await make_token(tenant, ["cases:write"])
    headers = bearer(secret, **{"Idempotency-Key": "case-1"})
    first = await api.post(CASES, json=kfz(kai.id), headers=headers)
    second = await api.post(CASES, json=kfz(kai.id), headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json() and second.headers["idempotent-replayed"] == "true"
    with tenant_scope(tenant.tenant.id):
        assert await AdviceCase.all().count() == 1


async def test_pages_follow_the_cursor_and_sync_by_updated_since(api, tenant, kai) -> None:
    secret = await make_token(tenant, ["cases:read"])
    for number in range(5):
        await open_case(tenant, kai, title=f"Vorgang {number}")
    seen: list[int] = []
    url = f"{CASES}?limit=2"
    while url:
        page = (await api.get(url, headers=bearer(secret))).json()
        seen += [item["id"] for item in page["items"]]
        assert all(item["risks"][0]["attributes"] == STORED_CAR for item in page["items"])
        url = f"{CASES}?limit=2&cursor={page['next_cursor']}" if page["next_cursor"] else ""
    assert len(seen) == 5 and seen == sorted(seen)
    later = datetime.now(UTC) + timedelta(seconds=1)
    with tenant_scope(tenant.tenant.id):
        await AdviceCase.filter(id=seen[-1]).update(updated_at=later + timedelta(seconds=5))
    since = later.isoformat().replace("+00:00", "Z")
    synced = await api.get(CASES, params={"updated_since": since}, headers=bearer(secret))
    assert [item["id"] for item in synced.json()["items"]] == [seen[-1]]


async def test_the_list_sends_the_same_queries_for_3_or_30_cases(api, tenant, kai) -> None:
    secret = await make_token(tenant, ["cases:read"])

    async def queries() -> int:
        with count_queries() as counter:
            answer = await api.get(f"{CASES}?limit=200", headers=bearer(secret))
        assert answer.status_code == 200
        return counter.count

    for _ in range(3):
        await open_case(tenant, kai)
    await queries()  # the token's first use is written down (once a minute)
    few = await queries()
    for _ in range(27):
        await open_case(tenant, kai)
    assert await queries() == few


async def test_the_product_lines_say_what_a_risk_holds(api, tenant) -> None:
    secret = await make_token(tenant, ["cases:read"])
    lines = (await api.get("/api/v1/product-lines", headers=bearer(secret, **DE))).json()["items"]
    kfz_line = next(line for line in lines if line["key"] == "kfz")
    assert kfz_line["label"] == "Kfz" and kfz_line["risk_label"] == "Fahrzeug"
    mileage = next(a for a in kfz_line["attributes"] if a["key"] == "annual_mileage")
    assert (mileage["type"], mileage["required"], mileage["maximum"]) == ("int", False, "500000")
    assert next(line for line in lines if line["key"] == "sonstige")["free_attributes"] is True


async def test_a_jump_in_link_from_the_api_logs_the_member_in_once(
    api, client_for, tenant, passwords, kai
) -> None:
    anna = await staff_member(tenant, passwords, "anna", access_insurance="write")
    ben = await staff_member(tenant, passwords, "ben", access_insurance="write")
    with tenant_scope(tenant.tenant.id):
        await ContactResponsible.create(contact_id=kai.id, user_id=anna.id)
    case = await open_case(tenant, kai, external_id="MVP-9")
    secret = await make_token(tenant, ["jump_links:write"], name="MVP")  # its own scope
    links = "/api/v1/jump-links"
    made = await api.post(
        links, json={"username": "anna", "case_external_id": "MVP-9"}, headers=bearer(secret)
    )
    assert made.status_code == 201, made.text
    link = made.json()
    assert (link["user_id"], link["target_type"], link["target_id"]) == (anna.id, "case", case.id)
    assert link["url"].startswith(f"http://{tenant.hostname}/jump/")
    with tenant_scope(tenant.tenant.id):
        stored = await JumpLink.get(user_id=anna.id)
        token = await ApiToken.get(name="MVP")
    assert stored.created_by_token_id == token.id
    browser = client_for(tenant.hostname)
    opened = await browser.get(urlsplit(link["url"]).path)
    assert opened.headers["location"] == f"/staff/cases/{case.id}"
    assert (await browser.get(opened.headers["location"])).status_code == 200
    assert (await client_for(tenant.hostname).get(urlsplit(link["url"]).path)).status_code == 410
    for body, field in (
        ({"user_id": ben.id, "case_id": case.id}, "user_id"),  # not Kai's
        ({"username": "niemand", "case_id": case.id}, "username"),
        ({"user_id": anna.id}, "case_id"),
        ({"user_id": anna.id, "case_id": case.id, "contact_id": kai.id}, "case_id"),
        ({"user_id": anna.id, "case_external_id": "GIBT-ES-NICHT"}, "case_external_id"),
    ):
        assert field in field_messages(await api.post(links, json=body, headers=bearer(secret)))
    problem_of(
        await api.post(links, json={"user_id": anna.id, "case_id": 10**6}, headers=bearer(secret)),
        404,
    )
