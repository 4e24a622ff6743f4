"""Starting a tender from an advice case: the risk questions and a document go into a frozen
snapshot with its hash, the starter gets the request confirmation by mail and the backoffice a
notice; refused input shows next to its field and stores nothing."""

from __future__ import annotations

import hashlib
import json

import pytest

from tenant_app.models.activity import Event
from tenant_app.models.cases import AdviceCase
from tenant_app.models.folders import Document
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenders import BackofficeEngagement, Tender
from tests.conftest import text_of
from tests.folder_helpers import PDF_BYTES
from tests.tender_broker_helpers import (
    FREE_TEXT,
    broker_world,
    calculated_offer,
    pdf,
    start,
    stored_files,
)
from tests.tender_helpers import make_backoffice


@pytest.fixture
async def world(tenant, passwords, client_for):
    return await broker_world(tenant, passwords, client_for)


async def only_tender(tenant) -> Tender:
    with tenant_scope(tenant.tenant.id):
        return await Tender.get()


async def test_the_case_offers_to_start_a_tender(world) -> None:
    page = await world.admin.get(f"/staff/cases/{world.case.id}")
    assert page.status_code == 200
    assert 'id="case-tenders-gewerbe"' in page.text and 'id="tender-start-gewerbe"' in page.text
    assert 'id="tender-more-gewerbe"' not in page.text
    form = await world.admin.get(f"/staff/cases/{world.case.id}/tenders/new?line=gewerbe")
    assert form.status_code == 200
    for part in ("tender-frozen-warning", "step-customer", "f-answers.business_activity"):
        assert f'id="{part}"' in form.text
    assert "kai@kunde.example" in form.text and 'name="reason"' not in form.text
    assert "Nordlicht Backoffice" in form.text


async def test_a_started_tender_freezes_the_risk_and_mails_the_confirmation(
    world, tenant, deliver
) -> None:
    answer = await start(world.admin, world)
    assert answer.status_code == 303, answer.text[:2000]
    tender = await only_tender(tenant)
    assert answer.headers["location"] == f"/staff/tenders/{tender.id}?started=1"
    snapshot = tender.snapshot
    canonical = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert tender.snapshot_hash == hashlib.sha256(canonical.encode()).hexdigest()
    assert snapshot["customer"] == {
        "name": "Kai Kunde",
        "email": "kai@kunde.example",
        "street": "Ring 1",
        "postal_code": "50667",
        "city": "Köln",
        "country": "DE",
    }  # no birthdate, no phone: not ticked
    assert snapshot["answers"] == {
        "desired_deductible": "1000.00",
        "prior_claims": 2,
        "prior_claims_details": "2022: 3.400 €; 2024: 1.150 €",
        "desired_sum_insured": "2000000.00",
        "business_activity": "Schreinerei mit Ausstellungsraum",
        "annual_turnover": "1250000.00",
        "employees": 12,
    }
    assert snapshot["case_title"] == "Gewerbe Schreinerei" and snapshot["product_line"] == "gewerbe"
    assert [risk["label"] for risk in snapshot["risks"]] == ["Schreinerei Kunde"]
    assert snapshot["risks"][0]["attributes"] == {"trade": "Schreinerei", "employees": 12}
    assert snapshot["free_text"] == FREE_TEXT and snapshot["started_by"] == "Clara Chef"
    (document,) = snapshot["documents"]
    assert document["sha256"] == hashlib.sha256(PDF_BYTES).hexdigest()
    assert document["size"] == len(PDF_BYTES) and document["filename"].endswith(".pdf")
    with tenant_scope(tenant.tenant.id):
        filed = await Document.get(id=document["id"])
        event = await Event.get(kind="tender_started")
    assert filed.case_id == world.case.id and not filed.shared_with_customer
    assert (event.object_type, event.object_id, event.title) == ("tender", tender.id, tender.number)
    assert tender.status == "new" and tender.due_at > tender.created_at

    page = await world.admin.get(answer.headers["location"])
    assert page.status_code == 200
    assert tender.snapshot_hash in page.text and 'id="tender-confirmation"' in page.text
    assert f"/staff/documents/{document['id']}/download" in page.text

    mails = await deliver()
    (confirmation,) = [m for m in mails if m["To"] == "chef@alpha.example"]
    assert tender.number in confirmation["Subject"]
    body = text_of(confirmation)
    assert tender.snapshot_hash in body and "Kai Kunde" in body and "Nordlicht Backoffice" in body
    assert f"/staff/tenders/{tender.id}" in body
    (notice,) = [m for m in mails if m["To"] == "tender@nordlicht.example"]
    notice_text = text_of(notice)
    assert tender.number in notice_text and "Alpha Versicherungsmakler GmbH" in notice_text
    assert f"http://platform.localhost/backoffice/tenders/{tender.id}" in notice_text
    assert "Kai" not in notice_text + notice["Subject"] and "Schreinerei" not in notice_text


