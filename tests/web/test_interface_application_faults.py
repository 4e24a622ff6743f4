"""An application through an insurer's interface when things go wrong, against the real
reference insurer: the insurer down or too slow while sending (the draft and every answer
kept, a clear message, sending later makes one application there: the idempotency key),
the firm's credentials refused, a staff member without an agent number, other tenants,
staff and customers (404), and the support log, which like every page and log line never
holds the insurer password."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest

from tenant_app.models.contacts import ContactResponsible
from tenant_app.models.folders import Document
from tenant_app.models.interfaces import InterfaceApplication, InterfaceCall
from tenant_app.models.scoping import tenant_scope
from tests.application_helpers import (
    agent_number,
    answer,
    applying_world,
    customer_with_ebike,
    moved_on,
    page_of,
    radschutz_account,
    send,
    start,
    stored,
    submitted,
    text_of,
    to_review,
)
from tests.conftest import CUSTOMER_PASSWORD
from tests.insurer_service import PASSWORD
from tests.web.test_tickets import make_staff

DOWN = "Radschutz Versicherung AG ist gerade nicht erreichbar."
KEPT = "Alle Eingaben bleiben als Entwurf gespeichert"


@pytest.fixture
async def world(tenant, settings, passwords, client, insurer) -> SimpleNamespace:
    return await applying_world(tenant, settings, passwords, client, insurer)


def applications_sent(insurer) -> list[dict]:
    """The insurer's record of POST /v1/applications, in the order received."""
    return [
        request
        for request in insurer.requests()
        if (request["method"], request["path"]) == ("POST", "/v1/applications")
    ]


async def test_the_insurer_down_keeps_the_draft_and_sending_later_makes_one_application(
    world, tenant
) -> None:
    app_id = await to_review(world)
    before = await stored(tenant, app_id)
    world.insurer.fault("error")
    failed = await send(world.admin, app_id)
    assert failed.status_code == 422
    assert DOWN in text_of(failed.text) and KEPT in text_of(failed.text)
    kept = await stored(tenant, app_id)
    assert (kept.status, kept.step, kept.answers) == ("draft", "review", before.answers)
    assert kept.last_error.startswith(DOWN)
    assert DOWN in text_of(await page_of(world.admin, app_id))  # also when coming back later

    world.insurer.fault("none")
    again = await send(world.admin, app_id)
    assert again.status_code == 303, again.text[:2000]
    done = await stored(tenant, app_id)
    assert (done.status, done.external_id, done.last_error) == ("submitted", "RS-A-000001", "")
    sent = applications_sent(world.insurer)
    assert [request["status"] for request in sent] == [500, 500, 500, 201]  # retried, then once
    assert {request["headers"]["idempotency-key"] for request in sent} == {done.idempotency_key}
    with tenant_scope(tenant.tenant.id):
        filed = await Document.filter(contact_id=world.contact.id, title__startswith="Antrag")
    assert len(filed) == 1


async def test_a_slow_insurer_is_given_up_on_and_sending_again_gets_the_same_application(
    world, tenant
) -> None:
    app_id = await to_review(world)
    world.insurer.fault("slow", seconds=3)  # longer than the tests' 2-second timeout
    failed = await send(world.admin, app_id)
    assert failed.status_code == 422 and DOWN in text_of(failed.text)
    assert (await stored(tenant, app_id)).status == "draft"

    world.insurer.fault("none")
    again = await send(world.admin, app_id)
    assert again.status_code == 303, again.text[:2000]
    done = await stored(tenant, app_id)
    assert done.external_id == "RS-A-000001"
    sent = applications_sent(world.insurer)
    assert {request["headers"]["idempotency-key"] for request in sent} == {done.idempotency_key}
    assert sent[-1]["status"] == 200  # the insurer had it already (from the slow try)
    with world.insurer.client() as insurer:
        assert insurer.get("/v1/applications/RS-A-000001/pdf").status_code == 200
        assert insurer.get("/v1/applications/RS-A-000002/pdf").status_code == 404


async def test_refused_credentials_are_said_clearly_and_asking_again_works(world, tenant) -> None:
    app_id = await start(world.admin, world.object_id)
    for step in ("object", "object_data"):
        await moved_on(world.admin, app_id, step)  # now at the tariff, calculated
    world.insurer.fault("auth")
    page = f"/staff/applications/{app_id}"
    refused = await world.admin.submit(f"{page}/quote", {}, form_page=page)
    assert refused.status_code == 422
    read = text_of(refused.text)
    assert "Radschutz Versicherung AG hat die Zugangsdaten der Firma abgelehnt." in read
    assert "Einstellungen › Onlinekonten" in read and "Noch kein Tarif berechnet." in read
    kept = await stored(tenant, app_id)
    assert kept.quote == {} and kept.answers["frame_number"] == "WRM-12345"

    world.insurer.fault("none")
    asked = await world.admin.submit(f"{page}/quote", {}, form_page=page)
    assert asked.headers["location"] == f"{page}?requoted=1"
    shown = text_of(await page_of(world.admin, app_id, "?requoted=1"))
    assert "Der Tarif wurde neu berechnet." in shown and "22,49 € monatlich" in shown
    assert "abgelehnt" not in shown


