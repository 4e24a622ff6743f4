"""The first information for customers (§ 15 VersVermV) names everything the law asks for,
from the broker profile, and prints as a real PDF."""

from __future__ import annotations

from tenant_app.files.pdf import render_letter
from tenant_app.models.tenancy import Tenant
from tenant_app.services.first_information import letter_of
from tenant_app.text import i18n

PROFILE = {
    "name": "Alpha Versicherungsmakler GmbH",
    "broker_firm_name": "Alpha Makler",
    "broker_legal_form": "GmbH",
    "broker_street": "Ring 1",
    "broker_postal_code": "50672",
    "broker_city": "Köln",
    "broker_phone": "0221 123",
    "broker_email": "info@alpha.example",
    "broker_register_number": "D-ABCD-1234-56",
    "broker_chamber": "IHK Köln",
}


def _text(status: str) -> str:
    with i18n.using("de"):
        letter = letter_of(Tenant(**PROFILE, broker_status=status))
    parts = [letter.title, letter.sender, letter.footer]
    for section in letter.sections:
        parts += [section.heading, *section.paragraphs]
        parts += [f"{label}: {value}" for label, value in section.facts]
    return "\n".join(parts)


def test_the_letter_names_what_the_law_asks_for() -> None:
    text = _text("makler")
    for needed in (
        "Erstinformation",
        "Alpha Makler GmbH",  # the firm with its legal form, once
        "Ring 1, 50672 Köln",
        "0221 123",
        "info@alpha.example",
        "D-ABCD-1234-56",
        "www.vermittlerregister.info",
        "Versicherungsmakler mit Erlaubnis nach § 34d Abs. 1 GewO",
        "IHK Köln",
        "Versicherungsombudsmann e.V., Postfach 08 06 32, 10006 Berlin",
        "www.versicherungsombudsmann.de",
        "Postfach 06 02 22, 10052 Berlin",
        "www.pkv-ombudsmann.de",
        "10 %",
        "§ 15 VersVermV",
    ):
        assert needed in text, needed
    assert "GmbH GmbH" not in text


def test_each_status_has_its_wording() -> None:
    assert "Versicherungsberater mit Erlaubnis nach § 34d Abs. 2 GewO" in _text("berater")
    assert "Versicherungsvertreter" in _text("vertreter")


def test_it_prints_as_a_pdf() -> None:
    with i18n.using("de"):
        data = render_letter(letter_of(Tenant(**PROFILE, broker_status="makler")))
    assert data.startswith(b"%PDF") and len(data) > 5000
