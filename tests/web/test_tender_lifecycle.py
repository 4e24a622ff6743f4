"""A tender's life beyond the happy path: the broker withdraws a running one (the line is free
again, the backoffice told and closed out), a draft offer's file stays with the backoffice
until released, what a tender handed over cannot be deleted, an expired chosen offer does not
become a contract, and the platform's logins must have a second factor after the grace."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from tenant_app.models.folders import Document
from tenant_app.models.mail import OutboxMail
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant
from tenant_app.models.tenders import CaseOffer, Tender
from tenant_app.tenancy import tenant_cache
from tests.backoffice_helpers import desk
from tests.folder_helpers import PDF_BYTES
from tests.tender_broker_helpers import broker_world, start

OFFER = {
    "insurer_name": "Hanse Versicherung",
    "insurer_legal_form": "AG",
    "premium": "1.234,56",
    "payment_frequency": "yearly",
    "valid_until": (date.today() + timedelta(days=30)).isoformat(),
}


async def _started(tenant, passwords, client_for) -> tuple:
    world = await broker_world(tenant, passwords, client_for)
    started = await start(world.admin, world)
    assert started.status_code == 303, started.text
    with tenant_scope(tenant.tenant.id):
        tender = await Tender.get(case_id=world.case.id)
    return world, tender


async def _backoffice_post(client, tender_id: int, path: str, data: dict, **kwargs):
    base = f"/backoffice/tenders/{tender_id}"
    return await client.submit(base + path, data, form_page=base, **kwargs)


async def test_the_broker_withdraws_a_running_tender(tenant, passwords, client_for) -> None:
    world, tender = await _started(tenant, passwords, client_for)
    page = f"/staff/tenders/{tender.id}"
    assert 'id="tender-withdraw"' in (await world.admin.get(page)).text
    before = await world.admin.get(f"/staff/cases/{world.case.id}")
    assert 'id="tender-start-gewerbe"' not in before.text  # blocked while it runs

    done = await world.admin.submit(page + "/withdraw", {}, form_page=page)
    assert done.status_code == 303
    with tenant_scope(tenant.tenant.id):
        stored = await Tender.get(id=tender.id)
        told = await OutboxMail.filter(kind="tender_withdrawn").values_list("to_address", flat=True)
    assert stored.status == "withdrawn" and stored.closed_at is not None
    assert list(told) == [world.backoffice.email]
    shown = await world.admin.get(page)
    assert 'id="tender-withdraw"' not in shown.text
    after = await world.admin.get(f"/staff/cases/{world.case.id}")
    assert 'id="tender-start-gewerbe"' in after.text  # the line is free for a new tender

    again = await world.admin.submit(page + "/withdraw", {}, form_page=page)
    assert again.status_code == 400  # closed already: nothing changes
    bo = await desk(passwords, client_for, name=world.backoffice.name, first="Bo")
    refused = await _backoffice_post(bo.client, tender.id, "/offers", OFFER)
    assert refused.status_code == 422
    with tenant_scope(tenant.tenant.id):
        assert not await CaseOffer.filter(tender_id=tender.id).exists()


async def test_a_draft_offers_file_is_the_backoffices_until_released(
    tenant, passwords, client_for
) -> None:
    world, tender = await _started(tenant, passwords, client_for)
    bo = await desk(passwords, client_for, name=world.backoffice.name, first="Bo")
    files = {"file": ("angebot-hanse.pdf", PDF_BYTES, "application/pdf")}
    added = await _backoffice_post(bo.client, tender.id, "/offers", OFFER, files=files)
    assert added.status_code == 303
    with tenant_scope(tenant.tenant.id):
        offer = await CaseOffer.get(tender_id=tender.id)
    link = f"/documents/{offer.document_id}/"
    case_page = f"/staff/cases/{world.case.id}"
    contact_page = f"/staff/contacts/{world.kai.id}"
    for path in (case_page, contact_page, contact_page + "/folders/insurance"):
        shown = await world.admin.get(path)
        assert shown.status_code == 200 and link not in shown.text, path

    base = f"/offers/{offer.id}/release"
    assert (await _backoffice_post(bo.client, tender.id, base, {})).status_code == 303
    with tenant_scope(tenant.tenant.id):
        document = await Document.get(id=offer.document_id)
    assert (document.case_id, document.folder) == (world.case.id, "insurance")
    assert link in (await world.admin.get(case_page)).text


async def test_a_document_handed_over_with_a_tender_stays(tenant, passwords, client_for) -> None:
    world, tender = await _started(tenant, passwords, client_for)
    [listed] = tender.snapshot["documents"]
    with tenant_scope(tenant.tenant.id):
        document = await Document.get(id=listed["id"])
    folder = f"/staff/contacts/{world.kai.id}/folders/insurance"
    path = f"/staff/documents/{document.id}/delete"
    kept = await world.admin.submit(path, {}, form_page=f"/staff/cases/{world.case.id}")
    assert kept.status_code == 303 and "doc_kept=1" in kept.headers["location"]
    with tenant_scope(tenant.tenant.id):
        assert await Document.filter(id=document.id).exists()
    shown = await world.admin.get(kept.headers["location"])
    assert "handed to a backoffice" in shown.text or "an ein Backoffice" in shown.text
    assert f"/documents/{document.id}/" in (await world.admin.get(folder)).text


async def test_platform_logins_need_a_second_factor_after_the_grace(
    tenant, passwords, client_for
) -> None:
    bo = await desk(passwords, client_for)
    within = await bo.client.get("/backoffice")  # within the grace period: a reminder
    assert within.status_code == 200 and 'id="staff-factor-banner"' in within.text
    assert "Die Plattform verlangt" in within.text and "Jetzt einrichten" in within.text
    long_ago = datetime.now(UTC) - timedelta(days=30)
    await Tenant.filter(is_platform=True).update(staff_2fa_required_at=long_ago)
    tenant_cache.invalidate()
    sent_away = await bo.client.get("/backoffice")
    assert sent_away.status_code == 303
    assert sent_away.headers["location"].startswith("/account/security")


async def test_the_queue_ignores_a_page_number_that_is_no_number(passwords, client_for) -> None:
    bo = await desk(passwords, client_for)
    assert (await bo.client.get("/backoffice?page=²")).status_code == 200


async def test_a_number_of_insurers_that_is_no_number_is_refused(
    tenant, passwords, client_for
) -> None:
    world, tender = await _started(tenant, passwords, client_for)
    bo = await desk(passwords, client_for, name=world.backoffice.name, first="Bo")
    for wrong in ("²", "-1", "100", "zwei"):
        refused = await _backoffice_post(
            bo.client, tender.id, "/insurers", {"insurers_asked": wrong}
        )
        assert refused.status_code == 422 and 'id="f-insurers_asked-error"' in refused.text, wrong
    with tenant_scope(tenant.tenant.id):
        assert (await Tender.get(id=tender.id)).insurers_asked == 0
