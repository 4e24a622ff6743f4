"""A case's offers on the broker's side: staff enter a calculated offer (German money, errors
next to the fields), a tender's released offers are listed beside it marked green while its
drafts stay hidden, offers are compared with the differing fields highlighted, an expired
one cannot be chosen, one is chosen per product line (its tender closes as chosen), and the
chosen one, confirmed, becomes a contract (with the configured status and its webhook).
Other tenants and staff who do not see the contact get 404."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from tenant_app.models.activity import Event
from tenant_app.models.cases import AdviceCase
from tenant_app.models.folders import Contract, Document
from tenant_app.models.integration import WebhookDelivery, WebhookEndpoint
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant
from tenant_app.models.tenders import CaseOffer, Tender
from tenant_app.tenancy import tenant_cache
from tests.case_helpers import open_case, staff_member
from tests.conftest import make_customer
from tests.folder_helpers import PDF_BYTES
from tests.tender_helpers import make_backoffice, make_tender
from tests.web.test_modules_settings import save as save_settings

ORIGIN = {"Origin": "http://alpha.localhost"}
CONDOR = "Condor Allgemeine Versicherungs-AG"  # in every tenant's insurer list
OFFER = {
    "product_line": "kfz",
    "insurer": "Nordstern Versicherung",
    "legal_form": "AG",
    "tariff": "Komfort",
    "premium": "1.234,56",
    "payment_frequency": "yearly",
    "deductible": "500",
    "sum_insured": "100.000.000",
    "cover_points": "Grobe Fahrlässigkeit mitversichert\n\n- Rabattschutz\n",
    "valid_until": "31.12.2099",
}


@pytest.fixture
async def contact(tenant: Any, passwords: Any) -> Any:
    return await make_customer(tenant, passwords, insurance_share=True)


@pytest.fixture
async def admin(client: Any) -> Any:
    await client.log_in("alpha-admin")
    return client


@pytest.fixture
async def case(tenant: Any, contact: Any) -> AdviceCase:
    return await open_case(tenant, contact, lines=("kfz", "gewerbe"))


async def add_offer(tenant: Any, case: Any, **fields: Any) -> CaseOffer:
    """An offer as a row: a tender's (with `tender`) or a calculated one."""
    tender = fields.pop("tender", None)
    values = {
        "product_line": "gewerbe" if tender else "kfz",
        "source": "tender" if tender else "staff",
        "status": "released",
        "insurer_name": "Nordstern Versicherung",
        "insurer_legal_form": "AG",
        "premium": Decimal("1234.56"),
        "payment_frequency": "yearly",
        "valid_until": date.today() + timedelta(days=30),
        "cover_points": ["Grobe Fahrlässigkeit"],
        **fields,
    }
    with tenant_scope(tenant.tenant.id):
        return await CaseOffer.create(
            case_id=case.id, tender_id=tender.id if tender else None, **values
        )


async def start_tender(tenant: Any, case: Any, **fields: Any) -> Tender:
    with tenant_scope(tenant.tenant.id):
        loaded = await AdviceCase.filter(id=case.id).select_related("contact").get()
    return await make_tender(tenant, loaded, await make_backoffice(), **fields)


def error_next_to(page: str, field: str) -> str:
    found = re.search(rf'id="f-{re.escape(field)}-error">([^<]*)<', page)
    assert found, f"no error next to {field}"
    return html.unescape(found.group(1))


async def post_offer(client: Any, case: Any, values: dict[str, str], file: bool = True) -> Any:
    token = await client.csrf(f"/staff/cases/{case.id}/offers/new")
    parts: dict[str, Any] = {"csrf_token": (None, token)}
    parts |= {name: (None, value) for name, value in values.items()}
    if file:
        parts["file"] = ("angebot.pdf", PDF_BYTES, "application/pdf")
    return await client.post(f"/staff/cases/{case.id}/offers", files=parts, headers=ORIGIN)


