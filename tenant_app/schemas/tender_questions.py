"""The risk questions a tender asks per product line, as data (the same typed definitions as a
risk's attributes, schemas/product_lines.py), and the check of the answers.

Every line asks the common questions (deductible, prior claims, sum insured); some lines add
their own. The answers are checked by the pydantic model built from the definitions
(schemas/risk_values.py) and stored as JSON values: amounts as decimal strings ("500.00").
Labels and hints are msgids, translated when shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from typing import Any

from tenant_app.schemas.base import FormInput, checked
from tenant_app.schemas.product_lines import PRODUCT_LINE_DEFINITIONS, RiskAttribute
from tenant_app.schemas.risk_values import model_of, stored_values
from tenant_app.text.i18n import gettext as _
from tenant_app.text.labels import N_

_MONEY = (0, "9999999999.99")  # euros
_YEAR = (1000, 2100)


def _number(
    key: str, kind: str, label: str, required: bool = False, *, limits: tuple[int | str, int | str]
) -> RiskAttribute:
    low, high = limits
    return RiskAttribute(key, kind, label, required, minimum=Decimal(low), maximum=Decimal(high))


COMMON_QUESTIONS: tuple[RiskAttribute, ...] = (
    _number("desired_deductible", "decimal", N_("Desired deductible (€)"), limits=_MONEY),
    _number("prior_claims", "int", N_("Prior claims in the last 5 years"), True, limits=(0, 999)),
    RiskAttribute(
        "prior_claims_details", "text", N_("Years and amounts of the prior claims"), max_length=2000
    ),
    _number("desired_sum_insured", "decimal", N_("Desired sum insured (€)"), limits=_MONEY),
)
LINE_QUESTIONS: dict[str, tuple[RiskAttribute, ...]] = {
    "gewerbe": (
        RiskAttribute("business_activity", "text", N_("Business activity"), True, max_length=2000),
        _number("annual_turnover", "decimal", N_("Annual turnover (€)"), limits=_MONEY),
        _number("employees", "int", N_("Employees"), limits=(0, 1_000_000)),
    ),
    "wohngebaeude": (
        _number("construction_year", "int", N_("Year of construction"), limits=_YEAR),
        _number("renovation_year", "int", N_("Year of the last full renovation"), limits=_YEAR),
        RiskAttribute("heritage_protected", "bool", N_("Listed building")),
    ),
    "kfz": (
        RiskAttribute("no_claims_class", "text", N_("No-claims class (SF)"), max_length=20),
        RiskAttribute("garage", "bool", N_("Kept in a garage at night")),
    ),
    "hausrat": (
        RiskAttribute("security_devices", "text", N_("Burglary protection"), max_length=500),
    ),
}
# Help below a field: what an answer looks like.
HINTS: dict[str, str] = {
    "prior_claims_details": N_("For example: 2022: 3.400 €; 2024: 1.150 €"),
    "business_activity": N_("What the business does, as precisely as possible."),
}
LONG_TEXT = 200  # characters: a text question allowing more is a text area
assert set(LINE_QUESTIONS) <= set(PRODUCT_LINE_DEFINITIONS), "questions of known lines only"


def questions(product_line: str) -> tuple[RiskAttribute, ...]:
    """The questions of a product line: the common ones, then the line's own."""
    return COMMON_QUESTIONS + LINE_QUESTIONS.get(product_line, ())


@cache
def answers_model(product_line: str) -> type[FormInput]:
    """The pydantic model of a product line's answers."""
    return model_of(f"{product_line.title()}TenderAnswers", questions(product_line))


def check_answers(
    product_line: str, values: Mapping[str, object]
) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """The answers as stored (JSON values, blank ones left out), or None and a message per
    question key. Prior claims need their years and amounts."""
    found, errors = checked(answers_model(product_line), values)
    claims, _refused = checked(_claims_model(), values)  # also when other answers fail
    said = claims.model_dump() if claims is not None else {}
    if said.get("prior_claims") and not said.get("prior_claims_details"):
        errors["prior_claims_details"] = _("Please give the year and amount of each claim.")
    if found is None or errors:
        return None, errors
    return stored_values(found.model_dump()), {}


@cache
def _claims_model() -> type[FormInput]:
    claims = [question for question in COMMON_QUESTIONS if question.key.startswith("prior_")]
    return model_of("PriorClaims", tuple(claims))


def question_labels(product_line: str) -> dict[str, RiskAttribute]:
    """The line's questions by key (to show stored answers with their labels)."""
    return {question.key: question for question in questions(product_line)}
