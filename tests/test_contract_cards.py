"""A customer's contract card prepared for printing."""

from __future__ import annotations

from decimal import Decimal

from tenant_app.queries.folders import ContractRow
from tenant_app.text import i18n
from tenant_app.text.contract_cards import contract_card


def _url(name: str, **params: object) -> str:
    return "/" + name + "".join(f"/{value}" for value in params.values())


def _row(**changes: object) -> ContractRow:
    values: dict[str, object] = {
        "id": 7,
        "status": "active",
        "product_line": "Hausrat",
        "insurer_name": "Condor",
        "insurance_number": "V-1",
        "payment_frequency": "monthly",
        "gross_premium": Decimal("1234.5"),
        "note": "",
        "created_by_customer": False,
    }
    return ContractRow(**(values | changes))  # type: ignore[arg-type]


def test_a_card_in_german_and_in_english() -> None:
    with i18n.using("de"):
        card = contract_card(_url, "insurance", _row())
    assert (card.title, card.chip, card.named) == ("Hausrat · Condor", "active", "Hausrat · V-1")
    assert card.premium == "1.234,50\xa0€ monatlich"
    assert (card.status, card.labels.edit) == ("Aktiv", "Bearbeiten")
    assert card.upload_url == "/portal_upload_form/insurance?contract_id=7"
    with i18n.using("en"):
        english = contract_card(_url, "insurance", _row())
    assert english.premium == "€1,234.50 monthly" and english.labels.edit == "Edit"


def test_what_a_card_leaves_out() -> None:
    with i18n.using("de"):
        card = contract_card(
            _url, "finance", _row(insurer_name="", gross_premium=None, insurance_number="")
        )
    assert (card.title, card.premium, card.named) == ("Hausrat", "", "Hausrat")
