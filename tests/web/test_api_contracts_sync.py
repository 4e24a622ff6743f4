"""Contracts as the broker's system keeps them in step: cursor pages, filters, incremental
sync (also of a customer's delete in the portal), upserts by external id, unique external ids
(also when two requests race) and constant query counts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tenant_app.models.activity import Event
from tenant_app.models.folders import Contract
from tenant_app.models.scoping import tenant_scope
from tenant_app.services import contract_sync
from tests.api_helpers import bearer, field_messages, make_token, problem_of
from tests.conftest import CUSTOMER_PASSWORD, count_queries, make_customer
from tests.folder_helpers import add_contract
from tests.web.test_api_contracts import CONTRACTS, DE, hausrat, if_match


@pytest.fixture
async def kai(tenant: Any, passwords: Any) -> Any:
    """A customer who sees his insurance folder (and may delete the broker's contracts)."""
    return await make_customer(tenant, passwords, insurance_unlock=True, insurance_share=True)


async def test_pages_filters_and_updated_since(
    client: Any, tenant: Any, passwords: Any, kai: Any
) -> None:
    olga = await make_customer(tenant, passwords, email="olga@kunde.example", first_name="Olga")
    secret = await make_token(tenant, ["contracts:write"])
    ids = []
    for number in range(5):
        body = hausrat(kai.id if number < 4 else olga.id, insurance_number=f"N-{number}")
        if number == 1:
            body |= {"status": "prospect", "external_id": "X-1"}
        ids.append((await client.post(CONTRACTS, json=body, headers=bearer(secret))).json()["id"])
    other_folder = {
        "contact_id": kai.id,
        "folder": "other",
        "product_line": "Strom",
        "insurer_name": "Stadtwerke",
    }
    ids.append(
        (await client.post(CONTRACTS, json=other_folder, headers=bearer(secret))).json()["id"]
    )

    async def found(**params: Any) -> list[int]:
        seen: list[int] = []
        cursor = None
        while True:
            query = {"limit": 2, **params, **({"cursor": cursor} if cursor else {})}
            page = await client.get(CONTRACTS, params=query, headers=bearer(secret))
            assert page.status_code == 200, page.text
            seen += [item["id"] for item in page.json()["items"]]
            cursor = page.json()["next_cursor"]
            if cursor is None:
                return seen

    assert await found() == ids
    assert await found(contact_id=olga.id) == [ids[4]]
    assert await found(status="prospect") == [ids[1]]
    assert await found(external_id="X-1") == [ids[1]]
    assert await found(folder="other") == [ids[5]]
    assert set(
        field_messages(await client.get(CONTRACTS, params={"folder": "x"}, headers=bearer(secret)))
    ) == {"folder"}

    with tenant_scope(tenant.tenant.id):
        await Contract.all().update(updated_at=datetime(2020, 1, 1, tzinfo=UTC))
    since = datetime(2021, 1, 1, tzinfo=UTC).isoformat()
    assert await found(updated_since=since) == []
    await client.patch(f"{CONTRACTS}/{ids[3]}", json={"note": "neu"}, headers=if_match(secret, 1))
    assert await found(updated_since=since) == [ids[3]]
    # the customer deleting one in the portal (staff can restore it) is a change too
    await client.log_in("kai", CUSTOMER_PASSWORD)
    deleted = await client.submit(
        f"/portal/contracts/{ids[2]}/delete", form_page="/portal/folders/insurance"
    )
    assert deleted.status_code == 303
    assert await found(updated_since=since) == [ids[2], ids[3]]
    read = (await client.get(f"{CONTRACTS}/{ids[2]}", headers=bearer(secret))).json()
    assert read["deleted_at"] is not None and read["version"] == 2


async def test_an_upsert_creates_then_replaces_by_external_id(
    client: Any, tenant: Any, kai: Any
) -> None:
    secret = await make_token(tenant, ["contracts:write"])
    path = f"{CONTRACTS}/external/BMS/V-1"
    created = await client.put(path, json=hausrat(kai.id), headers=bearer(secret))
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["external_id"] == "BMS/V-1" and body["connected"] is True
    problem_of(await client.put(path, json=hausrat(kai.id), headers=bearer(secret)), 428)
    replaced = await client.put(
        path,
        json=hausrat(kai.id, status="ended", note="", gross_premium=None),
        headers=if_match(secret, 1),
    )
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["id"] == body["id"] and replaced.json()["version"] == 2
    assert (replaced.json()["status"], replaced.json()["gross_premium"]) == ("ended", None)
    problem_of(await client.put(path, json=hausrat(kai.id), headers=if_match(secret, 1)), 412)
    with tenant_scope(tenant.tenant.id):
        assert await Contract.all().count() == 1


async def test_an_external_id_belongs_to_one_contract(client: Any, tenant: Any, kai: Any) -> None:
    secret = await make_token(tenant, ["contracts:write"])
    await client.post(CONTRACTS, json=hausrat(kai.id, external_id="V-1"), headers=bearer(secret))
    twice = await client.post(
        CONTRACTS, json=hausrat(kai.id, external_id="V-1"), headers=bearer(secret, **DE)
    )
    assert field_messages(twice) == {
        "external_id": "Ein anderer Vertrag hat bereits diese externe ID."
    }
    second = (await client.post(CONTRACTS, json=hausrat(kai.id), headers=bearer(secret))).json()
    taken = await client.patch(
        f"{CONTRACTS}/{second['id']}", json={"external_id": "V-1"}, headers=if_match(secret, 1)
    )
    assert set(field_messages(taken)) == {"external_id"}
    with tenant_scope(tenant.tenant.id):
        assert await Contract.filter(external_id="V-1").count() == 1


async def test_listing_contracts_costs_the_same_queries_for_few_and_many(
    client: Any, tenant: Any, kai: Any
) -> None:
    secret = await make_token(tenant, ["contracts:read"])
    await add_contract(tenant, kai)

    async def queries() -> int:
        await client.get(CONTRACTS, headers=bearer(secret))
        with count_queries() as counter:
            response = await client.get(CONTRACTS, params={"limit": 200}, headers=bearer(secret))
        assert response.status_code == 200
        return counter.count

    few = await queries()
    for number in range(40):
        await add_contract(tenant, kai, number=f"V-{number}")
    many = await queries()
    assert few == many
    assert many <= 3  # token, rate limit, the contracts


async def test_two_requests_racing_for_an_external_id_leave_one_contract(
    client: Any, tenant: Any, kai: Any, monkeypatch: Any
) -> None:
    secret = await make_token(tenant, ["contracts:write"])
    await client.post(CONTRACTS, json=hausrat(kai.id, external_id="V-1"), headers=bearer(secret))

    async def looked_too_early(*_args: Any, **_kwargs: Any) -> None:
        """As if the other request wrote its contract just after this one looked."""

    monkeypatch.setattr(contract_sync, "_check_external_id", looked_too_early)
    lost = await client.post(
        CONTRACTS, json=hausrat(kai.id, external_id="V-1"), headers=bearer(secret, **DE)
    )
    assert field_messages(lost) == {
        "external_id": "Ein anderer Vertrag hat bereits diese externe ID."
    }
    other = (await client.post(CONTRACTS, json=hausrat(kai.id), headers=bearer(secret))).json()
    taken = await client.patch(
        f"{CONTRACTS}/{other['id']}",
        json={"external_id": "V-1", "note": "weg"},
        headers=if_match(secret, 1),
    )
    assert set(field_messages(taken)) == {"external_id"}
    with tenant_scope(tenant.tenant.id):
        assert await Contract.filter(external_id="V-1").count() == 1
        assert await Contract.all().count() == 2
        assert (await Contract.get(id=other["id"])).note == ""
        assert await Event.filter(kind="contract_added").count() == 2  # none of the lost one