async def test_staff_enter_an_offer_with_german_money(admin, tenant, case) -> None:
    form = await admin.get(f"/staff/cases/{case.id}/offers/new?line=kfz")
    assert form.status_code == 200 and 'id="case-offer-form"' in form.text
    assert 'data-combobox="/insurers/options"' in form.text  # the insurer list, or free text
    assert '<option value="yearly" selected>' in form.text
    assert '<option value="kfz" selected>' in form.text and '<option value="gewerbe">' in form.text
    saved = await post_offer(admin, case, OFFER)
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/staff/cases/{case.id}?offer_added=1#case-offers"
    with tenant_scope(tenant.tenant.id):
        offer = await CaseOffer.get(case_id=case.id)
        document = await Document.get(id=offer.document_id)
    assert (offer.source, offer.status, offer.released_at is not None) == (
        "staff",
        "released",
        True,
    )
    assert offer.premium == Decimal("1234.56") and offer.sum_insured == Decimal("100000000.00")
    assert offer.deductible == Decimal("500.00") and offer.valid_until == date(2099, 12, 31)
    assert offer.cover_points == ["Grobe Fahrlässigkeit mitversichert", "Rabattschutz"]
    assert (offer.insurer_name, offer.insurer_legal_form) == ("Nordstern Versicherung", "AG")
    assert (document.folder, document.case_id, document.shared_with_customer) == (
        "insurance",
        case.id,
        False,
    )
    page = html.unescape((await admin.get(f"/staff/cases/{case.id}?offer_added=1")).text)
    assert "Das Angebot wurde erfasst." in page
    card = page.split('id="case-offers"', 1)[1]
    assert "Nordstern Versicherung AG" in card and "1.234,56\xa0€ jährlich" in card
    assert f'id="offer-{offer.id}"' in card and "offer--tender" not in card


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"premium": "12,345"}, "premium", "1.234,56"),
        ({"premium": ""}, "premium", "Beitrag"),
        ({"premium": "0"}, "premium", "über null"),
        ({"insurer": " "}, "insurer", "Pflichtfeld"),
        ({"payment_frequency": "weekly"}, "payment_frequency", "Zahlweise"),
        ({"valid_until": "01.01.2020"}, "valid_until", "vor heute"),
        ({"valid_until": "31.02.2030"}, "valid_until", "gültiges Datum"),
        ({"product_line": "hausrat"}, "product_line", "Sparten des Vorgangs"),
        ({"deductible": "-5"}, "deductible", "1.234,56"),
    ],
)
async def test_a_bad_offer_is_refused_next_to_the_field(
    admin, tenant, case, changes, field, message
) -> None:
    refused = await post_offer(admin, case, {**OFFER, **changes})
    assert refused.status_code == 422
    assert message in error_next_to(refused.text, field)
    assert 'value="Komfort"' in refused.text  # what was typed stays
    with tenant_scope(tenant.tenant.id):
        assert await CaseOffer.all().count() == 0
        assert await Document.all().count() == 0  # nor the file


async def test_tender_offers_are_marked_and_drafts_stay_hidden(admin, tenant, case) -> None:
    tender = await start_tender(tenant, case)
    released = await add_offer(tenant, case, tender=tender, insurer_name="Hanse Gewerbe")
    draft = await add_offer(tenant, case, tender=tender, status="draft", insurer_name="Entwurf")
    calculated = await add_offer(tenant, case, insurer_name="Rechner Direkt", insurer_legal_form="")
    page = html.unescape((await admin.get(f"/staff/cases/{case.id}")).text)
    card = page.split('id="case-offers"', 1)[1]
    tender_item = card.split(f'id="offer-{released.id}"', 1)[0].rsplit("<li", 1)[1]
    assert "offer--tender" in tender_item
    assert f"Aus Ausschreibung {tender.number}" in card
    assert "Rechner Direkt" in card and "Hanse Gewerbe AG" in card
    calculated_item = card.split(f'id="offer-{calculated.id}"', 1)[0].rsplit("<li", 1)[1]
    assert "offer--tender" not in calculated_item
    assert "Entwurf" not in card and f'value="{draft.id}"' not in card
    compare = await admin.get(f"/staff/cases/{case.id}/offers/compare?ids={draft.id}")
    assert compare.status_code == 200 and "Entwurf" not in compare.text
    chose = await admin.submit(
        f"/staff/offers/{draft.id}/choose", form_page=f"/staff/cases/{case.id}"
    )
    assert chose.status_code == 404


