"""The retention table and its arithmetic: every class has its legal minimum and source, a
period ends on 31 December of its last year, and an erasure's outcome reads as told."""

from __future__ import annotations

from datetime import date

import pytest

from tenant_app.services.retention_rules import (
    FROM_RELATIONSHIP_END,
    LEGAL_MINIMUMS,
    ErasureOutcome,
    Kept,
    document_class,
    kept_until,
)
from tenant_app.text.i18n import using
from tenant_app.vocabulary import DOCUMENT_CATEGORIES, RETENTION_CLASSES


def test_every_retention_class_has_a_minimum_and_a_source() -> None:
    assert tuple(LEGAL_MINIMUMS) == RETENTION_CLASSES
    for minimum in LEGAL_MINIMUMS.values():
        assert (minimum.years == 0) == (minimum.source == ""), minimum
    assert LEGAL_MINIMUMS["document_identity"].start == FROM_RELATIONSHIP_END
    assert "GwG" in LEGAL_MINIMUMS["document_identity"].source
    assert {c: LEGAL_MINIMUMS[document_class(c)].years for c in DOCUMENT_CATEGORIES} == {
        "policy": 6,
        "application": 6,
        "invoice": 8,
        "correspondence": 6,
        "claim": 6,
        "identity": 5,
        "other": 0,
    }
    assert document_class("") == document_class("unknown") == "document_other"


@pytest.mark.parametrize(
    ("years", "start", "until"),
    [
        (6, date(2020, 1, 1), date(2026, 12, 31)),
        (6, date(2020, 12, 31), date(2026, 12, 31)),
        (8, date(2024, 5, 1), date(2032, 12, 31)),
        (0, date(2024, 5, 1), None),
    ],
)
def test_a_period_ends_on_the_last_day_of_its_last_year(
    years: int, start: date, until: date | None
) -> None:
    assert kept_until(years, start) == until


def test_an_outcome_says_what_was_deleted_and_what_is_kept_until_when() -> None:
    outcome = ErasureOutcome(
        deleted={"documents": 2, "mails": 0},
        kept=[Kept("document_policy", 1, date(2032, 12, 31)), Kept("contract", 1, None)],
    )
    with using("de"):
        text = outcome.text()
    assert text.splitlines() == [
        "Sofort gelöscht: Dokumente: 2.",
        "Aufbewahrt bis 31.12.2032: Policen und Schreiben der Versicherer (1).",
        "Wegen rechtlicher Sperre aufbewahrt: Verträge und ihre Daten (1).",
    ]
    assert not outcome.contact_deleted and ErasureOutcome(deleted={"documents": 1}).contact_deleted