async def test_refused_input_is_shown_next_to_its_field_and_nothing_is_stored(
    world, tenant, settings
) -> None:
    files_before = stored_files(settings, tenant)
    with tenant_scope(tenant.tenant.id):
        version = (await AdviceCase.get(id=world.case.id)).updated_at
    answer = await start(
        world.admin,
        world,
        files=[("file", pdf()), ("file", ("virus.exe", b"MZ\x90\x00binary", "application/x-foo"))],
        **{
            "answers.business_activity": "",
            "answers.employees": "zwölf",
            "answers.prior_claims_details": "",
            "free_text": "Bleibt stehen",
        },
    )
    assert answer.status_code == 422
    for name in ("answers.business_activity", "answers.employees", "answers.prior_claims_details"):
        assert f'id="f-{name}-error"' in answer.text
    assert 'id="f-file-error"' in answer.text
    assert "Bleibt stehen" in answer.text and 'value="1.250.000"' in answer.text
    with tenant_scope(tenant.tenant.id):
        assert not await Tender.exists()
        assert not await Document.filter(case_id=world.case.id).exists()
        assert not await Event.filter(kind="tender_started").exists()
        assert (await AdviceCase.get(id=world.case.id)).updated_at == version
    assert stored_files(settings, tenant) == files_before


async def test_a_backoffice_not_engaged_is_refused(world, tenant) -> None:
    stranger = await make_backoffice("Fremdes Backoffice")
    answer = await start(world.admin, world, backoffice=str(stranger.id))
    assert answer.status_code == 422 and 'id="f-backoffice-error"' in answer.text
    with tenant_scope(tenant.tenant.id):
        assert not await Tender.exists()


async def test_without_an_engaged_backoffice_the_form_says_where_to_engage_one(
    world, tenant
) -> None:
    with tenant_scope(tenant.tenant.id):
        await BackofficeEngagement.all().delete()
    form = await world.admin.get(f"/staff/cases/{world.case.id}/tenders/new")
    assert 'id="no-backoffice"' in form.text and "/staff/settings/backoffices" in form.text
    assert 'id="tender-submit"' not in form.text


async def test_more_offers_need_a_reason_once_offers_were_calculated(world, tenant) -> None:
    await calculated_offer(tenant, world.case)
    page = await world.admin.get(f"/staff/cases/{world.case.id}")
    assert 'id="tender-more-gewerbe"' in page.text and 'id="tender-start-gewerbe"' not in page.text
    form = await world.admin.get(f"/staff/cases/{world.case.id}/tenders/new?line=gewerbe")
    assert 'name="reason"' in form.text
    refused = await start(world.admin, world, files=[])
    assert refused.status_code == 422 and 'id="f-reason-error"' in refused.text
    started = await start(world.admin, world, files=[], reason="Rechner deckt Absauganlage nicht")
    assert started.status_code == 303
    tender = await only_tender(tenant)
    assert tender.reason == "Rechner deckt Absauganlage nicht"
    assert tender.snapshot["reason"] == tender.reason and tender.snapshot["documents"] == []


async def test_a_running_tender_blocks_a_second_one_for_the_line(world, tenant) -> None:
    assert (await start(world.admin, world, files=[])).status_code == 303
    page = await world.admin.get(f"/staff/cases/{world.case.id}")
    assert 'id="tender-start-gewerbe"' not in page.text and "/staff/tenders/" in page.text
    again = await start(world.admin, world, files=[])
    assert again.status_code == 422
    with tenant_scope(tenant.tenant.id):
        assert await Tender.all().count() == 1
