"""The papers of a chosen offer: the proposal (Vorschlag) and the cover order
(Deckungsauftrag), read back from the PDFs: the broker's and the insurer's names with their
legal forms exactly once (a firm name already ending in "GmbH" with the legal form "GmbH"
too), amounts the German way, the customer and the tender; filed in the customer's insurance
folder on the case, hidden from the customer, and linked from the case page."""

from __future__ import annotations

import html
import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from PIL import Image

from tenant_app.models.cases import AdviceCase
from tenant_app.models.contacts import Contact
from tenant_app.models.folders import Document
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant
from tenant_app.models.tenders import CaseOffer
from tenant_app.services.offer_papers import cover_order, parties, proposal, render_papers
from tenant_app.tenancy import tenant_cache
from tenant_app.text import i18n
from tests.case_helpers import open_case
from tests.conftest import CUSTOMER_PASSWORD, make_customer
from tests.pdf_text import pdf_text
from tests.tender_helpers import make_backoffice, make_tender

BROKER = {
    "broker_firm_name": "Muster Makler GmbH",  # the name already ends with its legal form
    "broker_legal_form": "GmbH",
    "broker_street": "Ring 1",
    "broker_postal_code": "50672",
    "broker_city": "Köln",
    "broker_number": "D-ABCD-1234-56",
}
TERMS = {
    "insurer_name": "Nordstern Versicherung",
    "insurer_legal_form": "AG",
    "tariff": "Gewerbe Plus",
    "premium": Decimal("1234.56"),
    "payment_frequency": "yearly",
    "deductible": Decimal("500"),
    "sum_insured": Decimal("3000000"),
    "cover_points": ["Betriebshaftpflicht", "Produkthaftpflicht"],
}


def _logo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 40), (11, 92, 171)).save(buffer, format="PNG")
    return buffer.getvalue()


def _papers(**changes: Any) -> tuple[str, str]:
    tenant = Tenant(name="Alpha", **{**BROKER, **changes})
    contact = Contact(first_name="Kai", last_name="Kunde", street="Weg 2", postal_code="50667")
    offer = CaseOffer(product_line="gewerbe", tender_id=7, valid_until=date(2099, 1, 31), **TERMS)
    with i18n.using("de"):
        who, today = parties(tenant, contact, offer), date(2026, 12, 5)
        letters = (
            proposal(who, offer, today=today, logo=None, accent="#0b5cab"),
            cover_order(who, offer, today=today, logo=_logo(), accent=""),  # in the branding
        )
    first, second = render_papers(letters)
    return pdf_text(first), pdf_text(second)


def test_each_paper_names_broker_and_insurer_once_with_their_legal_forms() -> None:
    for text in _papers():
        assert text.count("GmbH") == 1, text
        assert text.count("Muster Makler GmbH") == 1
        assert text.count("Nordstern Versicherung AG") == 1
        assert text.count("Nordstern") == 1
        for needed in (
            "Kai Kunde",
            "Weg 2, 50667",
            "Ring 1, 50672 Köln",
            "Gewerbe",
            "Gewerbe Plus",
            "1.234,56 € jährlich",
            "500,00 €",
            "3.000.000,00 €",
            "31.01.2099",
            "A-00007",
            "Betriebshaftpflicht",
            "05.12.2026",
        ):
            assert needed in text, (needed, text)


def test_the_two_papers_say_what_they_are() -> None:
    offer_text, order_text = _papers()
    assert offer_text.splitlines()[1] == "Vorschlag" and "Unsere Empfehlung" in offer_text
    assert order_text.splitlines()[1] == "Deckungsauftrag" and "Versicherungsnehmer" in order_text
    assert "ab dem 05.12.2026" in order_text and "D-ABCD-1234-56" in order_text


def test_a_firm_without_its_legal_form_gets_it_once() -> None:
    for text in _papers(broker_firm_name="Muster Makler"):
        assert text.count("Muster Makler GmbH") == 1 and text.count("GmbH") == 1


