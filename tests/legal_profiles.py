"""Complete broker profiles per legal form, for the fixture tenants and the legal tests: each
holds exactly what the imprint and the signature of its legal form need."""

from __future__ import annotations

from typing import Any

BASE = {
    "broker_firm_name": "Alpha Versicherungsmakler",
    "broker_legal_form": "GmbH",
    "broker_street": "Ring 1",
    "broker_postal_code": "50672",
    "broker_city": "Köln",
    "broker_phone": "0221 123",
    "broker_email": "info@alpha.example",
    "broker_status": "makler",
    "broker_chamber": "IHK Köln",
    "broker_chamber_address": "Unter Sachsenhausen 10–26, 50667 Köln",
    "broker_register_number": "D-ABCD-1234-56",
    "broker_representatives": "Clara Chef",
}
REGISTERED = {"broker_seat": "Köln", "broker_register_court": "Amtsgericht Köln"}
PARTNER = {
    "broker_partner_name": "Alpha Verwaltungs GmbH",
    "broker_partner_seat": "Köln",
    "broker_partner_register_court": "Amtsgericht Köln",
    "broker_partner_trade_register": "HRB 4711",
    "broker_partner_representatives": "Clara Chef",
}
# Legal form -> what it adds to BASE.
BY_FORM: dict[str, dict[str, str]] = {
    "": {"broker_firm_name": "Clara Chef Versicherungsmakler"},
    "e.K.": {**REGISTERED, "broker_trade_register": "HRA 123"},
    "GbR": {"broker_representatives": "Clara Chef\nBernd Berg"},
    "OHG": {**REGISTERED, "broker_trade_register": "HRA 234"},
    "KG": {**REGISTERED, "broker_trade_register": "HRA 345"},
    "GmbH & Co. KG": {**REGISTERED, "broker_trade_register": "HRA 456", **PARTNER},
    "GmbH": {**REGISTERED, "broker_trade_register": "HRB 12345"},
    "UG (haftungsbeschränkt)": {**REGISTERED, "broker_trade_register": "HRB 23456"},
    "AG": {**REGISTERED, "broker_trade_register": "HRB 34567", "broker_board_chair": "Dora Dahl"},
    "PartG": {**REGISTERED, "broker_trade_register": "PR 12"},
    "PartG mbB": {**REGISTERED, "broker_trade_register": "PR 13"},
}


def complete_profile(legal_form: str = "GmbH", **changes: Any) -> dict[str, str]:
    """The columns of a complete profile of this legal form (with `changes` on top)."""
    if legal_form == "GmbH & Co. KG":
        base = {k: v for k, v in BASE.items() if k != "broker_representatives"}
    else:
        base = BASE
    return {**base, "broker_legal_form": legal_form, **BY_FORM[legal_form], **changes}
