"""The insured object's page and an application's interface log ask the database the same
number of times however many applications and calls there are."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tenant_app.models.interfaces import InterfaceApplication, InterfaceCall
from tenant_app.models.scoping import tenant_scope
from tests.application_helpers import applying_world, moved_on, start
from tests.conftest import page_queries


@pytest.fixture
async def world(tenant, settings, passwords, client, insurer) -> SimpleNamespace:
    return await applying_world(tenant, settings, passwords, client, insurer)


async def test_the_object_page_asks_as_often_for_many_applications(world, tenant) -> None:
    app_id = await start(world.admin, world.object_id)
    path = f"/staff/objects/{world.object_id}"
    one = await page_queries(world.admin, path)
    with tenant_scope(tenant.tenant.id):
        first = await InterfaceApplication.get(id=app_id)
        for number in range(6):
            await InterfaceApplication.create(
                plugin=first.plugin,
                contact_id=first.contact_id,
                insured_object_id=first.insured_object_id,
                status="cancelled",
                idempotency_key=f"old-{number}",
                created_by_id=first.created_by_id,
            )
    page = await world.admin.get(path)
    assert page.text.count("/staff/applications/") >= 7  # all of them listed
    assert await page_queries(world.admin, path) == one


async def test_the_interface_log_asks_as_often_for_many_calls(world, tenant) -> None:
    app_id = await start(world.admin, world.object_id)
    await moved_on(world.admin, app_id, "object")
    await moved_on(world.admin, app_id, "object_data")  # the tariff: one call made
    path = f"/staff/applications/{app_id}/calls"
    few = await page_queries(world.admin, path)
    with tenant_scope(tenant.tenant.id):
        for attempt in range(12):
            await InterfaceCall.create(
                plugin="radschutz",
                application_id=app_id,
                operation="quote",
                method="POST",
                url="http://insurer.example/v1/quotes",
                attempt=attempt + 1,
                status_code=200,
            )
    assert await page_queries(world.admin, path) == few
