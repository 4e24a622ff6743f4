"""A backoffice person works a tender on the platform host: reads the frozen risk, takes it,
asks the broker, enters and releases offers, says how many insurers were asked."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from tenant_app.demo.pdf import text_pdf
from tenant_app.models.activity import Notification
from tenant_app.models.folders import Document
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenders import CaseOffer, Tender
from tenant_app.services import notification_mail
from tests.backoffice_helpers import desk, engaged, handed_tender
from tests.tender_helpers import make_backoffice

PDF = text_pdf("Angebot", ["Betriebshaftpflicht, 1.234,56 € jährlich"])
OFFER = {
    "insurer_name": "Hanse Versicherung",
    "insurer_legal_form": "AG",
    "tariff": "Gewerbe Plus",
    "premium": "1.234,56",
    "payment_frequency": "yearly",
    "deductible": "500",
    "sum_insured": "3.000.000",
    "cover_points": "Betriebshaftpflicht\nInhalt zum Neuwert\n",
    "valid_until": (date.today() + timedelta(days=30)).isoformat(),
}


async def _post(client, path: str, data: dict, tender_id: int, **kwargs):
    return await client.submit(path, data, form_page=f"/backoffice/tenders/{tender_id}", **kwargs)


async def _notified(tenant, user_id: int) -> list[str]:
    with tenant_scope(tenant.tenant.id):
        rows = await Notification.filter(user_id=user_id).select_related("event")
        return [row.event.kind for row in rows]


async def _tender(tenant, tender_id: int) -> Tender:
    with tenant_scope(tenant.tenant.id):
        return await Tender.get(id=tender_id)


async def test_the_frozen_risk_as_handed_over(tenant, passwords, client_for):
    bo = await desk(passwords, client_for)
    await engaged(tenant, bo.backoffice)
    tender = await handed_tender(tenant, passwords, bo.backoffice)
    page = await bo.client.get(f"/backoffice/tenders/{tender.id}")
    assert page.status_code == 200
    assert tender.number in page.text
    assert f'id="snapshot-hash">{tender.snapshot_hash}<' in page.text
    assert "Alpha Versicherungsmakler GmbH" in page.text
    assert "Kim Kunde1" in page.text
    assert 'id="snapshot-answers"' in page.text
    assert "<dd>12</dd>" in page.text  # employees, a question of the line, as typed
    assert "Schreinerei mit Ausstellungsraum." in page.text
    assert 'id="no-messages"' in page.text


async def test_a_backoffice_person_works_a_tender(tenant, passwords, client_for, settings, deliver):
    bo = await desk(passwords, client_for)
    await engaged(tenant, bo.backoffice)
    tender = await handed_tender(tenant, passwords, bo.backoffice)
    base = f"/backoffice/tenders/{tender.id}"

    taken = await _post(bo.client, base + "/take", {}, tender.id)
    assert taken.status_code == 303
    stored = await _tender(tenant, tender.id)
    assert (stored.assignee_id, stored.status) == (bo.person.id, "open")

    asked = await _post(
        bo.client,
        base + "/messages",
        {"body": "Wie hoch war der Schaden 2023?"},
        tender.id,
        files={"file": ("fragen.pdf", PDF, "application/pdf")},
    )
    assert asked.status_code == 303
    assert (await _tender(tenant, tender.id)).status == "question"
    assert await _notified(tenant, tenant.admin.id) == ["tender_message"]
    page = await bo.client.get(base)
    assert "Wie hoch war der Schaden 2023?" in page.text
    assert "fragen.pdf" in page.text

    first = await _post(
        bo.client,
        base + "/offers",
        OFFER,
        tender.id,
        files={"file": ("angebot.pdf", PDF, "application/pdf")},
    )
    assert first.status_code == 303
    second = await _post(
        bo.client,
        base + "/offers",
        {**OFFER, "insurer_name": "Elbe Assekuranz", "premium": "999,90", "deductible": ""},
        tender.id,
    )
    assert second.status_code == 303
    with tenant_scope(tenant.tenant.id):
        offers = await CaseOffer.filter(tender_id=tender.id).order_by("id")
    assert [o.status for o in offers] == ["draft", "draft"]
    assert offers[0].premium == Decimal("1234.56")
    assert offers[0].sum_insured == Decimal("3000000.00")
    assert offers[0].cover_points == ["Betriebshaftpflicht", "Inhalt zum Neuwert"]
    assert offers[0].document_id is not None
    assert (offers[0].source, offers[0].case_id, offers[0].product_line) == (
        "tender",
        tender.case_id,
        "gewerbe",
    )
    assert offers[1].deductible is None
    # Drafts are nothing the broker hears of.
    assert await _notified(tenant, tenant.admin.id) == ["tender_message"]
    page = await bo.client.get(base)
    assert "1.234,56" in page.text
    assert "0 of 0 insurers with offers" in page.text or "0 von 0" in page.text

    for offer in offers:
        released = await _post(bo.client, f"{base}/offers/{offer.id}/release", {}, tender.id)
        assert released.status_code == 303
    assert (await _tender(tenant, tender.id)).status == "offered"
    with tenant_scope(tenant.tenant.id):
        offers = await CaseOffer.filter(tender_id=tender.id).order_by("id")
    assert all(o.status == "released" and o.released_at for o in offers)
    assert sorted(await _notified(tenant, tenant.admin.id)) == [
        "tender_message",
        "tender_offer",
        "tender_offer",
    ]
    # The broker's system mail about what is unread (services/notification_mail.py).
    later = datetime.now(UTC) + timedelta(minutes=10)
    assert await notification_mail.send_due(settings, now=later) >= 1
    mails = [m for m in await deliver() if m["To"] == "chef@alpha.example"]
    assert mails
    again = await _post(bo.client, f"{base}/offers/{offers[0].id}/release", {}, tender.id)
    assert again.status_code == 422

    counted = await _post(bo.client, base + "/insurers", {"insurers_asked": "3"}, tender.id)
    assert counted.status_code == 303
    assert (await _tender(tenant, tender.id)).insurers_asked == 3
    page = await bo.client.get(base)
    assert "2 of 3 insurers with offers" in page.text or "2 von 3" in page.text


async def test_offer_errors_next_to_fields_and_nothing_stored(tenant, passwords, client_for):
    bo = await desk(passwords, client_for)
    await engaged(tenant, bo.backoffice)
    tender = await handed_tender(tenant, passwords, bo.backoffice)
    base = f"/backoffice/tenders/{tender.id}"
    wrong = {
        **OFFER,
        "insurer_name": " ",
        "premium": "12,345",
        "payment_frequency": "daily",
        "deductible": "viel",
        "valid_until": "2001-01-01",
    }
    answer = await _post(
        bo.client,
        base + "/offers",
        wrong,
        tender.id,
        files={"file": ("angebot.pdf", PDF, "application/pdf")},
    )
    assert answer.status_code == 422
    for name in ("insurer_name", "premium", "payment_frequency", "deductible", "valid_until"):
        assert f'id="f-{name}-error"' in answer.text, name
    assert 'value="12,345"' in answer.text  # the input as typed
    # A refused file: the fields were fine, the file is no document.
    bad_file = await _post(
        bo.client,
        base + "/offers",
        OFFER,
        tender.id,
        files={"file": ("angebot.pdf", b"<html>no pdf</html>", "application/pdf")},
    )
    assert bad_file.status_code == 422
    assert 'id="f-offer-file-error"' in bad_file.text
    with tenant_scope(tenant.tenant.id):
        assert await CaseOffer.filter(tender_id=tender.id).count() == 0
        assert await Document.all().count() == 0

    empty = await _post(bo.client, base + "/messages", {"body": "  "}, tender.id)
    assert empty.status_code == 422
    assert 'id="f-body-error"' in empty.text
    assert (await _tender(tenant, tender.id)).conversation_id is None

    await _post(bo.client, base + "/offers", OFFER, tender.id)
    too_few = await _post(bo.client, base + "/insurers", {"insurers_asked": "0"}, tender.id)
    assert too_few.status_code == 422
    assert 'id="f-insurers_asked-error"' in too_few.text
    too_many = await _post(bo.client, base + "/insurers", {"insurers_asked": "100"}, tender.id)
    assert too_many.status_code == 422
    assert (await _tender(tenant, tender.id)).insurers_asked == 0


async def test_hand_over_to_a_colleague_of_the_same_backoffice_only(tenant, passwords, client_for):
    bo = await desk(passwords, client_for)
    colleague = await desk(passwords, client_for, first="Carl")
    stranger = await desk(passwords, client_for, name="Südwind Backoffice", first="Dora")
    await engaged(tenant, bo.backoffice)
    tender = await handed_tender(tenant, passwords, bo.backoffice)
    base = f"/backoffice/tenders/{tender.id}"

    refused = await _post(
        bo.client, base + "/hand-over", {"user_id": str(stranger.person.id)}, tender.id
    )
    assert refused.status_code == 422
    assert 'id="f-user_id-error"' in refused.text
    assert (await _tender(tenant, tender.id)).assignee_id is None

    gone = await desk(passwords, client_for, first="Gina")
    gone.person.is_active = False
    await gone.person.save(update_fields=["is_active"])
    inactive = await _post(
        bo.client, base + "/hand-over", {"user_id": str(gone.person.id)}, tender.id
    )
    assert inactive.status_code == 422

    handed = await _post(
        bo.client, base + "/hand-over", {"user_id": str(colleague.person.id)}, tender.id
    )
    assert handed.status_code == 303
    stored = await _tender(tenant, tender.id)
    assert (stored.assignee_id, stored.status) == (colleague.person.id, "open")
    mine = await colleague.client.get("/backoffice?filter=mine")
    assert f'id="tender-{tender.id}"' in mine.text


async def test_handed_over_documents_download(tenant, passwords, client_for):
    bo = await desk(passwords, client_for)
    await engaged(tenant, bo.backoffice)
    tender = await handed_tender(tenant, passwords, bo.backoffice)
    base = f"/backoffice/tenders/{tender.id}"
    await _post(
        bo.client,
        base + "/offers",
        OFFER,
        tender.id,
        files={"file": ("angebot.pdf", PDF, "application/pdf")},
    )
    with tenant_scope(tenant.tenant.id):
        offer = await CaseOffer.get(tender_id=tender.id)
    download = await bo.client.get(f"{base}/documents/{offer.document_id}")
    assert download.status_code == 200
    assert download.content == PDF
    assert "attachment" in download.headers["content-disposition"]


async def test_closed_tender_takes_no_offers(tenant, passwords, client_for):
    bo = await desk(passwords, client_for)
    await engaged(tenant, bo.backoffice)
    tender = await handed_tender(tenant, passwords, bo.backoffice, status="withdrawn")
    page = await bo.client.get(f"/backoffice/tenders/{tender.id}")
    assert 'id="offer-form"' not in page.text
    refused = await _post(bo.client, f"/backoffice/tenders/{tender.id}/offers", OFFER, tender.id)
    assert refused.status_code == 422
    with tenant_scope(tenant.tenant.id):
        assert await CaseOffer.filter(tender_id=tender.id).count() == 0


async def test_an_inactive_backoffice_has_no_desk(tenant, passwords, client_for):
    bo = await desk(passwords, client_for)
    await engaged(tenant, bo.backoffice)
    tender = await handed_tender(tenant, passwords, bo.backoffice)
    bo.backoffice.is_active = False
    await bo.backoffice.save()
    assert (await bo.client.get("/backoffice")).status_code == 404
    assert (await bo.client.get(f"/backoffice/tenders/{tender.id}")).status_code == 404
    assert await make_backoffice("Anderes Backoffice")


async def test_an_expired_draft_is_not_released(tenant, passwords, client_for):
    bo = await desk(passwords, client_for)
    await engaged(tenant, bo.backoffice)
    tender = await handed_tender(tenant, passwords, bo.backoffice)
    with tenant_scope(tenant.tenant.id):
        offer = await CaseOffer.create(
            case_id=tender.case_id,
            product_line="gewerbe",
            tender_id=tender.id,
            source="tender",
            status="draft",
            insurer_name="Hanse",
            premium=Decimal("10.00"),
            payment_frequency="yearly",
            valid_until=date.today() - timedelta(days=2),
        )
    base = f"/backoffice/tenders/{tender.id}"
    refused = await _post(bo.client, f"{base}/offers/{offer.id}/release", {}, tender.id)
    assert refused.status_code == 422
    assert 'id="release-error"' in refused.text
    with tenant_scope(tenant.tenant.id):
        assert (await CaseOffer.get(id=offer.id)).status == "draft"
    assert (await _tender(tenant, tender.id)).status == "new"
