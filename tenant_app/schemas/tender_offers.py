"""An insurer's offer as a backoffice enters it for a tender: the insurer with its legal form
apart, the tariff, the premium per payment period (exact euros, German input), deductible and
sum insured, the main cover points (one a line) and how long the offer holds."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import BeforeValidator, ConfigDict

from tenant_app.schemas import rules
from tenant_app.schemas.base import FormInput, Required, Text, at_most, fail, filled, one_of
from tenant_app.schemas.folders import Money
from tenant_app.text.formatting import local_today
from tenant_app.text.i18n import gettext as _
from tenant_app.vocabulary import PAYMENT_FREQUENCIES

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
COVER_POINTS_MAX = 20  # lines
COVER_POINT_MAX = 300  # characters a line


def _premium(value: object) -> Decimal:
    text = str(value or "")
    amount = rules.parse_money(text) if text.strip() else None
    if amount is None or amount <= 0:
        raise fail(_("Please enter the premium in euros, e.g. 1.234,56."))
    return amount


def _cover_points(value: object) -> list[str]:
    lines = [line.strip() for line in str(value or "").splitlines() if line.strip()]
    if len(lines) > COVER_POINTS_MAX:
        raise fail(_("Please enter at most %(n)s cover points.", n=COVER_POINTS_MAX))
    if any(len(line) > COVER_POINT_MAX for line in lines):
        raise fail(_("Please keep each cover point under %(n)s characters.", n=COVER_POINT_MAX))
    return lines


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
        Required, at_most(200), filled(lambda: _("Please enter the insurer."))
    ] = ""
    insurer_legal_form: Annotated[Text, at_most(60)] = ""
    tariff: Annotated[Text, at_most(200)] = ""
    premium: Annotated[Decimal, BeforeValidator(_premium)] = Decimal(0)
    payment_frequency: Annotated[
        str, one_of(PAYMENT_FREQUENCIES, lambda: _("Please choose a payment frequency."))
    ] = ""
    deductible: Money = None
    sum_insured: Money = None
    cover_points: Annotated[list[str], BeforeValidator(_cover_points)] = []
    valid_until: Annotated[date | None, BeforeValidator(_valid_until)] = None


class InsurersAskedInput(FormInput):
    insurers_asked: Annotated[int, BeforeValidator(lambda value: _count(value))] = 0


def _count(value: object) -> int:
    text = str(value or "").strip()
    if not text.isdigit() or len(text) > 2:
        raise fail(_("Please enter a whole number from 0 to 99."))
    return int(text)
