"""Contracts through the API: create (naming the contact by id or external id), read,
change, delete; the folder's rules and exact amounts; Anbahnung and the staff's "Nicht
verbunden"; tokens and scopes, other tenants and other customers, idempotent retries, and
stale writes through the API and the staff form. Syncing: test_api_contracts_sync.py."""

from __future__ import annotations

import html
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, get_args

import pytest

from tenant_app.api.contract_models import ContractStatus
from tenant_app.models.activity import Event
from tenant_app.models.folders import Contract
from tenant_app.models.scoping import tenant_scope
from tenant_app.services import api_tokens
from tenant_app.text.formatting import DISPLAY_TZ
from tenant_app.vocabulary import CONTRACT_STATUSES
from tests.api_helpers import bearer, field_messages, make_token, problem_of
from tests.conftest import CUSTOMER_PASSWORD, actor_of, make_customer
from tests.folder_helpers import add_contract
from tests.html_forms import form_fields

CONTRACTS = "/api/v1/contracts"
DE = {"Accept-Language": "de"}
INSURER = "Condor Allgemeine Versicherungs-AG"


def hausrat(contact_id: int, **fields: Any) -> dict[str, Any]:
    return {
        "contact_id": contact_id,
        "folder": "insurance",
        "status": "active",
        "product_line": "Hausrat",
        "insurer_name": INSURER,
        "insurance_number": "HR-100/2024",
        "payment_method": "direct_debit",
        "payment_frequency": "monthly",
        "gross_premium": "12.50",
        **fields,
    }


def if_match(secret: str, version: int, **headers: str) -> dict[str, str]:
    return bearer(secret, **{"If-Match": f'"{version}"'}, **headers)


async def stored(tenant: Any, contract_id: int) -> Contract | None:
    with tenant_scope(tenant.tenant.id):
        return await Contract.get_or_none(id=contract_id)


@pytest.fixture
async def kai(tenant: Any, passwords: Any) -> Any:
    """A customer who sees his insurance folder."""
    return await make_customer(tenant, passwords, insurance_unlock=True, insurance_share=True)


