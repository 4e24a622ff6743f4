"""The demo's advice cases (Vorgänge), made through the same use cases the pages call: Mia
advises Dana on changing her car insurance (open, with the car as its risk), and finished a
check of her household insurance earlier (completed, the contract it kept chosen)."""

from __future__ import annotations

from tenant_app.actors import actor_from
from tenant_app.models.accounts import User
from tenant_app.models.folders import Contract
from tenant_app.services import case_risks, cases

CAR = {
    "make": "Volkswagen",
    "model": "Golf 8 Variant",
    "registration": "K-DD 2026",
    "first_registration": "2021-03-15",
    "annual_mileage": "15.000",
    "hsn": "0603",
    "tsn": "BJM",
}


async def add_demo_cases() -> None:
    mia = actor_from(await User.get(username="mia"))
    dana = await User.get(username="dana")
    contact_id = int(dana.contact_id or 0)
    change = await cases.open_case(
        mia,
        contact_id=contact_id,
        values={
            "title": "Kfz-Wechsel",
            "product_lines": ["kfz"],
            "responsible": str(mia.id),
            "description": "Dana kauft einen neuen Golf und möchte zum Jahreswechsel den "
            "Versicherer wechseln: Vollkasko mit Werkstattbindung, SF-Klasse übernehmen.",
            "notes": "Bisheriger Vertrag bei der HUK, Kündigung bis 30.11. nötig.",
            "external_id": "MVP-2026-0815",
        },
    )
    await case_risks.add_risk(
        mia,
        change,
        values={"product_line": "kfz", "label": "VW Golf Variant, K-DD 2026"},
        attributes=CAR,
    )
    await cases.set_status(mia, change, status="in_progress")
    household = await Contract.get(contact_id=contact_id, product_line="Hausrat")
    check = await cases.open_case(
        mia,
        contact_id=contact_id,
        values={"title": "Hausrat-Check nach Umzug", "product_lines": ["hausrat"]},
    )
    await case_risks.add_risk(
        mia,
        check,
        values={"product_line": "hausrat", "label": "Wohnung Lindenallee 3"},
        attributes={
            "address": "Lindenallee 3, 50667 Köln",
            "living_area": "78",
            "sum_insured": "62.400",
        },
    )
    check = await cases.choose_contract(mia, check, contract_id=household.id)
    await cases.set_status(mia, check, status="completed")
