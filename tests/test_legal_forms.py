"""A company's name with its legal form exactly once, in every document (never "GmbH GmbH")."""

from __future__ import annotations

import pytest

from tenant_app.text.legal_forms import ends_with_legal_form, with_legal_form


@pytest.mark.parametrize(
    ("name", "legal_form", "shown"),
    [
        ("Muster Makler", "GmbH", "Muster Makler GmbH"),
        ("Muster Makler GmbH", "GmbH", "Muster Makler GmbH"),  # the known bug
        ("Muster Makler GmbH", "gmbh", "Muster Makler GmbH"),
        ("Muster Makler G.m.b.H.", "GmbH", "Muster Makler G.m.b.H."),
        ("Muster Makler GmbH.", "GmbH", "Muster Makler GmbH."),
        ("  Muster   Makler  ", " GmbH ", "Muster Makler GmbH"),
        ("Allianz Versicherungs-AG", "AG", "Allianz Versicherungs-AG"),
        ("Nordbag", "AG", "Nordbag AG"),  # a word ending in the same letters is no form
        ("Hamburg", "AG", "Hamburg AG"),
        ("Muster GmbH & Co. KG", "GmbH & Co. KG", "Muster GmbH & Co. KG"),
        ("Muster GmbH", "GmbH & Co. KG", "Muster GmbH & Co. KG"),  # the rest of the form
        ("Muster AG", "GmbH", "Muster AG GmbH"),  # another form: added as entered
        ("Muster Versicherung a.G.", "a. G.", "Muster Versicherung a.G."),
        ("Muster Versicherung", "", "Muster Versicherung"),
        ("", "GmbH", "GmbH"),
        ("GmbH", "GmbH", "GmbH"),
    ],
)
def test_the_legal_form_appears_exactly_once(name: str, legal_form: str, shown: str) -> None:
    assert with_legal_form(name, legal_form) == shown


def test_only_a_whole_word_counts_as_the_form() -> None:
    assert ends_with_legal_form("Muster SE", "SE")
    assert not ends_with_legal_form("Musterhouse", "SE")
    assert not ends_with_legal_form("Muster", "")
