"""A tender's risk questions are data per product line, checked by the model built from them:
typed answers stored as JSON values, a message next to each refused one."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tenant_app.schemas.product_lines import PRODUCT_LINE_DEFINITIONS
from tenant_app.schemas.tender_questions import check_answers, questions
from tenant_app.services.tenders import due_after, snapshot_hash
from tenant_app.text import i18n

COMMON = ["desired_deductible", "prior_claims", "prior_claims_details", "desired_sum_insured"]


@pytest.mark.parametrize("line", list(PRODUCT_LINE_DEFINITIONS))
def test_every_line_asks_the_common_questions_first(line: str) -> None:
    keys = [question.key for question in questions(line)]
    assert keys[:4] == COMMON
    assert len(keys) == len(set(keys))


def test_commercial_adds_turnover_employees_and_the_activity() -> None:
    keys = {question.key: question for question in questions("gewerbe")}
    assert {"annual_turnover", "employees", "business_activity"} <= set(keys)
    assert keys["business_activity"].required
    assert "construction_year" in {question.key for question in questions("wohngebaeude")}


def test_answers_are_typed_and_stored_as_json_values() -> None:
    with i18n.using("de", "sie"):
        stored, errors = check_answers(
            "gewerbe",
            {
                "desired_deductible": "1.000,00",
                "prior_claims": "2",
                "prior_claims_details": "2022: 3.400 €; 2024: 1.150 €",
                "desired_sum_insured": "",
                "business_activity": "Schreinerei",
                "annual_turnover": "1.250.000",
                "employees": "12",
            },
        )
    assert errors == {}
    assert stored == {
        "desired_deductible": "1000.00",
        "prior_claims": 2,
        "prior_claims_details": "2022: 3.400 €; 2024: 1.150 €",
        "business_activity": "Schreinerei",
        "annual_turnover": "1250000.00",
        "employees": 12,
    }


def test_refused_answers_are_named_by_their_question() -> None:
    with i18n.using("en", "sie"):
        stored, errors = check_answers(
            "gewerbe",
            {"desired_deductible": "viel", "prior_claims": "-1", "employees": "zwölf"},
        )
    assert stored is None
    assert set(errors) == {"desired_deductible", "prior_claims", "employees", "business_activity"}
    assert errors["business_activity"] == "This field is required."


def test_prior_claims_need_their_years_and_amounts() -> None:
    with i18n.using("en", "sie"):
        stored, errors = check_answers("kfz", {"prior_claims": "1"})
    assert stored is None and set(errors) == {"prior_claims_details"}
    stored, errors = check_answers("kfz", {"prior_claims": "0"})
    assert errors == {} and stored == {"prior_claims": 0, "garage": False}


def test_the_due_date_counts_working_days() -> None:
    friday = datetime(2026, 3, 6, 10, 0, tzinfo=UTC)
    assert due_after(friday, 1) == datetime(2026, 3, 9, 10, 0, tzinfo=UTC)  # Monday
    assert due_after(friday, 5) == datetime(2026, 3, 13, 10, 0, tzinfo=UTC)
    saturday = datetime(2026, 3, 7, 10, 0, tzinfo=UTC)
    assert due_after(saturday, 1) == datetime(2026, 3, 9, 10, 0, tzinfo=UTC)


def test_the_hash_is_of_the_canonical_json() -> None:
    assert snapshot_hash({"b": "ä", "a": 1}) == snapshot_hash({"a": 1, "b": "ä"})
    assert snapshot_hash({"a": 1}) != snapshot_hash({"a": 2})
