"""The demo's tenders (Ausschreibungen): the platform's space on its own host with an operator,
the backoffice "Nordlicht Assekuranz-Service GmbH" with Bea, engaged by the demo firm, and
Hannes Holz's joinery (Holz & Span GmbH) with a tender in each state, made through the same use
cases the pages call:

- "Betriebshaftpflicht": new, nobody at the backoffice has taken it yet;
- "Inhaltsversicherung Werkstatt": taken by Bea (open);
- "Elektronikversicherung": Bea asked about the prior claims (waits for Mia's answer);
- "Gebäude Gewerbehalle": two offers released, a third still a draft (Mia can compare);
- "Maschinenbruch": an offer chosen, proposal and cover order filed, the contract made;
- "Cyber-Versicherung": withdrawn by Mia (the shop's data changed: a new tender is due).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from tenant_app.actors import CurrentUser, actor_from
from tenant_app.models.accounts import User
from tenant_app.models.contacts import Contact, ContactResponsible
from tenant_app.models.mail import OutboxMail
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenders import Backoffice, BackofficeEngagement, CaseOffer
from tenant_app.security.passwords import PasswordService
from tenant_app.services import (
    backoffice_tender,
    case_offers,
    case_risks,
    cases,
    offer_papers,
    platform,
    tender_access,
    tender_withdrawal,
    tenders,
)
from tenant_app.services.tickets import Context
from tenant_app.tenancy import enter_tenant, leave_tenant, load_tenant_info

OPERATOR = ("operator", "demo-operator-2026")
BACKOFFICE_LOGIN = ("bea", "demo-backoffice-2026")
BACKOFFICE_NAME = "Nordlicht Assekuranz-Service"

_WORKSHOP = {
    "trade": "Schreinerei mit Ausstellungsraum",
    "annual_turnover": "1.250.000",
    "employees": "12",
    "year_founded": "1998",
}
_ANSWERS = {
    "desired_deductible": "1.000",
    "prior_claims": "1",
    "prior_claims_details": "2023: Wasserschaden in der Werkstatt, 3.400 €",
    "desired_sum_insured": "3.000.000",
    "business_activity": "Möbelbau nach Maß, Innenausbau, Montage bei Kunden",
    "annual_turnover": "1.250.000",
    "employees": "12",
}
_TITLES = (
    "Betriebshaftpflicht",
    "Inhaltsversicherung Werkstatt",
    "Elektronikversicherung",
    "Gebäude Gewerbehalle",
    "Maschinenbruch",
    "Cyber-Versicherung",
)


async def add_platform(passwords: PasswordService, hostname: str) -> Backoffice:
    """The platform's space with its operator, and the backoffice with Bea."""
    space = await platform.ensure_platform(hostname)
    await platform.create_login(
        passwords,
        space,
        kind="operator",
        email="operator@platform.example",
        first_name="Olaf",
        last_name="Operator",
        password=OPERATOR[1],
        username=OPERATOR[0],
    )
    backoffice = await platform.create_backoffice(
        name=BACKOFFICE_NAME,
        legal_form="GmbH",
        email="ausschreibung@nordlicht.example",
        service_days={"*": 5, "gewerbe": 7},
    )
    await platform.create_login(
        passwords,
        space,
        kind="backoffice",
        email="bea@nordlicht.example",
        first_name="Bea",
        last_name="Berger",
        password=BACKOFFICE_LOGIN[1],
        backoffice=backoffice,
        username=BACKOFFICE_LOGIN[0],
    )
    return backoffice


async def add_demo_tenders(passwords: PasswordService, ctx: Context, tenant_id: int) -> None:
    """The platform's space with the backoffice the demo firm engages, and Hannes Holz's
    cases, each tender a step further (see the module's text)."""
    backoffice = await add_platform(passwords, ctx.settings.platform_hostname)
    with tenant_scope(tenant_id):
        mia = actor_from(await User.get(username="mia"))
        await BackofficeEngagement.create(
            backoffice=backoffice, started_by_id=mia.id, started_at=datetime.now(UTC)
        )
        contact = await _joinery(mia)
    tokens = enter_tenant(await load_tenant_info(tenant_id))
    try:
        started = [await _started(ctx, mia, contact, title, backoffice) for title in _TITLES]
    finally:
        leave_tenant(tokens)
    bea = await _backoffice_actor()
    for tender_id in [tender.id for tender in started[1:5]]:
        await backoffice_tender.take_tender(bea, tender_id)
    await backoffice_tender.write_message(
        ctx,
        bea,
        started[2].id,
        body="Guten Tag Frau Muster, zum Wasserschaden 2023: Ist die Ursache behoben und "
        "wurde die Leitung erneuert? Ohne das nehmen zwei Versicherer das Risiko nicht.",
        upload=None,
    )
    for tender in started[3:5]:
        offers = [
            await backoffice_tender.create_offer(ctx, bea, tender.id, values, None)
            for values in _offer_values()
        ]
        for offer in offers[:2]:
            await backoffice_tender.release_offer(bea, tender.id, offer.id)
        await backoffice_tender.set_insurers(bea, tender.id, "5")
    await _choose(ctx, tenant_id, mia, started[4].case_id)
    await _withdraw(ctx, tenant_id, mia, started[5].id)
    with tenant_scope(tenant_id):  # seeded history, not news: no mail goes out about it
        await OutboxMail.filter(kind__startswith="tender_", sent_at=None).delete()