async def test_compare_highlights_the_fields_that_differ(admin, tenant, case) -> None:
    cheap = await add_offer(tenant, case, premium=Decimal("98.50"), payment_frequency="monthly")
    dear = await add_offer(tenant, case, insurer_name="Hanse", premium=Decimal("1200.00"))
    path = f"/staff/cases/{case.id}/offers/compare?ids={cheap.id}&ids={dear.id}"
    page = html.unescape((await admin.get(path)).text)
    assert page.index(f'id="offer-col-{cheap.id}"') < page.index(f'id="offer-col-{dear.id}"')
    rows = {key: row for key, row in re.findall(r'<tr id="compare-(\w+)"(.*?)</tr>', page, re.S)}
    assert 'class="compare-row--differs"' in rows["premium"]
    assert rows["premium"].count("compare-cell--differs") == 2
    assert "98,50\xa0€ monatlich" in rows["premium"] and "unterscheidet sich" in rows["premium"]
    assert "1.182,00\xa0€" in rows["yearly"]  # the monthly premium per year
    assert "compare-cell--differs" not in rows["tariff"]  # neither has one
    assert "compare-cell--differs" not in rows["cover_points"]
    assert "compare-cell--differs" in rows["insurer"]
    whole_line = await admin.get(f"/staff/cases/{case.id}/offers/compare?line=kfz")
    assert f'id="offer-col-{cheap.id}"' in whole_line.text
    assert f'id="offer-col-{dear.id}"' in whole_line.text


async def test_an_expired_offer_cannot_be_chosen(admin, tenant, case) -> None:
    tender = await start_tender(tenant, case)
    old = await add_offer(tenant, case, tender=tender, valid_until=date.today() - timedelta(days=1))
    page = await admin.get(f"/staff/cases/{case.id}/offers/compare?line=gewerbe")
    assert f'aria-describedby="expired-{old.id}"' in page.text
    assert "Abgelaufen — fragen Sie Ihr Backoffice über die Nachrichten" in html.unescape(page.text)
    assert f'id="choose-{old.id}"' not in page.text
    refused = await admin.submit(
        f"/staff/offers/{old.id}/choose", form_page=f"/staff/cases/{case.id}"
    )
    assert refused.status_code == 409
    assert "abgelaufen" in html.unescape(refused.text.split('id="offer-error"', 1)[1][:400])
    with tenant_scope(tenant.tenant.id):
        assert (await CaseOffer.get(id=old.id)).status == "released"
        assert (await Tender.get(id=tender.id)).status == "new"


async def test_one_chosen_offer_per_line_and_its_tender_closes(admin, tenant, case) -> None:
    tender = await start_tender(tenant, case, status="offered")
    from_tender = await add_offer(tenant, case, tender=tender)
    entered = await add_offer(tenant, case, product_line="gewerbe", insurer_name="Direkt")
    back = f"/staff/cases/{case.id}"
    chose = await admin.submit(f"/staff/offers/{from_tender.id}/choose", form_page=back)
    assert chose.headers["location"] == f"{back}?offer_chosen=1#case-offers"
    with tenant_scope(tenant.tenant.id):
        closed = await Tender.get(id=tender.id)
        assert closed.status == "chosen" and closed.closed_at is not None
        assert (await CaseOffer.get(id=from_tender.id)).status == "chosen"
        event = await Event.get(kind="offer_chosen")
        assert event.object_id == case.id and "Gewerbe" in event.title
    page = html.unescape((await admin.get(back)).text)
    assert 'id="make-papers"' in page and 'id="confirm-offer"' in page
    assert "hat das Angebot" in page.split('id="case-history"', 1)[1]  # in the history
    await admin.submit(f"/staff/offers/{entered.id}/choose", form_page=back)
    with tenant_scope(tenant.tenant.id):
        assert (await CaseOffer.get(id=from_tender.id)).status == "released"
        assert (await CaseOffer.get(id=entered.id)).status == "chosen"
        assert (await Tender.get(id=tender.id)).status == "offered"
        assert await CaseOffer.filter(case_id=case.id, status="chosen").count() == 1


