"""The core holds nothing of the reference plug-in: a second, tiny plug-in (tests/tiny_plugin.py:
motor vehicles, a step of its own, an API key instead of a login, no HTTP at all), installed
as a third party's package would be, is set up, applied through, refused and finalized over
the same pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tenant_app.models.folders import Contract, Document
from tenant_app.models.scoping import tenant_scope
from tenant_app.services import insured_objects
from tests.application_helpers import (
    answer,
    error_next_to,
    moved_on,
    page_of,
    send,
    sign_by_click,
    start,
    stored,
    text_of,
)
from tests.case_helpers import actor, in_tenant
from tests.conftest import make_customer
from tests.plugin_install import installed_distribution
from tests.tiny_plugin import API_KEY

CAR = {"make": "Fiat", "model": "500", "annual_mileage": "12.000"}


@pytest.fixture
def tiny(tmp_path: Path) -> Iterator[None]:
    with installed_distribution(tmp_path, {"tiny": "tests.tiny_plugin:plugin"}):
        yield


async def _world(tenant: Any, passwords: Any, client: Any) -> SimpleNamespace:
    """The admin sets the tiny insurer up through the settings pages; a customer's car."""
    await client.log_in("alpha-admin")
    page = "/staff/settings/insurer-accounts/tiny"

    async def sent(path: str, fields: dict[str, str]) -> int:
        version = re.search(r'name="version" value="(\d+)"', (await client.get(page)).text)
        stamp = {"version": version.group(1)} if version else {}
        answer = await client.submit(path, {**fields, **stamp}, form_page=page)
        return int(answer.status_code)

    assert await sent(page, {"action": "credentials", "credential_api_key": API_KEY}) == 303
    assert await sent(page, {"action": "activate"}) == 303
    field = f"agent_{tenant.admin.id}"
    # the tiny insurer's agent numbers have six digits
    assert await sent(f"{page}/agents", {field: "VM-10001"}) == 422
    assert await sent(f"{page}/agents", {field: "123456"}) == 303
    contact = await make_customer(tenant, passwords, insurance_share=True)
    async with in_tenant(tenant):
        staff = await actor("alpha-admin")
        car = await insured_objects.create_object(
            staff, contact, values={"product_line": "kfz", "label": ""}, attributes=CAR
        )
    return SimpleNamespace(admin=client, contact=contact, object_id=car.id)


async def test_a_second_plugin_is_set_up_and_applied_through_on_the_same_pages(
    tenant, passwords, client, tiny
) -> None:
    world = await _world(tenant, passwords, client)
    shown = text_of((await client.get(f"/staff/objects/{world.object_id}")).text)
    assert "Kleinwagen Direkt Versicherung AG" in shown and "Radschutz" not in shown
    app_id = await start(client, world.object_id, plugin="tiny")
    first = text_of(await page_of(client, app_id))
    assert "Schritt 1 von 2" in first and "Kilometer im Jahr" in first
    too_many = await answer(client, app_id, "driver", mileage="60.000")
    assert too_many.status_code == 422 and error_next_to(too_many.text, "mileage")
    await moved_on(client, app_id, "driver", mileage="45.000", young_driver="on")
    refused = await send(client, app_id)  # the insurer's own refusal, next to its field
    assert refused.status_code == 422
    assert "Über 40.000 km versichern wir nicht." in text_of(refused.text)
    assert (await stored(tenant, app_id)).status == "draft"
    await client.get(f"/staff/applications/{app_id}?step=driver")
    await moved_on(client, app_id, "driver", mileage="15.000", young_driver="on")
    assert (await send(client, app_id)).status_code == 303
    assert (await sign_by_click(client, app_id, world.contact.full_name)).status_code == 303
    page = f"/staff/applications/{app_id}"
    done = await client.submit(f"{page}/finalize", {"confirm": "on"}, form_page=page)
    assert done.status_code == 303, done.text[:2000]
    application = await stored(tenant, app_id)
    with tenant_scope(tenant.tenant.id):
        contract = await Contract.get(id=application.contract_id)
        papers = await Document.filter(contract_id=contract.id).values_list("title", flat=True)
    assert contract.insurer_name == "Kleinwagen Direkt Versicherung AG"
    assert str(contract.gross_premium) == "90.00"  # (30 + 15) × 2 for a driver under 25
    assert sorted(papers) == ["Antrag Kleinwagen", "Versicherungsschein Kleinwagen"]


async def test_a_plugin_gone_with_its_package_leaves_its_applications_readable(
    tenant, passwords, client, tmp_path
) -> None:
    with installed_distribution(tmp_path, {"tiny": "tests.tiny_plugin:plugin"}):
        world = await _world(tenant, passwords, client)
        app_id = await start(client, world.object_id, plugin="tiny")
    page = await client.get(f"/staff/applications/{app_id}")
    assert page.status_code == 200
    assert "nicht mehr installiert" in text_of(page.text)
