"""The legal rules of the imprint and the mail signature, table-driven per legal form: the
signature holds exactly what the form's law asks for, the go-live check names exactly what
is missing, the legal form is printed once, and the profile's fields are checked."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tenant_app.schemas.base import checked
from tenant_app.schemas.broker_profile import BrokerProfileInput
from tenant_app.text import i18n
from tenant_app.text.legal_imprint import imprint_sections
from tenant_app.text.legal_rules import (
    BrokerProfile,
    missing,
    required_columns,
    signature,
    signature_items,
    signature_lines,
)
from tenant_app.vocabulary import LEGAL_FORMS
from tests.legal_profiles import complete_profile

# The law, written out once more by hand: what a business mail must name, by legal form.
REGISTERED = {"firm", "seat", "register", "address"}
SIGNATURE_BY_LAW = {
    "": {"firm", "owner", "address"},  # § 15b GewO
    "e.K.": REGISTERED,  # § 37a HGB
    "GbR": {"firm", "partners", "address"},  # § 15b GewO
    "OHG": REGISTERED,  # § 125 HGB
    "KG": REGISTERED,  # §§ 177a, 125 HGB
    "GmbH & Co. KG": REGISTERED | {"partner"},  # §§ 177a, 125 (1) 2 HGB, § 35a GmbHG
    "GmbH": REGISTERED | {"directors"},  # § 35a GmbHG
    "UG (haftungsbeschränkt)": REGISTERED | {"directors"},
    "AG": REGISTERED | {"board", "chair"},  # § 80 AktG
    "PartG": REGISTERED,  # § 7 (5) PartGG
    "PartG mbB": REGISTERED,
}
# What each item must show of the complete profile (tests/legal_profiles.py).
SHOWN = {
    "firm": ("broker_firm_name", "broker_legal_form"),
    "owner": ("broker_representatives",),
    "partners": ("broker_representatives",),
    "directors": ("broker_representatives",),
    "board": ("broker_representatives",),
    "chair": ("broker_board_chair",),
    "seat": ("broker_seat",),
    "register": ("broker_register_court", "broker_trade_register"),
    "partner": (
        "broker_partner_name",
        "broker_partner_seat",
        "broker_partner_register_court",
        "broker_partner_trade_register",
        "broker_partner_representatives",
    ),
    "address": ("broker_street", "broker_postal_code", "broker_city"),
}


def profile(legal_form: str, **changes: str) -> BrokerProfile:
    return BrokerProfile.of(complete_profile(legal_form, **changes))


def test_every_legal_form_has_its_rule() -> None:
    assert set(SIGNATURE_BY_LAW) == set(LEGAL_FORMS)
    for legal_form, items in SIGNATURE_BY_LAW.items():
        assert set(signature_items(legal_form)) == items, legal_form


@pytest.mark.parametrize("legal_form", LEGAL_FORMS)
def test_a_complete_profile_is_live_and_its_signature_holds_exactly_the_required_items(
    legal_form: str,
) -> None:
    complete = profile(legal_form)
    with i18n.using("de"):
        assert missing(complete) == []
        lines = signature_lines(complete)
    assert {item for item, _line in lines} == SIGNATURE_BY_LAW[legal_form]
    for item, line in lines:
        for column in SHOWN[item]:
            for part in getattr(complete, column).splitlines():
                assert part in line, (item, column)
    text = "\n".join(line for _item, line in lines)
    if legal_form:
        assert text.count(legal_form) == 1  # the legal form once, never "GmbH GmbH"


@pytest.mark.parametrize(
    ("legal_form", "column"),
    [
        (legal_form, column)
        for legal_form in LEGAL_FORMS
        for column in required_columns(profile(legal_form))
    ],
)
def test_the_go_live_check_names_exactly_the_missing_field(legal_form: str, column: str) -> None:
    lacking = replace(profile(legal_form), **{column: ""})
    with i18n.using("de"):
        assert [item.column for item in missing(lacking)] == [column]


def test_what_each_form_requires_beyond_the_signature() -> None:
    """The imprint asks contact, status, chamber and register number of every form."""
    for legal_form in LEGAL_FORMS:
        needed = set(required_columns(profile(legal_form)))
        assert {"broker_phone", "broker_email", "broker_register_number"} <= needed
        assert {"broker_chamber", "broker_chamber_address"} <= needed
        assert ("broker_board_chair" in needed) is (legal_form == "AG")
        assert ("broker_trade_register" in needed) is (legal_form not in ("", "GbR"))
        assert ("broker_partner_name" in needed) is (legal_form == "GmbH & Co. KG")
    agent = profile("GmbH", broker_status="vertreter")  # a tied agent: no chamber permission
    assert "broker_chamber" not in required_columns(agent)


def test_an_old_free_text_legal_form_asks_to_choose_from_the_list() -> None:
    with i18n.using("de"):
        found = missing(profile("GmbH", broker_legal_form="Gesellschaft mbH"))
    assert [(item.column, item.label) for item in found] == [
        ("broker_legal_form", "Rechtsform aus der Liste wählen")
    ]


def test_a_gmbh_names_its_supervisory_board_chair_only_if_it_has_one() -> None:
    with i18n.using("de"):
        without = dict(signature_lines(profile("GmbH")))
        with_chair = dict(signature_lines(profile("GmbH", broker_board_chair="Dora Dahl")))
    assert "chair" not in without
    assert with_chair["chair"] == "Vorsitzende(r) des Aufsichtsrats: Dora Dahl"


def test_the_signature_in_german_and_in_english() -> None:
    gmbh = profile("GmbH", broker_firm_name="Alpha Makler GmbH", broker_representatives="A B\n")
    gmbh = replace(gmbh, broker_representatives="Clara Chef\nBernd Berg")
    with i18n.using("de"):
        german = signature(gmbh, "<p>Viele Grüße</p>")
    with i18n.using("en"):
        english = signature(gmbh, "<p>Viele Grüße</p>")
    assert german.lines == [
        "Alpha Makler GmbH",
        "Geschäftsführer: Clara Chef, Bernd Berg",
        "Sitz: Köln",
        "Registergericht: Amtsgericht Köln, HRB 12345",
        "Ring 1, 50672 Köln",
    ]
    assert english.lines[1:4] == [
        "Managing directors: Clara Chef, Bernd Berg",
        "Registered office: Köln",
        "Register court: Amtsgericht Köln, HRB 12345",
    ]
    assert german.text.startswith("Viele Grüße\n\nAlpha Makler GmbH\n")


def test_the_imprint_holds_the_ddg_and_broker_items() -> None:
    with i18n.using("de"):
        sections = imprint_sections(profile("GmbH & Co. KG", broker_vat_id="DE123456789"))
    text = "\n".join(f"{s.heading}\n" + "\n".join(s.lines) for s in sections)
    for needed in (
        "Angaben gemäß § 5 DDG",
        "Alpha Versicherungsmakler GmbH & Co. KG",
        "Komplementärin: Alpha Verwaltungs GmbH",
        "HRB 4711",
        "Telefon: 0221 123",
        "E-Mail: info@alpha.example",
        "Registergericht: Amtsgericht Köln, HRA 456",
        "DE123456789",
        "Versicherungsmakler mit Erlaubnis nach § 34d Abs. 1 GewO",
        "IHK Köln, Unter Sachsenhausen 10–26, 50667 Köln",
        "Vermittlerregisternummer: D-ABCD-1234-56",
        "Breite Straße 29, 10178 Berlin",
        "www.vermittlerregister.info",
        "§ 34d GewO, §§ 59–68 VVG",
        "Versicherungsombudsmann e.V.",
        "www.pkv-ombudsmann.de",
    ):
        assert needed in text, needed
    assert imprint_sections(BrokerProfile()) == []


BAD_INPUT = [
    ("broker_vat_id", "DE12345678", "USt-IdNr."),
    ("broker_vat_id", "FR12345678901", "USt-IdNr."),
    ("broker_trade_register", "Handelsregister 5", "HRB 12345"),
    ("broker_trade_register", "HRB", "HRB 12345"),
    ("broker_representatives", "A. Admin", "ausgeschriebenen Vornamen"),
    ("broker_representatives", "Admin", "ausgeschriebenen Vornamen"),
    ("broker_legal_form", "Limited", "Rechtsform"),
    ("broker_partner_trade_register", "HRA 12", "HRB"),
]


@pytest.mark.parametrize(("column", "value", "said"), BAD_INPUT)
def test_bad_profile_input_is_refused_next_to_its_field(column: str, value: str, said: str) -> None:
    with i18n.using("de"):
        given, errors = checked(BrokerProfileInput, {**complete_profile("GmbH"), column: value})
        if given is not None:
            errors = given.register_errors()
    assert list(errors) == [column] and said in errors[column], errors


def test_register_numbers_and_vat_ids_are_written_as_the_register_writes_them() -> None:
    values = {
        **complete_profile("GmbH"),
        "broker_trade_register": "hrb12345 b",
        "broker_vat_id": "de 123 456 789",
        "broker_representatives": "  Clara   Chef \r\n\r\nBernd Berg",
    }
    given, errors = checked(BrokerProfileInput, values)
    assert errors == {} and given is not None
    assert given.broker_trade_register == "HRB 12345 B"
    assert given.broker_vat_id == "DE123456789"
    assert given.broker_representatives == "Clara Chef\nBernd Berg"
    with i18n.using("de"):
        wrong = checked(BrokerProfileInput, {**values, "broker_trade_register": "HRA 1"})[0]
        assert wrong is not None
        assert "HRB" in wrong.register_errors()["broker_trade_register"]
