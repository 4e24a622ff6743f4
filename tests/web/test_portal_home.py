"""The portal home's overview: what each folder holds, the newest documents from the broker,
open offers, premiums per month and year, open tickets and claims, all exactly as far as the
folder pages let the customer see."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from tenant_app.models.accounts import User
from tenant_app.models.claims import Claim
from tenant_app.models.conversations import Conversation
from tenant_app.models.folders import Contract, Document
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant
from tenant_app.queries.portal_home import HomeContract
from tenant_app.services.portal_home import premium_totals
from tenant_app.tenancy import tenant_cache
from tests.conftest import CUSTOMER_PASSWORD, make_customer, page_queries
from tests.folder_helpers import add_contract, add_document
from tests.web.test_du_tenant import visible_text
from tests.web.test_households import link, switch


def card(html: str, element_id: str) -> str:
    inner = html.split(f'id="{element_id}"', 1)[1].split(">", 1)[1]
    return visible_text(inner.split("</section>", 1)[0])


def count(html: str, element_id: str) -> str:
    return visible_text(html.split(f'id="{element_id}"', 1)[1].split("</span>", 2)[1])


def contract(status: str, frequency: str, premium: str | None) -> HomeContract:
    return HomeContract(
        id=1,
        folder="insurance",
        status=status,
        product_line="Hausrat",
        insurer_name="Condor",
        insurance_number="1",
        payment_frequency=frequency,
        gross_premium=None if premium is None else Decimal(premium),
        valid_until=None,
        created_by_customer=False,
    )


def test_premiums_are_summed_exactly_per_year_and_month() -> None:
    totals = premium_totals(
        [
            contract("active", "monthly", "12.50"),  # 150.00
            contract("active", "quarterly", "100.10"),  # 400.40
            contract("start", "half_yearly", "33.33"),  # 66.66
            contract("active", "yearly", "1000.00"),  # 1000.00
            contract("active", "single", "500.00"),  # named, not summed
            contract("active", "", "20.00"),  # no frequency: named, not summed
            contract("offer", "monthly", "99.00"),  # not running
            contract("cancelled", "monthly", "99.00"),
            contract("active", "monthly", None),
        ]
    )
    assert totals.per_year == Decimal("1617.06")
    assert totals.per_month == Decimal("134.76")  # 134.755 rounded half up
    assert (totals.counted, totals.single_count, totals.unknown_count) == (4, 1, 1)
    assert totals.single_total == Decimal("500.00")
    three = premium_totals([contract("active", "monthly", "0.10")] * 3)
    assert three.per_year == Decimal("3.60") and three.per_month == Decimal("0.30")


async def _premium(tenant: Any, item: Contract, frequency: str, amount: str) -> None:
    with tenant_scope(tenant.tenant.id):
        await Contract.filter(id=item.id).update(
            payment_frequency=frequency, gross_premium=Decimal(amount)
        )


@pytest.fixture
async def kai(tenant, passwords, settings, client_for) -> SimpleNamespace:
    """Kai sees insurance (data share) and finance read-only with unlock (only his own
    items); the other folders stay closed."""
    contact = await make_customer(
        tenant,
        passwords,
        insurance_share=True,
        finance_unlock=True,
        finance_readonly=True,
        communication=True,
    )
    running = await add_contract(tenant, contact, number="HR-1")  # 12.50 monthly
    yearly = await add_contract(tenant, contact, number="PH-1")
    await _premium(tenant, yearly, "yearly", "89.90")
    single = await add_contract(tenant, contact, number="EB-1")
    await _premium(tenant, single, "single", "250.00")
    own = await add_contract(tenant, contact, "finance", by_customer=True, number="OWN")
    await _premium(tenant, own, "quarterly", "30.00")
    hidden = await add_contract(tenant, contact, "finance", number="BROKER-FIN")  # not his
    await _premium(tenant, hidden, "yearly", "1000.00")
    closed = await add_contract(tenant, contact, "other", number="OTHER")  # folder closed
    offer = await add_contract(tenant, contact, status="offer", number="OFFER-1")
    old_offer = await add_contract(tenant, contact, status="offer", number="OFFER-OLD")
    soon = date.today() + timedelta(days=14)
    with tenant_scope(tenant.tenant.id):
        await Contract.filter(id=offer.id).update(valid_until=soon, product_line="Wohngebäude")
        await Contract.filter(id=old_offer.id).update(valid_until=date(2020, 1, 1))
    docs = [
        await add_document(tenant, settings, contact, contract=running, title=f"Police {n}")
        for n in range(6)
    ]
    unshared = await add_document(tenant, settings, contact, title="Intern", shared=False)
    secret = await add_document(tenant, settings, contact, contract=closed, title="Geheim")
    broker_fin = await add_document(tenant, settings, contact, contract=hidden, title="Fin")
    client = client_for(tenant.hostname)
    await client.log_in("kai", CUSTOMER_PASSWORD)
    return SimpleNamespace(
        contact=contact, client=client, offer=offer, soon=soon, docs=docs,
        hidden_docs=(unshared, secret, broker_fin), running=running,
    )  # fmt: skip


async def test_the_home_sums_up_what_the_folders_show(tenant, kai) -> None:
    home = (await kai.client.get("/portal")).text
    assert count(home, "count-insurance") == "5"  # 3 running contracts and 2 offers
    assert "5 Verträge · 6 Dokumente" in card_tile(home, "tile-insurance")
    assert "1 Vertrag · 0 Dokumente" in card_tile(home, "tile-finance")
    assert 'id="tile-other"' not in home and 'id="tile-emergency"' not in home
    premiums = card(home, "home-premiums")
    # 12.50 × 12 + 89.90 + 30.00 × 4 = 359.90 a year; the broker's finance contract is hidden
    assert "Pro Jahr 359,90 €" in premiums and "Pro Monat 29,99 €" in premiums
    assert "Aus 3 laufenden Verträgen." in premiums
    assert "Nicht enthalten: Einmalbeiträge über insgesamt 250,00 €." in premiums


async def test_open_offers_come_first_with_their_validity(tenant, kai) -> None:
    home = (await kai.client.get("/portal")).text
    offers = card(home, "home-offers")
    assert offers.startswith("1 offenes Angebot")
    assert "Angebot Wohngebäude · Condor" in offers
    assert f"Gültig bis {kai.soon:%d.%m.%Y}" in offers
    assert f'href="/portal/folders/insurance#contract-{kai.offer.id}"' in home
    assert home.index('id="home-offers"') < home.index('id="modules"')
    with tenant_scope(tenant.tenant.id):
        await Tenant.filter(id=tenant.tenant.id).update(modules="claims")
    tenant_cache.invalidate()
    assert 'id="home-offers"' not in (await kai.client.get("/portal")).text


async def test_the_newest_documents_link_as_the_folder_pages_do(tenant, kai) -> None:
    home = (await kai.client.get("/portal")).text
    shown = card(home, "home-documents")
    assert [f"Police {n}" in shown for n in range(6)] == [False] + [True] * 5
    assert home.index("Police 5") < home.index("Police 1")  # newest first
    for hidden in kai.hidden_docs:
        assert f"/portal/documents/{hidden.id}/download" not in home
        assert (await kai.client.get(f"/portal/documents/{hidden.id}/download")).status_code == 404
    newest = kai.docs[-1]
    response = await kai.client.get(f"/portal/documents/{newest.id}/download")
    assert response.status_code == 200


async def test_open_tickets_and_claims_are_counted(tenant, kai) -> None:
    assert 'id="tile-claims"' not in (await kai.client.get("/portal")).text  # none open
    with tenant_scope(tenant.tenant.id):
        for status in ("open", "open", "closed"):
            await Conversation.create(contact_id=kai.contact.id, subject="Frage", status=status)
        for number, status in (("S-1", "reported"), ("S-2", "at_insurer"), ("S-3", "settled")):
            await Claim.create(
                number=number, contact_id=kai.contact.id, loss_date=date(2026, 1, 2),
                kind="household", description="Wasser", status=status,
            )  # fmt: skip
    home = (await kai.client.get("/portal")).text
    assert "2 offene Anfragen" in card_tile(home, "tile-communication")
    assert "2 offene Schäden" in card_tile(home, "tile-claims")
    assert 'href="/portal/claims" id="tile-claims"' in home
    with tenant_scope(tenant.tenant.id):
        await Tenant.filter(id=tenant.tenant.id).update(modules="offers")
    tenant_cache.invalidate()
    assert 'id="tile-claims"' not in (await kai.client.get("/portal")).text


async def test_english_users_see_their_amounts_formatted_in_english(tenant, kai) -> None:
    with tenant_scope(tenant.tenant.id):
        await User.filter(username="kai").update(language="en")
    home = (await kai.client.get("/portal")).text
    premiums = card(home, "home-premiums")
    assert "Per year €359.90" in premiums and "Per month €29.99" in premiums


async def test_a_household_login_sees_the_chosen_members_overview(
    tenant, passwords, settings, client_for, kai
) -> None:
    lena = await make_customer(
        tenant, passwords, email="lena@kunde.example", first_name="Lena", insurance_share=True
    )
    lena_contract = await add_contract(tenant, lena, number="LENA-1")
    await _premium(tenant, lena_contract, "yearly", "42.00")
    await add_document(tenant, settings, lena, contract=lena_contract, title="Lenas Police")
    admin = client_for(tenant.hostname)
    await admin.log_in("alpha-admin")
    assert (await link(admin, lena.id, "kai@kunde.example")).status_code == 303
    await switch(kai.client, lena.id)
    home = (await kai.client.get("/portal")).text
    assert "Pro Jahr 42,00 €" in card(home, "home-premiums")
    assert "Lenas Police" in home and "Police 5" not in home
    assert 'id="tile-finance"' not in home and 'id="home-offers"' not in home


async def test_the_home_costs_the_same_queries_however_much_there_is(
    tenant, passwords, settings, client_for
) -> None:
    contact = await make_customer(tenant, passwords, insurance_share=True, communication=True)
    client = client_for(tenant.hostname)
    await client.log_in("kai", CUSTOMER_PASSWORD)

    async def grow(times: int) -> None:
        for n in range(times):
            item = await add_contract(tenant, contact, status="offer" if n % 2 else "active")
            await add_document(tenant, settings, contact, contract=item, title=f"D{n}")
            with tenant_scope(tenant.tenant.id):
                await Conversation.create(contact_id=contact.id, subject=f"T{n}")
                await Claim.create(
                    number=f"C{item.id}", contact_id=contact.id, loss_date=date(2026, 1, 2),
                    kind="other", description="x",
                )  # fmt: skip

    await grow(2)
    few = await page_queries(client, "/portal")
    await grow(25)
    many = await page_queries(client, "/portal")
    assert few == many <= 3  # the session, the broker cards, the overview


async def test_another_tenants_customer_sees_nothing_of_it(
    tenant, other_tenant, passwords, client_for, kai
) -> None:
    await make_customer(other_tenant, passwords, email="bea@kunde.example", insurance_share=True)
    bea = client_for(other_tenant.hostname)
    await bea.log_in("bea", CUSTOMER_PASSWORD)
    home = (await bea.get("/portal")).text
    assert 'id="home-offers"' not in home and 'id="home-documents"' not in home
    assert 'id="home-premiums"' not in home and "Police 1" not in home
    assert count(home, "count-insurance") == "0"
    with tenant_scope(other_tenant.tenant.id):
        assert not await Document.filter(title="Police 1").exists()


def card_tile(html: str, element_id: str) -> str:
    return visible_text(html.split(f'id="{element_id}"', 1)[1].split("</a>", 1)[0])
