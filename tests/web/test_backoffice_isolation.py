"""A backoffice person reaches only what a tender of an engaging tenant hands over, and only
while the engagement lasts; everything else answers 404, as an object of another tenant does.
The pages exist only on the platform host and only for backoffice logins. Every access is in
the tender's tenant's audit trail."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from tenant_app.files.storage import new_key
from tenant_app.models.folders import AuditEntry, Document
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenders import BackofficeEngagement, CaseOffer, Tender
from tenant_app.services import platform
from tests.backoffice_helpers import desk, engaged, handed_tender
from tests.conftest import CUSTOMER_PASSWORD, make_customer
from tests.tender_helpers import PLATFORM_HOST, platform_space

CONTENT = b"%PDF-1.4 handed over"


async def _document(app, tenant, contact_id: int, name: str) -> Document:
    """A stored document of the contact (the file exists, so a 200 is possible)."""
    key = new_key(tenant.tenant.id)
    size = await app.state.storage.save(key, io.BytesIO(CONTENT))
    with tenant_scope(tenant.tenant.id):
        return await Document.create(
            contact_id=contact_id,
            folder="insurance",
            title=name,
            filename=name,
            storage_key=key,
            content_type="application/pdf",
            size=size,
            sha256=hashlib.sha256(CONTENT).hexdigest(),
            shared_with_customer=False,
        )


async def _with_snapshot_document(app, tenant, passwords, backoffice, n: int = 1):
    """A tender whose frozen risk hands over one document of its contact."""
    tender = await handed_tender(tenant, passwords, backoffice, n=n)
    with tenant_scope(tenant.tenant.id):
        contact_id = (await tender.case).contact_id
    document = await _document(app, tenant, contact_id, "risiko.pdf")
    snapshot = {**tender.snapshot, "documents": [{"id": document.id, "filename": "risiko.pdf"}]}
    with tenant_scope(tenant.tenant.id):
        await Tender.filter(id=tender.id).update(snapshot=snapshot)
        offer = await CaseOffer.create(
            case_id=tender.case_id,
            product_line="gewerbe",
            tender_id=tender.id,
            source="tender",
            status="draft",
            insurer_name="Hanse",
            premium=Decimal("10.00"),
            payment_frequency="yearly",
        )
    return tender, contact_id, document, offer


def _requests(tender_id: int, document_id: int, offer_id: int) -> list[tuple[str, str, dict]]:
    base = f"/backoffice/tenders/{tender_id}"
    return [
        ("GET", base, {}),
        ("GET", f"{base}/documents/{document_id}", {}),
        ("POST", f"{base}/take", {}),
        ("POST", f"{base}/hand-over", {"user_id": "1"}),
        ("POST", f"{base}/messages", {"body": "Eine Frage"}),
        (
            "POST",
            f"{base}/offers",
            {"insurer_name": "X", "premium": "1", "payment_frequency": "yearly"},
        ),
        ("POST", f"{base}/offers/{offer_id}/release", {}),
        ("POST", f"{base}/insurers", {"insurers_asked": "5"}),
    ]


async def _ask(client, method: str, path: str, data: dict):
    if method == "GET":
        return await client.get(path)
    return await client.submit(path, data, form_page="/backoffice")


async def _unchanged(tenant, tender: Tender) -> None:
    with tenant_scope(tenant.tenant.id):
        now = await Tender.get(id=tender.id)
        assert (now.status, now.assignee_id, now.conversation_id, now.insurers_asked) == (
            tender.status,
            None,
            None,
            0,
        )
        assert await CaseOffer.filter(tender_id=tender.id, status="draft").count() == 1
        assert await CaseOffer.filter(tender_id=tender.id).count() == 1


async def test_nothing_of_a_tenant_that_does_not_engage(
    app, tenant, other_tenant, passwords, client_for
):
    bo = await desk(passwords, client_for)
    await engaged(tenant, bo.backoffice)
    # Handed to this backoffice by a tenant that never engaged it (a row only).
    tender, _contact, document, offer = await _with_snapshot_document(
        app, other_tenant, passwords, bo.backoffice
    )
    for method, path, data in _requests(tender.id, document.id, offer.id):
        answer = await _ask(bo.client, method, path, data)
        assert answer.status_code == 404, (method, path)
    await _unchanged(other_tenant, tender)
    with tenant_scope(other_tenant.tenant.id):
        assert await AuditEntry.filter(action__startswith="backoffice_").count() == 0


async def test_nothing_outside_the_tender_of_an_engaging_tenant(app, tenant, passwords, client_for):
    bo = await desk(passwords, client_for)
    await engaged(tenant, bo.backoffice)
    tender, contact_id, handed, offer = await _with_snapshot_document(
        app, tenant, passwords, bo.backoffice
    )
    other_tender, _, _, other_offer = await _with_snapshot_document(
        app, tenant, passwords, bo.backoffice, n=2
    )
    same_contact = await _document(app, tenant, contact_id, "privat.pdf")
    stranger = await make_customer(tenant, passwords, email="fremd@alpha.example")
    other_contact = await _document(app, tenant, stranger.id, "fremd.pdf")
    base = f"/backoffice/tenders/{tender.id}"

    allowed = await bo.client.get(f"{base}/documents/{handed.id}")
    assert allowed.status_code == 200
    assert allowed.content == CONTENT
    for document in (same_contact, other_contact):
        assert (await bo.client.get(f"{base}/documents/{document.id}")).status_code == 404
    # Another tender's offer is not this tender's.
    wrong = await bo.client.submit(
        f"{base}/offers/{other_offer.id}/release", {}, form_page="/backoffice"
    )
    assert wrong.status_code == 404
    with tenant_scope(tenant.tenant.id):
        assert (await CaseOffer.get(id=other_offer.id)).status == "draft"
    assert other_tender.id != tender.id and offer.id != other_offer.id


async def test_ending_the_engagement_ends_access_at_once(app, tenant, passwords, client_for):
    bo = await desk(passwords, client_for)
    await engaged(tenant, bo.backoffice)
    tender, _contact, document, offer = await _with_snapshot_document(
        app, tenant, passwords, bo.backoffice
    )
    assert (await bo.client.get(f"/backoffice/tenders/{tender.id}")).status_code == 200
    with tenant_scope(tenant.tenant.id):
        await BackofficeEngagement.filter(backoffice_id=bo.backoffice.id).update(
            ended_at=datetime.now(UTC)
        )
    for method, path, data in _requests(tender.id, document.id, offer.id):
        answer = await _ask(bo.client, method, path, data)
        assert answer.status_code == 404, (method, path)
    queue = await bo.client.get("/backoffice")
    assert f'id="tender-{tender.id}"' not in queue.text


async def test_a_second_backoffice_sees_none_of_the_first(app, tenant, passwords, client_for):
    first = await desk(passwords, client_for)
    second = await desk(passwords, client_for, name="Südwind Backoffice", first="Dora")
    await engaged(tenant, first.backoffice)
    await engaged(tenant, second.backoffice)  # the tenant works with both
    tender, _contact, document, offer = await _with_snapshot_document(
        app, tenant, passwords, first.backoffice
    )
    queue = await second.client.get("/backoffice?filter=open")
    assert f'id="tender-{tender.id}"' not in queue.text
    for method, path, data in _requests(tender.id, document.id, offer.id):
        answer = await _ask(second.client, method, path, data)
        assert answer.status_code == 404, (method, path)
    await _unchanged(tenant, tender)


@pytest.mark.parametrize("who", ["staff", "customer", "nobody"])
async def test_backoffice_pages_do_not_exist_on_a_brokers_host(who, tenant, passwords, client_for):
    bo = await desk(passwords, client_for)
    await engaged(tenant, bo.backoffice)
    tender = await handed_tender(tenant, passwords, bo.backoffice)
    client = client_for(tenant.hostname)
    if who == "staff":
        await client.log_in("alpha-admin")
    elif who == "customer":
        await make_customer(tenant, passwords, email="kai@kunde.example")
        await client.log_in("kai", CUSTOMER_PASSWORD)
    for path in ("/backoffice", f"/backoffice/tenders/{tender.id}"):
        assert (await client.get(path)).status_code == 404, path
    form_page = "/login" if who == "nobody" else "/account/security"
    taken = await client.submit(f"/backoffice/tenders/{tender.id}/take", {}, form_page=form_page)
    assert taken.status_code == 404
    with tenant_scope(tenant.tenant.id):
        assert (await Tender.get(id=tender.id)).assignee_id is None


async def test_platform_logins_other_than_backoffice_and_broker_pages(
    passwords, client_for, tenant
):
    bo = await desk(passwords, client_for)
    await engaged(tenant, bo.backoffice)
    tender = await handed_tender(tenant, passwords, bo.backoffice)
    # A backoffice login on the platform host has no staff area.
    for path in ("/staff", "/staff/contacts", f"/staff/cases/{tender.case_id}"):
        assert (await bo.client.get(path)).status_code in (403, 404), path
    # An operator is no backoffice person.
    space = await platform_space()
    await platform.create_login(
        passwords,
        space,
        kind="operator",
        email="olga@platform.example",
        first_name="Olga",
        last_name="Operator",
        password="Operator-Sicher-2026!",
    )
    operator = client_for(PLATFORM_HOST)
    await operator.log_in("olga@platform.example", "Operator-Sicher-2026!")
    assert (await operator.get("/backoffice")).status_code == 404
    assert (await operator.get(f"/backoffice/tenders/{tender.id}")).status_code == 404
    # A visitor on the platform host is asked to log in.
    visitor = client_for(PLATFORM_HOST)
    answer = await visitor.get("/backoffice")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")


async def test_every_access_is_audited_in_the_tenders_tenant(app, tenant, passwords, client_for):
    bo = await desk(passwords, client_for)
    await engaged(tenant, bo.backoffice)
    tender, _contact, document, offer = await _with_snapshot_document(
        app, tenant, passwords, bo.backoffice
    )
    for method, path, data in _requests(tender.id, document.id, offer.id):
        await _ask(bo.client, method, path, data)
    with tenant_scope(tenant.tenant.id):
        entries = await AuditEntry.filter(subject_id=tender.id).order_by("id")
    actions = [entry.action for entry in entries]
    for action in (
        "backoffice_viewed",
        "backoffice_document",
        "backoffice_took",
        "backoffice_handed_over",
        "backoffice_wrote",
        "backoffice_offer_added",
        "backoffice_offer_released",
        "backoffice_insurers",
    ):
        assert action in actions, action
    assert all(entry.actor_id == bo.person.id for entry in entries)
    assert all("Nordlicht Backoffice" in entry.details for entry in entries)
    space = await platform_space()
    with tenant_scope(space.id):
        assert await AuditEntry.filter(action__startswith="backoffice_").count() == 0
