"""Following a tender on the broker's side: the risk stays as started, the message module opens
only with the backoffice's first message, and nobody but staff who see the contact reaches it
(another tenant's, or a colleague's who does not see the contact: 404)."""

from __future__ import annotations

import re
from decimal import Decimal
from types import SimpleNamespace

import pytest

from tenant_app.models.activity import Notification
from tenant_app.models.conversations import ConversationEntry
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenders import CaseOffer, Tender
from tenant_app.web.routing import routes
from tests.case_helpers import staff_member
from tests.conftest import ADMIN_PASSWORD
from tests.tender_broker_helpers import backoffice_writes, broker_world, pdf, start


@pytest.fixture
async def world(tenant, passwords, client_for) -> SimpleNamespace:
    found = await broker_world(tenant, passwords, client_for)
    assert (await start(found.admin, found)).status_code == 303
    with tenant_scope(tenant.tenant.id):
        found.tender = await Tender.get()
    found.page = f"/staff/tenders/{found.tender.id}"
    return found


async def stored(tenant, tender_id: int) -> Tender:
    with tenant_scope(tenant.tenant.id):
        return await Tender.get(id=tender_id)


def test_no_route_changes_a_tenders_risk() -> None:
    """The broker's tender URLs: the page, its messages and withdrawing it (which closes it as
    it is); nothing that edits the snapshot."""
    mine = {
        (route.path, method)
        for route in routes()
        if route.path.startswith("/staff/tenders")  # type: ignore[attr-defined]
        for method in sorted(route.methods or ())  # type: ignore[attr-defined]
        if method != "HEAD"
    }
    assert mine == {
        ("/staff/tenders/{tender_id:id}", "GET"),
        ("/staff/tenders/{tender_id:id}/messages", "POST"),
        ("/staff/tenders/{tender_id:id}/withdraw", "POST"),
    }


async def test_changing_the_case_risk_later_leaves_the_tender_as_started(world, tenant) -> None:
    before = await stored(tenant, world.tender.id)
    refused = await world.admin.submit(world.page, {"free_text": "anders"})
    assert refused.status_code == 405
    case_page = f"/staff/cases/{world.case.id}"
    changed = await world.admin.submit(
        f"{case_page}/risks/{world.risk.id}",
        {
            "label": "Schreinerei neu",
            "attributes.trade": "Tischlerei",
            "attributes.employees": "40",
        },
        form_page=f"{case_page}/risks/{world.risk.id}",
    )
    assert changed.status_code == 303
    after = await stored(tenant, world.tender.id)
    assert (after.snapshot, after.snapshot_hash) == (before.snapshot, before.snapshot_hash)
    assert after.snapshot["risks"][0]["attributes"] == {"trade": "Schreinerei", "employees": 12}
    page = await world.admin.get(world.page)
    assert 'id="tender-frozen"' in page.text and "Schreinerei Kunde" in page.text
    assert "Tischlerei" not in page.text and before.snapshot_hash in page.text


async def test_the_broker_writes_only_after_the_backoffice(
    world, tenant, app, settings, passwords
) -> None:
    page = await world.admin.get(world.page)
    assert 'id="tender-wait"' in page.text and 'id="tender-message-form"' not in page.text
    refused = await world.admin.submit(
        f"{world.page}/messages", {"body": "Hallo?"}, form_page=world.page
    )
    assert refused.status_code == 403
    assert (await stored(tenant, world.tender.id)).conversation_id is None

    await backoffice_writes(
        app, settings, passwords, world.tender.id, "Gibt es eine Sprinkleranlage?"
    )
    assert (await stored(tenant, world.tender.id)).status == "question"
    with tenant_scope(tenant.tenant.id):
        told = await Notification.filter(user_id=tenant.admin.id).count()
    assert told == 1
    page = await world.admin.get(world.page)
    assert "Gibt es eine Sprinkleranlage?" in page.text and 'id="tender-message-form"' in page.text
    assert 'id="tender-wait"' not in page.text

    empty = await world.admin.submit(f"{world.page}/messages", {"body": ""}, form_page=world.page)
    assert empty.status_code == 422 and 'id="f-body-error"' in empty.text
    answer = await world.admin.submit(
        f"{world.page}/messages",
        {"body": "Ja, seit 2021."},
        form_page=world.page,
        files=[("file", pdf("sprinkler.pdf"))],
    )
    assert answer.status_code == 303
    after = await stored(tenant, world.tender.id)
    assert after.status == "open" and after.snapshot == world.tender.snapshot
    with tenant_scope(tenant.tenant.id):
        entry = (
            await ConversationEntry.filter(conversation_id=after.conversation_id)
            .order_by("-id")
            .first()
        )
    assert entry is not None and entry.body == "Ja, seit 2021." and entry.document_id
    page = await world.admin.get(world.page)
    assert (
        "Ja, seit 2021." in page.text
        and f"/staff/documents/{entry.document_id}/download" in page.text
    )