async def _joinery(mia: CurrentUser) -> Contact:
    contact = await Contact.create(
        first_name="Hannes",
        last_name="Holz",
        birthdate=date(1975, 6, 21),
        email="hannes.holz@holz-und-span.example",
        company_name="Holz & Span",
        legal_form="GmbH",
        street="Sägewerkstraße 4",
        postal_code="51063",
        city="Köln",
        phone="0221 987650",
    )
    await ContactResponsible.create(contact_id=contact.id, user_id=mia.id)
    return contact


async def _started(
    ctx: Context, mia: CurrentUser, contact: Contact, title: str, backoffice: Backoffice
) -> Any:
    case = await cases.open_case(
        mia,
        contact_id=contact.id,
        values={"title": title, "product_lines": ["gewerbe"], "responsible": str(mia.id)},
    )
    await case_risks.add_risk(
        mia,
        case,
        values={"product_line": "gewerbe", "label": "Holz & Span GmbH, Sägewerkstraße 4"},
        attributes=_WORKSHOP,
    )
    case = await cases.case_for(mia, case.id)
    return await tenders.start_tender(
        ctx,
        mia,
        case,
        product_line="gewerbe",
        backoffice_id=backoffice.id,
        answers=_ANSWERS,
        free_text="Familienbetrieb in zweiter Generation, neue CNC-Fräse seit 2025.",
        shared={"address", "phone", "email"},
        uploads=[],
        reason="",
    )


def _offer_values() -> list[dict[str, str]]:
    """Three insurers of the catalogue (a contract's insurer comes from it): two released."""
    valid = (date.today() + timedelta(days=60)).isoformat()
    common = {"payment_frequency": "yearly", "valid_until": valid}
    return [
        {
            **common,
            "insurer_name": "Continentale Sachversicherung",
            "insurer_legal_form": "AG",
            "tariff": "Gewerbe Kompakt Plus",
            "premium": "2.184,50",
            "deductible": "1.000",
            "sum_insured": "3.000.000",
            "cover_points": "Betriebsunterbrechung 12 Monate\nMitversicherung Montage beim Kunden",
        },
        {
            **common,
            "insurer_name": "Die Haftpflichtkasse",
            "insurer_legal_form": "VVaG",
            "tariff": "Handwerk Premium",
            "premium": "2.391,00",
            "deductible": "500",
            "sum_insured": "5.000.000",
            "cover_points": "Betriebsunterbrechung 18 Monate\nGrobe Fahrlässigkeit mitversichert",
        },
        {
            **common,
            "insurer_name": "ARAG",
            "insurer_legal_form": "SE",
            "tariff": "Betrieb Basis",
            "premium": "1.970,00",
            "deductible": "2.500",
            "sum_insured": "2.000.000",
            "cover_points": "Betriebsunterbrechung 6 Monate",
        },
    ]


async def _backoffice_actor() -> CurrentUser:
    space = await platform.platform_tenant()
    assert space is not None
    with tenant_scope(space.id):
        return actor_from(await User.get(username=BACKOFFICE_LOGIN[0]))


async def _choose(ctx: Context, tenant_id: int, mia: CurrentUser, case_id: int) -> None:
    """Mia chooses the cheaper of the two released offers, files both papers and confirms."""
    tokens = enter_tenant(await load_tenant_info(tenant_id))
    try:
        first = (
            await CaseOffer.filter(case_id=case_id, status="released").order_by("premium").first()
        )
        assert first is not None
        await case_offers.choose(mia, first.id)
        await offer_papers.make_papers(
            mia, ctx.store, first.id, max_bytes=ctx.settings.max_upload_bytes
        )
        await case_offers.confirm(mia, first.id, values={"insurance_number": "GH-2026-4711"})
    finally:
        leave_tenant(tokens)


async def _withdraw(ctx: Context, tenant_id: int, mia: CurrentUser, tender_id: int) -> None:
    tokens = enter_tenant(await load_tenant_info(tenant_id))
    try:
        tender = await tender_access.tender_for(mia, tender_id, edit=True)
        await tender_withdrawal.withdraw(ctx, mia, tender)
    finally:
        leave_tenant(tokens)
