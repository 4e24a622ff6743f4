"""A case's offers through the API: the broker's system sends a calculated offer (checked like
the staff's form, amounts exact) and reads the offers the broker sees, a backoffice's released
tender offers among them and never its drafts."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenders import CaseOffer
from tests.api_helpers import bearer, field_messages, make_token
from tests.case_helpers import open_case
from tests.conftest import make_customer
from tests.tender_helpers import make_backoffice, make_tender

DE = {"Accept-Language": "de"}


def offer(**changes: Any) -> dict[str, Any]:
    return {
        "product_line": "kfz",
        "insurer_name": "Nordstern Versicherung",
        "insurer_legal_form": "AG",
        "tariff": "Kfz Komfort",
        "premium": "1234.56",
        "payment_frequency": "yearly",
        "deductible": 300,
        "cover_points": ["Vollkasko", "Werkstattbindung"],
        "valid_until": (date.today() + timedelta(days=14)).isoformat(),
        **changes,
    }


async def _case(tenant: Any, passwords: Any) -> Any:
    kai = await make_customer(tenant, passwords)
    return await open_case(tenant, kai, title="Kfz-Wechsel", lines=("kfz",))


async def test_a_calculated_offer_is_sent_and_read_back(tenant, passwords, client_for) -> None:
    case = await _case(tenant, passwords)
    secret = await make_token(tenant, ["cases:write"])
    api = client_for(tenant.hostname)
    path = f"/api/v1/cases/{case.id}/offers"
    made = await api.post(path, json=offer(), headers=bearer(secret))
    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["source"], body["status"], body["premium"], body["deductible"]) == (
        "api",
        "released",
        "1234.56",
        "300.00",
    )
    with tenant_scope(tenant.tenant.id):
        stored = await CaseOffer.get(id=body["id"])
        tender = await make_tender(tenant, case, await make_backoffice(), line="kfz")
        for status in ("draft", "released"):
            await CaseOffer.create(
                case_id=case.id,
                product_line="kfz",
                tender_id=tender.id,
                source="tender",
                insurer_name=f"Backoffice {status}",
                premium=Decimal("999.00"),
                payment_frequency="yearly",
                status=status,
            )
    assert stored.premium == Decimal("1234.56") and stored.cover_points == [
        "Vollkasko",
        "Werkstattbindung",
    ]
    listed = (await api.get(path, headers=bearer(secret))).json()["items"]
    assert [(item["insurer_name"], item["source"]) for item in listed] == [
        ("Backoffice released", "tender"),
        ("Nordstern Versicherung", "api"),
    ]


async def test_a_refused_offer_names_its_fields_and_stores_nothing(
    tenant, passwords, client_for
) -> None:
    case = await _case(tenant, passwords)
    secret = await make_token(tenant, ["cases:write"])
    api = client_for(tenant.hostname)
    path = f"/api/v1/cases/{case.id}/offers"
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    for body, field in (
        (offer(premium=None), "premium"),
        (offer(premium="12.345,67"), "premium"),  # German notation is no JSON amount
        (offer(product_line="hausrat"), "product_line"),  # not a line of the case
        (offer(payment_frequency="weekly"), "payment_frequency"),
        (offer(valid_until=yesterday), "valid_until"),
        (offer(insurer_name=""), "insurer_name"),
    ):
        refused = await api.post(path, json=body, headers=bearer(secret, **DE))
        messages = field_messages(refused)
        assert any(name.endswith(field) or name == field for name in messages), (field, messages)
    with tenant_scope(tenant.tenant.id):
        assert not await CaseOffer.filter(case_id=case.id).exists()