async def test_the_chosen_offer_becomes_a_contract(admin, tenant, case) -> None:
    with tenant_scope(tenant.tenant.id):
        await Tenant.filter(id=tenant.tenant.id).update(tender_contract_status="active")
        await WebhookEndpoint.create(
            url="https://hooks.example/x", secret="s" * 32, event_types=["contract.created"]
        )
    tenant_cache.invalidate()
    offer = await add_offer(tenant, case, insurer_name=CONDOR, insurer_legal_form="AG")
    back = f"/staff/cases/{case.id}"
    await admin.submit(f"/staff/offers/{offer.id}/choose", form_page=back)
    confirm = f"/staff/offers/{offer.id}/confirm"
    missing = await admin.submit(confirm, {"insurance_number": ""}, form_page=back)
    assert missing.status_code == 422
    assert "Pflichtfeld" in html.unescape(missing.text.split(f'id="number-{offer.id}-error"')[1])
    done = await admin.submit(confirm, {"insurance_number": "KFZ-4711"}, form_page=back)
    assert done.headers["location"] == f"{back}?offer_confirmed=1#case-offers"
    with tenant_scope(tenant.tenant.id):
        contract = await Contract.get(contact_id=case.contact_id)
        assert (contract.status, contract.folder, contract.insurer_name) == (
            "active",
            "insurance",
            CONDOR,
        )
        assert contract.insurer_id is not None and contract.insurance_number == "KFZ-4711"
        assert (contract.gross_premium, contract.payment_frequency) == (
            Decimal("1234.56"),
            "yearly",
        )
        assert contract.product_line == "Kfz" and "Deckungsbeginn" in contract.note
        assert (await CaseOffer.get(id=offer.id)).contract_id == contract.id
        assert (await AdviceCase.get(id=case.id)).chosen_contract_id == contract.id
        assert await WebhookDelivery.filter(event_type="contract.created").count() == 1
    again = await admin.submit(confirm, {"insurance_number": "KFZ-4711"}, form_page=back)
    assert again.status_code == 303  # a second click makes no second contract
    with tenant_scope(tenant.tenant.id):
        assert await Contract.filter(contact_id=case.contact_id).count() == 1
    page = html.unescape((await admin.get(back)).text)
    assert 'id="offer-contract"' in page and 'id="confirm-offer"' not in page


async def test_an_insurer_not_in_the_list_is_named_on_confirming(admin, tenant, case) -> None:
    offer = await add_offer(tenant, case, status="chosen", insurer_name="Unbekannt Versicherung")
    back = f"/staff/cases/{case.id}"
    refused = await admin.submit(
        f"/staff/offers/{offer.id}/confirm", {"insurance_number": "X-1"}, form_page=back
    )
    assert refused.status_code == 422
    shown = html.unescape(refused.text.split('id="confirm-error"', 1)[1][:500])
    assert "Unbekannt Versicherung AG" in shown
    with tenant_scope(tenant.tenant.id):
        assert not await Contract.exists()


async def test_the_setting_says_what_a_confirmed_offer_becomes(admin, tenant) -> None:
    page = await admin.get("/staff/settings")
    options = page.text.split('id="f-tender_contract_status"', 1)[1].split("</select>", 1)[0]
    assert 'value="start" selected' in options and 'value="offer"' not in options
    saved = await save_settings(admin, {"tender_contract_status": "active"})
    assert saved.status_code == 303
    with tenant_scope(tenant.tenant.id):
        assert (await Tenant.get(id=tenant.tenant.id)).tender_contract_status == "active"
    refused = await save_settings(admin, {"tender_contract_status": "offer"})
    assert refused.status_code == 422
    assert "Vertragsstatus" in error_next_to(refused.text, "tender_contract_status")


async def test_other_tenants_and_staff_without_the_contact_get_404(
    tenant, other_tenant, passwords, client_for, case
) -> None:
    offer = await add_offer(tenant, case)
    outsider = await staff_member(tenant, passwords, "otto", access_insurance="write")
    reader = await staff_member(
        tenant, passwords, "rita", access_insurance="read", sees_all_contacts=True
    )
    pages = [f"/staff/cases/{case.id}/offers/new", f"/staff/cases/{case.id}/offers/compare"]
    posts = [f"/staff/offers/{offer.id}/{action}" for action in ("choose", "papers", "confirm")]
    beta = client_for(other_tenant.hostname)
    await beta.log_in("beta-admin")
    otto = client_for(tenant.hostname)
    await otto.log_in(outsider.username)
    for client in (beta, otto):
        for path in pages:
            assert (await client.get(path)).status_code == 404, path
        for path in posts:
            assert (await client.submit(path, form_page="/staff")).status_code == 404, path
    rita = client_for(tenant.hostname)
    await rita.log_in(reader.username)
    assert (await rita.get(pages[1])).status_code == 200  # she reads them
    assert (await rita.get(pages[0])).status_code == 403  # but changes nothing
    assert (await rita.submit(posts[0], form_page="/staff")).status_code == 403
