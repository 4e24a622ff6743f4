"""A tender's frozen risk as the backoffice reads it (text/tender_snapshot.py): labels and
values in the reader's format, whatever an older snapshot lacks left out."""

from __future__ import annotations

from tenant_app.text import i18n
from tenant_app.text.tender_snapshot import snapshot_view

SNAPSHOT = {  # the shape services/tenders.py writes at the start
    "customer": {
        "name": "Kim Kunde",
        "company": "Holzwerk Kunde GmbH",
        "birthdate": "1980-04-03",
        "country": "DE",
    },
    "product_line": "gewerbe",
    "risks": [{"id": 1, "label": "Werkstatt", "attributes": {}}],
    "answers": {"employees": 12, "prior_claims": 0, "desired_deductible": "500.00"},
    "free_text": "Schreinerei mit Ausstellungsraum.",
    "documents": [{"id": 7, "filename": "plan.pdf", "sha256": "x", "size": 3}, {"id": "x"}],
}


def test_snapshot_in_the_readers_language() -> None:
    with i18n.using("de"):
        view = snapshot_view(SNAPSHOT, "gewerbe")
    customer = dict(view.customer)
    assert customer["Name"] == "Kim Kunde"
    assert "03.04.1980" in customer.values()
    assert "Deutschland" in customer.values()
    assert [risk.label for risk in view.risks] == ["Werkstatt"]
    answers = dict(view.answers)
    assert "12" in answers.values()
    assert "500" in answers.values()  # an amount in German format, without needless cents
    assert [(doc.id, doc.name) for doc in view.documents] == [(7, "plan.pdf")]
    assert view.free_texts[0][1] == "Schreinerei mit Ausstellungsraum."


def test_an_empty_or_odd_snapshot_shows_nothing() -> None:
    view = snapshot_view({"customer": "x", "risks": "y", "answers": [], "documents": None}, "")
    assert (view.customer, view.risks, view.answers, view.free_texts, view.documents) == (
        [],
        [],
        [],
        [],
        [],
    )
