"""An application moves once, whatever the browser does: two finalize clicks make one contract,
two sends file one paper, changed answers after a lost answer are sent under a new key (the
insurer would refuse the old one for other data), and an application can be called off and
started anew. Against the real reference insurer."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from tenant_app.models.cases import AdviceCase
from tenant_app.models.folders import Contract, Document
from tenant_app.models.interfaces import InterfaceApplication
from tenant_app.models.scoping import tenant_scope
from tests.application_helpers import (
    applying_world,
    send,
    sign_by_click,
    start,
    stored,
    submitted,
    text_of,
    to_review,
)
from tests.html_forms import form_fields


@pytest.fixture
async def world(tenant, settings, passwords, client, insurer) -> SimpleNamespace:
    return await applying_world(tenant, settings, passwords, client, insurer)


async def _finalize(world: SimpleNamespace, app_id: int) -> int:
    page = f"/staff/applications/{app_id}"
    sent = await world.admin.submit(f"{page}/finalize", {"confirm": "on"}, form_page=page)
    return int(sent.status_code)


async def test_two_finalize_clicks_make_one_contract(world, tenant) -> None:
    app_id = await submitted(world)
    assert (await sign_by_click(world.admin, app_id, world.contact.full_name)).status_code == 303
    world.insurer.fault("slow", count=2, seconds=0.5)  # both wait for the insurer together
    answers = await asyncio.gather(_finalize(world, app_id), _finalize(world, app_id))
    assert sorted(answers) == [303, 303]  # the second finds the first one's policy
    with tenant_scope(tenant.tenant.id):
        contracts = await Contract.filter(contact_id=world.contact.id).values_list("id", flat=True)
        papers = await Document.filter(contract_id__in=list(contracts)).count()
    assert len(contracts) == 1 and papers == 3  # the application and the two policy documents
    assert (await stored(tenant, app_id)).contract_id == contracts[0]


async def test_two_sends_file_one_paper(world, tenant) -> None:
    app_id = await to_review(world)
    world.insurer.fault("slow", count=2, seconds=0.5)
    answers = await asyncio.gather(send(world.admin, app_id), send(world.admin, app_id))
    assert sorted(answer.status_code for answer in answers)[0] == 303
    with tenant_scope(tenant.tenant.id):
        papers = await Document.filter(contact_id=world.contact.id, category="application")
    assert len(papers) == 1
    assert (await stored(tenant, app_id)).paper_id == papers[0].id


async def test_changed_answers_after_a_lost_answer_are_sent_under_a_new_key(world) -> None:
    app_id = await to_review(world)
    world.insurer.fault("slow", count=3, seconds=3)  # each try made at the insurer, all lost
    assert (await send(world.admin, app_id)).status_code == 422
    first_key = (await stored(world.tenant, app_id)).idempotency_key
    page = f"/staff/applications/{app_id}"
    shown = (await world.admin.get(f"{page}?step=customer")).text  # the review's "ändern"
    action = f"{page}/steps/customer"
    fields = {**form_fields(shown, action), "city": "Bonn"}
    fields.pop("back", None)
    changed = await world.admin.submit(action, fields, form_page=page)
    assert changed.status_code == 303
    assert (await stored(world.tenant, app_id)).idempotency_key != first_key
    sent = await send(world.admin, app_id)
    assert sent.status_code == 303, text_of(sent.text)[:500]
    application = await stored(world.tenant, app_id)
    assert application.status == "submitted" and application.external_id


async def test_an_application_called_off_can_be_started_anew(world, tenant) -> None:
    app_id = await submitted(world)
    page = f"/staff/applications/{app_id}"
    assert 'id="cancel-application"' in (await world.admin.get(page)).text
    called_off = await world.admin.submit(f"{page}/cancel", {}, form_page=page)
    assert called_off.status_code == 303
    assert called_off.headers["location"] == f"/staff/objects/{world.object_id}?cancelled=1"
    application = await stored(tenant, app_id)
    assert application.status == "cancelled"
    with tenant_scope(tenant.tenant.id):
        case = await AdviceCase.get(id=application.case_id)
    assert case.status == "cancelled"
    again = await world.admin.submit(f"{page}/cancel", {}, form_page=page)
    assert again.status_code == 422  # only an open one
    fresh = await start(world.admin, world.object_id)
    assert fresh != app_id
    with tenant_scope(tenant.tenant.id):
        assert await InterfaceApplication.filter(insured_object_id=world.object_id).count() == 2
