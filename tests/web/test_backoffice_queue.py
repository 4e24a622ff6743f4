"""The backoffice's queue on the platform host: the tenders of the tenants that engage the
backoffice now, and only those, with the tabs new, mine, waiting for the broker, overdue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenders import Tender
from tests.backoffice_helpers import desk, engaged, handed_tender
from tests.tender_helpers import make_backoffice


async def test_queue_lists_tenders_of_engaging_tenants_only(
    tenant, other_tenant, passwords, client_for
):
    bo = await desk(passwords, client_for)
    await engaged(tenant, bo.backoffice)
    ours = await handed_tender(tenant, passwords, bo.backoffice)
    # A tender handed over by a tenant that does not engage the backoffice (a row only: no
    # broker could start it through the pages), and one handed to another backoffice.
    stranger = await handed_tender(other_tenant, passwords, bo.backoffice, n=2)
    other_bo = await make_backoffice("Südwind Backoffice")
    await engaged(tenant, other_bo)
    elsewhere = await handed_tender(tenant, passwords, other_bo, n=3)

    page = await bo.client.get("/backoffice")

    assert page.status_code == 200
    assert f'id="tender-{ours.id}"' in page.text
    assert ours.number in page.text
    assert "Alpha Versicherungsmakler GmbH" in page.text
    assert "Kim Kunde1" in page.text
    assert f'id="tender-{stranger.id}"' not in page.text
    assert "Beta Finanz KG" not in page.text
    assert f'id="tender-{elsewhere.id}"' not in page.text


async def test_queue_filters(tenant, passwords, client_for):
    bo = await desk(passwords, client_for)
    await engaged(tenant, bo.backoffice)
    now = datetime.now(UTC)
    fresh = await handed_tender(tenant, passwords, bo.backoffice, n=1)
    mine = await handed_tender(
        tenant, passwords, bo.backoffice, n=2, status="open", assignee_id=bo.person.id
    )
    waiting = await handed_tender(tenant, passwords, bo.backoffice, n=3, status="question")
    late = await handed_tender(
        tenant, passwords, bo.backoffice, n=4, status="open", due_at=now - timedelta(days=1)
    )
    late_but_offered = await handed_tender(
        tenant, passwords, bo.backoffice, n=5, status="offered", due_at=now - timedelta(days=2)
    )
    done = await handed_tender(tenant, passwords, bo.backoffice, n=6, status="chosen")
    expected = {
        "new": {fresh},
        "mine": {mine},
        "waiting": {waiting},
        "overdue": {late},
        "open": {fresh, mine, waiting, late, late_but_offered},
        "closed": {done},
    }
    everyone = {fresh, mine, waiting, late, late_but_offered, done}
    for name, shown in expected.items():
        page = await bo.client.get(f"/backoffice?filter={name}")
        assert page.status_code == 200
        listed = {t for t in everyone if f'id="tender-{t.id}"' in page.text}
        assert {t.id for t in listed} == {t.id for t in shown}, name
    overdue = await bo.client.get("/backoffice")
    assert f'id="overdue-{late.id}"' in overdue.text
    assert f'id="overdue-{late_but_offered.id}"' not in overdue.text


async def test_queue_sorted_by_due_date_and_paged(tenant, passwords, client_for):
    bo = await desk(passwords, client_for)
    await engaged(tenant, bo.backoffice)
    now = datetime.now(UTC)
    later = await handed_tender(tenant, passwords, bo.backoffice, n=1)
    sooner = await handed_tender(
        tenant, passwords, bo.backoffice, n=2, due_at=now + timedelta(days=1)
    )
    page = await bo.client.get("/backoffice")
    assert page.text.index(f'id="tender-{sooner.id}"') < page.text.index(f'id="tender-{later.id}"')
    # 50 a page: more tenders (rows only) make a second page.
    with tenant_scope(tenant.tenant.id):
        for _ in range(50):
            await Tender.create(
                case_id=later.case_id,
                product_line="gewerbe",
                backoffice=bo.backoffice,
                snapshot={},
                snapshot_hash="0" * 64,
                due_at=now + timedelta(days=30),
            )
    first = await bo.client.get("/backoffice")
    assert first.text.count('<tr id="tender-') == 50
    assert 'rel="next"' in first.text
    second = await bo.client.get("/backoffice?page=2")
    assert second.text.count('<tr id="tender-') == 2


async def test_unread_marker(tenant, passwords, client_for):
    from tenant_app.models.conversations import Conversation

    bo = await desk(passwords, client_for)
    await engaged(tenant, bo.backoffice)
    tender = await handed_tender(tenant, passwords, bo.backoffice)
    with tenant_scope(tenant.tenant.id):
        conversation = await Conversation.create(
            kind="tender", contact_id=(await tender.case).contact_id, subject="x", entry_count=3
        )
        await Tender.filter(id=tender.id).update(
            conversation_id=conversation.id, backoffice_read_count=1
        )
    page = await bo.client.get("/backoffice")
    assert f'id="unread-{tender.id}">2' in page.text


async def test_empty_queue(tenant, passwords, client_for):
    bo = await desk(passwords, client_for)
    page = await bo.client.get("/backoffice")
    assert page.status_code == 200
    assert 'id="no-tenders"' in page.text