async def test_a_member_without_an_agent_number_is_refused_on_the_objects_page(
    tenant, settings, passwords, client, insurer
) -> None:
    await radschutz_account(tenant, settings)
    _contact, object_id = await customer_with_ebike(tenant, passwords)
    await client.log_in("alpha-admin")
    refused = await client.submit(
        f"/staff/objects/{object_id}/apply",
        {"plugin": "radschutz"},
        form_page=f"/staff/objects/{object_id}",
    )
    assert refused.status_code == 422
    read = text_of(refused.text)
    assert "Sie haben keine Vermittlernummer bei Radschutz Versicherung AG." in read
    assert 'id="object-state"' in refused.text  # the object's page, saying why
    with tenant_scope(tenant.tenant.id):
        assert await InterfaceApplication.all().count() == 0
    assert insurer.requests() == []


async def test_other_tenants_staff_without_rights_and_customers_reach_no_application(
    world, tenant, other_tenant, passwords, client_for
) -> None:
    app_id = await submitted(world)
    before = await stored(tenant, app_id)
    ben = await make_staff(tenant, passwords, "ben", "Ben", access_insurance="write")
    anna = await make_staff(tenant, passwords, "anna", "Anna")  # sees Kai, not his insurance
    with tenant_scope(tenant.tenant.id):
        await ContactResponsible.create(contact_id=world.contact.id, user_id=anna.id)
    await agent_number(tenant, ben.id, "VM-10002")
    await agent_number(tenant, anna.id, "VM-10003")
    intruders = []
    for host, login, password, home in (
        (other_tenant.hostname, "beta-admin", None, "/staff"),
        (tenant.hostname, "ben", None, "/staff"),
        (tenant.hostname, "anna", None, "/staff"),
        (tenant.hostname, "kai", CUSTOMER_PASSWORD, "/portal"),
    ):
        visitor = client_for(host)
        await (visitor.log_in(login, password) if password else visitor.log_in(login))
        intruders.append((login, visitor, home))
    one = f"/staff/applications/{app_id}"
    reads = (one, f"{one}/paper", f"{one}/calls")
    writes = (f"{one}/steps/object", f"{one}/quote", f"{one}/submit", f"{one}/sign")
    writes += (f"{one}/finalize", f"/staff/objects/{world.object_id}/apply")
    form = {"plugin": "radschutz", "way": "click", "consent": "on", "signer_name": "Kai Kunde"}
    form |= {"confirm": "on", "version": str(before.version), "object_type": "bike"}
    for login, visitor, home in intruders:
        for path in reads:
            assert (await visitor.get(path)).status_code == 404, (login, path)
        for path in writes:
            answered = await visitor.submit(path, form, form_page=home)
            assert answered.status_code == 404, (login, path)
    after = await stored(tenant, app_id)
    assert (after.status, after.version, after.signature) == ("submitted", before.version, "")
    for path in reads:  # the broker's own admin: all there
        assert (await world.admin.get(path)).status_code == 200, path


async def test_the_interface_log_shows_each_exchange_and_nothing_holds_the_password(
    world, tenant, passwords, client_for, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    app_id = await start(world.admin, world.object_id)
    await moved_on(world.admin, app_id, "object")
    world.insurer.fault("auth", count=1)
    refused = await answer(world.admin, app_id, "object_data")
    assert refused.status_code == 422
    for step in ("object_data", "tariff"):
        await moved_on(world.admin, app_id, step)
    await moved_on(world.admin, app_id, "security", approved_lock="on")
    await moved_on(world.admin, app_id, "customer")
    assert (await send(world.admin, app_id)).status_code == 303

    one = f"/staff/applications/{app_id}"
    assert 'id="application-log"' in await page_of(world.admin, app_id)
    log = await world.admin.get(f"{one}/calls")
    assert log.status_code == 200
    read = text_of(log.text)
    assert "Schnittstellenprotokoll" in read and "/v1/quotes" in read
    assert "POST" in read and "/v1/applications" in read and "GET" in read
    assert " 401 " in read and " 200 " in read and " 201 " in read
    assert "<details>" in log.text and "WRM-12345" in read  # the request's body
    pages = [log.text, await page_of(world.admin, app_id)]
    for path in (f"/staff/objects/{world.object_id}", f"/staff/contacts/{world.contact.id}"):
        pages.append((await world.admin.get(path)).text)
    assert all(PASSWORD not in page for page in pages)
    with tenant_scope(tenant.tenant.id):
        calls = await InterfaceCall.filter(application_id=app_id)
    assert len(calls) >= 5
    for call in calls:
        kept = (call.url, call.request_body, call.response_body, call.error)
        assert all(PASSWORD not in text for text in kept)
    assert PASSWORD not in caplog.text

    anna = await make_staff(tenant, passwords, "anna", "Anna", access_insurance="write")
    with tenant_scope(tenant.tenant.id):
        await ContactResponsible.create(contact_id=world.contact.id, user_id=anna.id)
    staff = client_for(tenant.hostname)
    await staff.log_in("anna")
    page = await staff.get(one)
    assert page.status_code == 200 and 'id="application-log"' not in page.text
    assert (await staff.get(f"{one}/calls")).status_code == 404  # administrators only