async def test_a_created_contract_reads_back_and_reaches_staff_and_customer(
    client_for: Any, tenant: Any, kai: Any
) -> None:
    api = client_for(tenant.hostname)
    secret = await make_token(tenant, ["contracts:write"])
    made = await api.post(
        CONTRACTS, json=hausrat(kai.id, external_id="V-77"), headers=bearer(secret)
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert made.headers["location"] == f"{CONTRACTS}/{body['id']}"
    assert made.headers["etag"] == '"1"'
    assert body["gross_premium"] == "12.50" and body["insurer_name"] == INSURER
    assert body["insurer_id"] is not None and body["connected"] is True
    assert (body["contact_id"], body["external_id"], body["status"]) == (kai.id, "V-77", "active")
    assert body["deleted_at"] is None and body["created_by_customer"] is False
    read = await api.get(f"{CONTRACTS}/{body['id']}", headers=bearer(secret))
    assert read.json() == body
    with tenant_scope(tenant.tenant.id):
        event = await Event.get(kind="contract_added", object_id=body["id"])
    assert event.actor_kind == "staff" and "BMS-Sync" in event.actor_name  # the token

    staff = client_for(tenant.hostname)
    await staff.log_in("alpha-admin")
    folder = await staff.get(f"/staff/contacts/{kai.id}/folders/insurance", headers=DE)
    assert "HR-100/2024" in folder.text and "V-77" in folder.text
    customer = client_for(tenant.hostname)
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    assert "HR-100/2024" in (await customer.get("/portal/folders/insurance")).text


async def test_amounts_are_exact_whatever_json_sends(client: Any, tenant: Any, kai: Any) -> None:
    secret = await make_token(tenant, ["contracts:write"])
    for sent, kept in (
        ("1234.56", "1234.56"),
        (89.9, "89.90"),
        (0, "0.00"),
        (1000, "1000.00"),
        ("9999999999.99", "9999999999.99"),
        (None, None),
    ):
        made = await client.post(
            CONTRACTS, json=hausrat(kai.id, gross_premium=sent), headers=bearer(secret)
        )
        assert made.status_code == 201, (sent, made.text)
        assert made.json()["gross_premium"] == kept
        contract = await stored(tenant, made.json()["id"])
        assert contract is not None
        assert contract.gross_premium == (None if kept is None else Decimal(kept))
    wrong = "Bitte den Betrag als Zahl mit höchstens zwei Nachkommastellen senden."
    # never German notation through the API: "12.345" is not twelve thousand euros
    for sent in ("12.345", 12.345, "12,50", "-5", -5, "1e3", "abc", True, "10000000000.00"):
        refused = await client.post(
            CONTRACTS, json=hausrat(kai.id, gross_premium=sent), headers=bearer(secret, **DE)
        )
        assert field_messages(refused) == {"gross_premium": wrong}, sent
    for literal in (b"NaN", b"Infinity", b"1e400"):
        raw = b'{"contact_id": %d, "product_line": "Hausrat", "insurer_name": "%s",' % (
            kai.id,
            INSURER.encode(),
        )
        raw += b' "insurance_number": "1", "gross_premium": ' + literal + b"}"
        refused = await client.post(
            CONTRACTS,
            content=raw,
            headers=bearer(secret, **DE, **{"Content-Type": "application/json"}),
        )
        assert field_messages(refused) == {"gross_premium": wrong}, literal


async def test_the_folder_rules_apply_as_in_the_staff_form(
    client: Any, tenant: Any, kai: Any
) -> None:
    secret = await make_token(tenant, ["contracts:write"])
    empty = await client.post(
        CONTRACTS,
        json={"contact_id": kai.id, "product_line": " ", "status": "sonstwas"},
        headers=bearer(secret, **DE),
    )
    assert field_messages(empty) == {
        "product_line": "Dieses Feld ist ein Pflichtfeld.",
        "status": "Bitte wählen Sie einen Status.",
    }
    no_insurer = await client.post(
        CONTRACTS,
        json={"contact_id": kai.id, "product_line": "Hausrat"},
        headers=bearer(secret, **DE),
    )
    assert set(field_messages(no_insurer)) == {"insurer_name", "insurance_number"}
    unknown = await client.post(
        CONTRACTS,
        json=hausrat(kai.id, insurer_name="Gibt es nicht AG"),
        headers=bearer(secret, **DE),
    )
    assert field_messages(unknown) == {
        "insurer_name": "Bitte einen Versicherer aus der Liste wählen."
    }
    # the catalogue's spelling, however the broker's system writes it
    lower = await client.post(
        CONTRACTS, json=hausrat(kai.id, insurer_name=INSURER.lower()), headers=bearer(secret)
    )
    assert lower.status_code == 201 and lower.json()["insurer_name"] == INSURER
    # other folders: a free provider, no number needed; no payments in the emergency folder
    will = await client.post(
        CONTRACTS,
        json={
            "contact_id": kai.id,
            "folder": "emergency",
            "product_line": "Testament",
            "gross_premium": "5.00",
            "payment_frequency": "monthly",
        },
        headers=bearer(secret),
    )
    assert will.status_code == 201, will.text
    assert (will.json()["gross_premium"], will.json()["payment_frequency"]) == (None, "")


async def test_a_prospect_is_anbahnung_and_unconnected_without_an_external_id(
    client: Any, tenant: Any, kai: Any
) -> None:
    assert get_args(ContractStatus) == CONTRACT_STATUSES
    secret = await make_token(tenant, ["contracts:write"])
    made = await client.post(
        CONTRACTS, json=hausrat(kai.id, status="prospect"), headers=bearer(secret)
    )
    body = made.json()
    assert (body["status"], body["connected"], body["external_id"]) == ("prospect", False, None)
    await client.log_in("alpha-admin")
    folder = await client.get(f"/staff/contacts/{kai.id}/folders/insurance", headers=DE)
    card = html.unescape(folder.text)
    assert "Anbahnung" in card
    assert f'id="not-connected-{body["id"]}"' in card and "Nicht verbunden" in card
    assert "nicht mit ihrem verwaltungsprogramm verbunden" in card.lower()


async def test_an_offer_carries_its_validity_and_a_past_one_is_refused(
    client: Any, tenant: Any, kai: Any
) -> None:
    secret = await make_token(tenant, ["contracts:write"])
    until = (datetime.now(DISPLAY_TZ).date() + timedelta(days=14)).isoformat()
    made = await client.post(
        CONTRACTS, json=hausrat(kai.id, status="offer", valid_until=until), headers=bearer(secret)
    )
    assert made.status_code == 201 and made.json()["valid_until"] == until
    contract = await stored(tenant, made.json()["id"])
    assert contract is not None and contract.valid_until.isoformat() == until
    past = (datetime.now(DISPLAY_TZ).date() - timedelta(days=1)).isoformat()
    refused = await client.post(
        CONTRACTS,
        json=hausrat(kai.id, status="offer", valid_until=past, insurance_number="HR-2"),
        headers=bearer(secret),
    )
    assert refused.status_code == 422 and "valid_until" in field_messages(refused)
    with tenant_scope(tenant.tenant.id):
        assert await Contract.filter(insurance_number="HR-2").count() == 0


async def test_not_connected_shows_only_while_a_token_works(
    client: Any, tenant: Any, kai: Any
) -> None:
    linked = await add_contract(tenant, kai, number="V-1")
    unknown = await add_contract(tenant, kai, number="V-2")
    with tenant_scope(tenant.tenant.id):
        await Contract.filter(id=linked.id).update(external_id="BMS-1")
    await client.log_in("alpha-admin")
    path = f"/staff/contacts/{kai.id}/folders/insurance"
    assert "not-connected-" not in (await client.get(path)).text  # no token: nothing to say
    await make_token(tenant, ["contacts:read"])
    page = (await client.get(path)).text
    assert f'id="not-connected-{unknown.id}"' in page
    assert f'id="not-connected-{linked.id}"' not in page
    with tenant_scope(tenant.tenant.id):
        admin = await actor_of("alpha-admin")
        for token in await api_tokens.tokens(admin):
            await api_tokens.revoke_token(admin, token.id)
    assert "not-connected-" not in (await client.get(path)).text


async def test_the_contact_is_named_by_id_or_by_external_id(
    client: Any, tenant: Any, other_tenant: Any, passwords: Any, kai: Any
) -> None:
    secret = await make_token(tenant, ["contacts:write", "contracts:write"])
    await client.patch(
        f"/api/v1/contacts/{kai.id}", json={"external_id": "K-1"}, headers=if_match(secret, 1)
    )
    by_external = hausrat(None, contact_external_id="K-1")
    del by_external["contact_id"]
    made = await client.post(CONTRACTS, json=by_external, headers=bearer(secret))
    assert made.status_code == 201 and made.json()["contact_id"] == kai.id

    theirs = await make_customer(other_tenant, passwords, email="olga@kunde.example")
    for body, field in (
        (hausrat(theirs.id), "contact_id"),
        (hausrat(999_999), "contact_id"),
        ({**by_external, "contact_external_id": "K-2"}, "contact_external_id"),
    ):
        refused = await client.post(CONTRACTS, json=body, headers=bearer(secret, **DE))
        assert field_messages(refused) == {field: "Diesen Kontakt gibt es nicht."}
    for body in (
        {**by_external, "contact_id": kai.id},
        by_external | {"contact_external_id": None},
    ):
        assert set(
            field_messages(await client.post(CONTRACTS, json=body, headers=bearer(secret)))
        ) == {"contact_id"}
    with tenant_scope(other_tenant.tenant.id):
        assert await Contract.all().count() == 0


async def test_a_token_without_the_scope_gets_403_and_changes_nothing(
    client: Any, tenant: Any, kai: Any
) -> None:
    contract = await add_contract(tenant, kai)
    reader = await make_token(tenant, ["contracts:read"], name="Leser")
    contacts_only = await make_token(tenant, ["contacts:write"], name="Kontakte")
    path = f"{CONTRACTS}/{contract.id}"
    assert (await client.get(path, headers=bearer(reader))).status_code == 200
    problem_of(await client.post(CONTRACTS, json=hausrat(kai.id), headers=bearer(reader)), 403)
    problem_of(await client.patch(path, json={"note": "x"}, headers=if_match(reader, 1)), 403)
    problem_of(await client.delete(path, headers=if_match(reader, 1)), 403)
    upsert = await client.put(
        f"{CONTRACTS}/external/X-1", json=hausrat(kai.id), headers=bearer(reader)
    )
    problem_of(upsert, 403)
    for read in (CONTRACTS, path):
        problem_of(await client.get(read, headers=bearer(contacts_only)), 403)
    after = await stored(tenant, contract.id)
    assert after is not None and after.note == "" and after.version == 1
    with tenant_scope(tenant.tenant.id):
        assert await Contract.all().count() == 1


async def test_another_tenants_contracts_are_not_found(
    client: Any, tenant: Any, other_tenant: Any, passwords: Any
) -> None:
    olga = await make_customer(other_tenant, passwords, email="olga@kunde.example")
    theirs = await add_contract(other_tenant, olga, number="FREMD-1")
    with tenant_scope(other_tenant.tenant.id):
        await Contract.filter(id=theirs.id).update(external_id="FREMD-1")
    secret = await make_token(tenant)
    for missing in (theirs.id, 999_999):
        path = f"{CONTRACTS}/{missing}"
        problem_of(await client.get(path, headers=bearer(secret)), 404)
        problem_of(await client.patch(path, json={"note": "x"}, headers=if_match(secret, 1)), 404)
        problem_of(await client.delete(path, headers=if_match(secret, 1)), 404)
    listed = await client.get(CONTRACTS, params={"external_id": "FREMD-1"}, headers=bearer(secret))
    assert listed.json()["items"] == []
    after = await stored(other_tenant, theirs.id)
    assert after is not None and after.note == "" and after.version == 1


async def test_a_contract_stays_with_its_customer_and_in_its_folder(
    client: Any, tenant: Any, passwords: Any, kai: Any
) -> None:
    olga = await make_customer(tenant, passwords, email="olga@kunde.example", first_name="Olga")
    secret = await make_token(tenant, ["contracts:write"])
    path = f"{CONTRACTS}/external/V-9"
    assert (await client.put(path, json=hausrat(kai.id), headers=bearer(secret))).status_code == 201
    moved = await client.put(path, json=hausrat(olga.id), headers=if_match(secret, 1, **DE))
    assert field_messages(moved) == {"contact_id": "Ein Vertrag bleibt bei seinem Kontakt."}
    refiled = await client.put(
        path, json=hausrat(kai.id, folder="finance"), headers=if_match(secret, 1, **DE)
    )
    assert field_messages(refiled) == {"folder": "Ein Vertrag bleibt in seinem Ordner."}
    made = (
        await client.get(CONTRACTS, params={"external_id": "V-9"}, headers=bearer(secret))
    ).json()
    contract_id = made["items"][0]["id"]
    patched = await client.patch(
        f"{CONTRACTS}/{contract_id}", json={"contact_id": olga.id}, headers=if_match(secret, 1)
    )
    assert set(field_messages(patched)) == {"contact_id"}
    olgas = await client.get(CONTRACTS, params={"contact_id": olga.id}, headers=bearer(secret))
    assert olgas.json()["items"] == []
    after = await stored(tenant, contract_id)
    assert after is not None and (after.contact_id, after.folder) == (kai.id, "insurance")


async def test_a_patch_changes_only_the_fields_sent(client: Any, tenant: Any, kai: Any) -> None:
    secret = await make_token(tenant, ["contracts:write"])
    made = (await client.post(CONTRACTS, json=hausrat(kai.id), headers=bearer(secret))).json()
    path = f"{CONTRACTS}/{made['id']}"
    changed = await client.patch(
        path,
        json={"status": "cancelled", "gross_premium": None, "external_id": "V-1"},
        headers=if_match(secret, 1),
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert changed.headers["etag"] == '"2"'
    assert (body["status"], body["gross_premium"], body["connected"]) == ("cancelled", None, True)
    kept = ("product_line", "insurer_name", "insurance_number", "payment_method")
    assert {key: body[key] for key in kept} == {key: made[key] for key in kept}
    with tenant_scope(tenant.tenant.id):
        event = await Event.get(kind="contract_edited", object_id=made["id"])
    assert event.changes == {"status": ["active", "cancelled"], "gross_premium": ["12.50", None]}
    null_note = await client.patch(path, json={"note": None}, headers=if_match(secret, 2))
    assert set(field_messages(null_note)) == {"note"}


async def test_a_stale_or_missing_if_match_changes_nothing(
    client: Any, tenant: Any, kai: Any
) -> None:
    secret = await make_token(tenant, ["contracts:write", "documents:write"])
    made = (await client.post(CONTRACTS, json=hausrat(kai.id), headers=bearer(secret))).json()
    path = f"{CONTRACTS}/{made['id']}"
    assert (
        await client.patch(path, json={"note": "A"}, headers=if_match(secret, 1))
    ).status_code == 200
    stale = await client.patch(path, json={"note": "B"}, headers=if_match(secret, 1, **DE))
    conflict = problem_of(stale, 412)
    assert conflict["current_version"] == 2 and stale.headers["etag"] == '"2"'
    assert any(error["field"] == "note" for error in conflict["errors"])
    problem_of(await client.patch(path, json={"note": "B"}, headers=bearer(secret)), 428)
    problem_of(await client.delete(path, headers=bearer(secret)), 428)
    problem_of(await client.delete(path, headers=if_match(secret, 1)), 412)
    after = await stored(tenant, made["id"])
    assert after is not None and (after.note, after.version) == ("A", 2)
    deleted = await client.delete(path, headers=if_match(secret, 2))
    assert deleted.status_code == 204
    assert await stored(tenant, made["id"]) is None
    problem_of(await client.get(path, headers=bearer(secret)), 404)


async def test_an_api_write_between_loading_and_saving_the_staff_form_is_not_lost(
    client_for: Any, tenant: Any, kai: Any
) -> None:
    contract = await add_contract(tenant, kai, number="V-1")
    secret = await make_token(tenant, ["contracts:write"])
    staff, api = client_for(tenant.hostname), client_for(tenant.hostname)
    await staff.log_in("alpha-admin")
    path = f"/staff/contacts/{kai.id}/contracts/{contract.id}"
    form = form_fields((await staff.get(path)).text, path)

    changed = await api.patch(
        f"{CONTRACTS}/{contract.id}",
        json={"insurance_number": "V-API"},
        headers=if_match(secret, 1),
    )
    assert changed.status_code == 200
    refused = await staff.submit(path, {**form, "note": "Vom Büro"}, headers=DE)
    assert refused.status_code == 409
    text = html.unescape(refused.text)
    assert "V-API" in text and "Vom Büro" in text  # what is stored, and what was typed
    after = await stored(tenant, contract.id)
    assert after is not None and (after.insurance_number, after.note) == ("V-API", "")

    again = form_fields(text, path)
    assert (await staff.submit(path, again)).status_code == 303  # deliberately, seeing both
    stale = await api.patch(
        f"{CONTRACTS}/{contract.id}", json={"note": "Vom BMS"}, headers=if_match(secret, 2)
    )
    assert problem_of(stale, 412)["current_version"] == 3
    after = await stored(tenant, contract.id)
    assert after is not None and after.note == "Vom Büro"


async def test_a_retried_post_answers_the_same_and_creates_one_contract(
    client: Any, tenant: Any, kai: Any
) -> None:
    secret = await make_token(tenant, ["contracts:write"])
    headers = bearer(secret, **{"Idempotency-Key": "vertrag-1"})
    first = await client.post(CONTRACTS, json=hausrat(kai.id), headers=headers)
    again = await client.post(CONTRACTS, json=hausrat(kai.id), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["etag"] == first.headers["etag"]
    assert again.headers["location"] == first.headers["location"]
    other = await client.post(CONTRACTS, json=hausrat(kai.id, note="anders"), headers=headers)
    problem_of(other, 422)
    with tenant_scope(tenant.tenant.id):
        assert await Contract.all().count() == 1
        assert await Event.filter(kind="contract_added").count() == 1