@pytest.fixture
async def chosen(tenant: Any, passwords: Any) -> dict[str, Any]:
    """Kai's case with a tender offer chosen; the broker profile names the firm."""
    await Tenant.filter(id=tenant.tenant.id).update(**BROKER)
    tenant_cache.invalidate()
    contact = await make_customer(tenant, passwords, insurance_share=True)
    case = await open_case(tenant, contact, lines=("gewerbe",))
    with tenant_scope(tenant.tenant.id):
        case = await AdviceCase.filter(id=case.id).select_related("contact").get()
    tender = await make_tender(tenant, case, await make_backoffice(), status="chosen")
    with tenant_scope(tenant.tenant.id):
        offer = await CaseOffer.create(
            case_id=case.id,
            product_line="gewerbe",
            tender_id=tender.id,
            source="tender",
            status="chosen",
            valid_until=date.today() + timedelta(days=20),
            **TERMS,
        )
    return {"case": case, "offer": offer, "tender": tender, "contact": contact}


async def test_the_papers_are_filed_on_the_case_and_linked(
    client: Any, client_for: Any, tenant: Any, chosen: dict[str, Any]
) -> None:
    await client.log_in("alpha-admin")
    case, offer = chosen["case"], chosen["offer"]
    back = f"/staff/cases/{case.id}"
    made = await client.submit(f"/staff/offers/{offer.id}/papers", form_page=back)
    assert made.headers["location"] == f"{back}?papers_made=1#case-offers"
    with tenant_scope(tenant.tenant.id):
        offer = await CaseOffer.get(id=offer.id)
        filed = await Document.filter(case_id=case.id).order_by("id")
    assert [document.id for document in filed] == [offer.proposal_id, offer.cover_order_id]
    assert [document.title for document in filed] == [
        "Vorschlag Gewerbe Nordstern Versicherung",
        "Deckungsauftrag Gewerbe Nordstern Versicherung",
    ]
    for document in filed:
        assert (document.contact_id, document.folder) == (chosen["contact"].id, "insurance")
        assert not document.shared_with_customer and document.content_type == "application/pdf"
    page = html.unescape((await client.get(f"{back}?papers_made=1")).text)
    assert "Vorschlag und Deckungsauftrag wurden im Versicherungsordner" in page
    assert f'href="/staff/documents/{offer.proposal_id}/download"' in page
    assert f'href="/staff/documents/{offer.cover_order_id}/download"' in page
    for document in filed:
        pdf = await client.get(f"/staff/documents/{document.id}/download")
        text = pdf_text(pdf.content)
        assert text.count("GmbH") == 1 and text.count("Nordstern Versicherung AG") == 1
        assert "1.234,56 € jährlich" in text and chosen["tender"].number in text
    kai = client_for(tenant.hostname)
    await kai.log_in("kai", CUSTOMER_PASSWORD)
    hidden = await kai.get(f"/portal/documents/{offer.proposal_id}/download")
    assert hidden.status_code == 404  # until staff share it


async def test_papers_only_for_the_chosen_offer_while_it_is_valid(
    client: Any, tenant: Any, chosen: dict[str, Any]
) -> None:
    await client.log_in("alpha-admin")
    case = chosen["case"]
    with tenant_scope(tenant.tenant.id):
        other = await CaseOffer.create(
            case_id=case.id, product_line="gewerbe", source="staff", status="released", **TERMS
        )
    back = f"/staff/cases/{case.id}"
    refused = await client.submit(f"/staff/offers/{other.id}/papers", form_page=back)
    assert refused.status_code == 422
    assert "Bitte wählen Sie das Angebot zuerst aus." in html.unescape(refused.text)
    with tenant_scope(tenant.tenant.id):
        await CaseOffer.filter(id=chosen["offer"].id).update(
            valid_until=date.today() - timedelta(days=1)
        )
    expired = await client.submit(f"/staff/offers/{chosen['offer'].id}/papers", form_page=back)
    assert expired.status_code == 409 and "abgelaufen" in html.unescape(expired.text)
    with tenant_scope(tenant.tenant.id):
        assert not await Document.filter(case_id=case.id).exists()
