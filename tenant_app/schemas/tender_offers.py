"""An insurer's offer as a backoffice enters it for a tender: the insurer with its legal form
apart, the tariff, the premium per payment period (exact euros, German input), deductible and
sum insured, the main cover points (one a line) and how long the offer holds. The terms are
checked as the staff's offer form checks them (schemas/case_offers.py)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BeforeValidator, ConfigDict

from tenant_app.schemas import rules
from tenant_app.schemas.base import FormInput, Required, Text, at_most, fail, filled
from tenant_app.schemas.case_offers import (
    INSURER_MAX,
    LEGAL_FORM_MAX,
    TARIFF_MAX,
    CoverPoints,
    Frequency,
    Premium,
)
from tenant_app.schemas.folders import Money
from tenant_app.text.formatting import local_today
from tenant_app.text.i18n import gettext as _

FIELDS = (
    "insurer_name",
    "insurer_legal_form",
    "tariff",
    "premium",
    "payment_frequency",
    "deductible",
    "sum_insured",
    "cover_points",
    "valid_until",
)


def _valid_until(value: object) -> date | None:
    text = str(value or "").strip()
    if not text:
        return None
    parsed = rules.parse_date(text)
    if parsed is None:
        raise fail(_("Please enter a valid date, e.g. 03.04.1985."))
    if parsed < local_today() or parsed.year > 2100:
        raise fail(_("An offer must hold at least until today."))
    return parsed


class TenderOfferInput(FormInput):
    model_config = ConfigDict(validate_default=True)

    insurer_name: Annotated[
        Required, at_most(INSURER_MAX), filled(lambda: _("Please enter the insurer."))
    ] = ""
    insurer_legal_form: Annotated[Text, at_most(LEGAL_FORM_MAX)] = ""
    tariff: Annotated[Text, at_most(TARIFF_MAX)] = ""
    premium: Premium = None
    payment_frequency: Frequency = ""
    deductible: Money = None
    sum_insured: Money = None
    cover_points: CoverPoints = []
    valid_until: Annotated[date | None, BeforeValidator(_valid_until)] = None


class InsurersAskedInput(FormInput):
    insurers_asked: Annotated[int, BeforeValidator(lambda value: _count(value))] = 0


def _count(value: object) -> int:
    text = str(value or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 2:  # "²".isdigit() is true
        raise fail(_("Please enter a whole number from 0 to 99."))
    return int(text)