async def test_a_notification_about_the_tender_leads_to_its_page(
    world, tenant, app, settings, passwords
) -> None:
    await backoffice_writes(app, settings, passwords, world.tender.id, "Rückfrage")
    with tenant_scope(tenant.tenant.id):
        note = await Notification.get(user_id=tenant.admin.id)
    followed = await world.admin.get(f"/account/notifications/{note.id}")
    assert followed.status_code in (302, 303) and followed.headers["location"] == world.page
    await world.admin.get(world.page)  # reading the page reads the notification
    with tenant_scope(tenant.tenant.id):
        assert (await Notification.get(id=note.id)).read_at is not None


async def urls(world) -> list[tuple[str, str]]:
    case, tender = world.case.id, world.tender.id
    return [
        ("GET", f"/staff/tenders/{tender}"),
        ("POST", f"/staff/tenders/{tender}/messages"),
        ("GET", f"/staff/cases/{case}/tenders/new"),
        ("POST", f"/staff/cases/{case}/tenders"),
    ]


async def test_staff_who_do_not_see_the_contact_and_other_tenants_get_404(
    world, tenant, other_tenant, passwords, client_for
) -> None:
    await staff_member(tenant, passwords, "ben", access_insurance="write")
    ben = client_for(tenant.hostname)
    await ben.log_in("ben", ADMIN_PASSWORD)
    beta = client_for(other_tenant.hostname)
    await beta.log_in("beta-admin", ADMIN_PASSWORD)
    for client in (ben, beta):
        for method, path in await urls(world):
            if method == "GET":
                status = (await client.get(path)).status_code
            else:
                status = (await client.submit(path, {"body": "x"}, form_page="/staff")).status_code
            assert status == 404, (client.host, method, path)
    assert (await stored(tenant, world.tender.id)).conversation_id is None


async def test_staff_reading_the_insurance_folder_follow_but_do_not_act(
    world, tenant, passwords, client_for, app, settings
) -> None:
    await staff_member(tenant, passwords, "rita", sees_all_contacts=True, access_insurance="read")
    rita = client_for(tenant.hostname)
    await rita.log_in("rita", ADMIN_PASSWORD)
    await backoffice_writes(app, settings, passwords, world.tender.id, "Rückfrage")
    page = await rita.get(world.page)
    assert page.status_code == 200 and "Rückfrage" in page.text
    assert 'id="tender-message-form"' not in page.text
    case_page = await rita.get(f"/staff/cases/{world.case.id}")
    assert (
        world.tender.number in case_page.text and 'id="tender-start-gewerbe"' not in case_page.text
    )
    assert (await rita.get(f"/staff/cases/{world.case.id}/tenders/new")).status_code == 403
    posted = await rita.submit(f"{world.page}/messages", {"body": "x"}, form_page=world.page)
    assert posted.status_code == 403


async def test_released_offers_show_on_the_tender_and_count_on_the_case(world, tenant) -> None:
    with tenant_scope(tenant.tenant.id):
        await Tender.filter(id=world.tender.id).update(insurers_asked=3, status="offered")
        for insurer, status in (("Allianz", "released"), ("Geheim Vers", "draft")):
            await CaseOffer.create(
                case_id=world.case.id,
                product_line="gewerbe",
                tender_id=world.tender.id,
                source="tender",
                insurer_name=insurer,
                insurer_legal_form="AG",
                premium=Decimal("1234.56"),
                payment_frequency="yearly",
                status=status,
            )
    page = await world.admin.get(world.page)
    assert "Allianz AG" in page.text and "1.234,56" in page.text
    assert "Geheim Vers" not in page.text  # a draft is the backoffice's
    assert f"/staff/cases/{world.case.id}/offers/compare?line=gewerbe" in page.text
    case_page = (await world.admin.get(f"/staff/cases/{world.case.id}")).text
    assert re.search(r'id="tender-count-gewerbe"><strong>1 \D+ 3 ', case_page), case_page
    assert 'id="tender-more-gewerbe"' not in case_page  # the tender still runs
