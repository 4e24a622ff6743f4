"""An insurer's offer for a case as staff enter it (a calculated offer: from a tariff
calculator, a phone call, an insurer's letter), and the number a confirmed offer's contract
gets. Money in German notation ("1.234,56"), as the contract form takes it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, ConfigDict

from tenant_app.schemas.base import FormInput, Required, Text, at_most, fail, filled, one_of
from tenant_app.schemas.folders import DocumentDate, InsuranceNumber, Money
from tenant_app.text.i18n import gettext as _
from tenant_app.vocabulary import PAYMENT_FREQUENCIES

INSURER_MAX = 200  # characters, as the column (without the legal form)
LEGAL_FORM_MAX = 60
TARIFF_MAX = 200
COVER_POINT_MAX = 300  # characters per point
COVER_POINTS_MAX = 30  # points per offer
COVER_TEXT_MAX = COVER_POINTS_MAX * (COVER_POINT_MAX + 2)  # the textarea as typed


def _cover_points(value: object) -> list[str]:
    """One point per line of the textarea (a JSON list too); blank lines and bullets go."""
    lines = value if isinstance(value, list) else str(value or "").splitlines()
    points = [str(line).strip().lstrip("-•*").strip() for line in lines]
    points = [point for point in points if point]
    if len(points) > COVER_POINTS_MAX:
        raise fail(_("Please enter at most %(n)s cover points.", n=COVER_POINTS_MAX))
    if any(len(point) > COVER_POINT_MAX for point in points):
        raise fail(_("Please keep each cover point to %(n)s characters.", n=COVER_POINT_MAX))
    return points


def _positive(amount: Decimal | None) -> Decimal | None:
    if amount is not None and amount <= 0:
        raise fail(_("Please enter an amount above zero."))
    return amount


# Validators listed later run first: "required" before the amount is read.
Premium = Annotated[
    Money, AfterValidator(_positive), filled(lambda: _("Please enter the premium."))
]
Frequency = Annotated[
    str, one_of(PAYMENT_FREQUENCIES, lambda: _("Please choose a payment frequency."))
]
CoverPoints = Annotated[list[str], BeforeValidator(_cover_points), at_most(COVER_TEXT_MAX)]


class CaseOfferInput(FormInput):
    """The offer form; the service checks the product line is one of the case's and that
    the validity does not end before today."""

    model_config = ConfigDict(validate_default=True)

    product_line: Required = ""
    insurer: Annotated[Required, at_most(INSURER_MAX)] = ""
    legal_form: Annotated[Text, at_most(LEGAL_FORM_MAX)] = ""
    tariff: Annotated[Text, at_most(TARIFF_MAX)] = ""
    premium: Premium = None
    payment_frequency: Frequency = ""
    deductible: Money = None
    sum_insured: Money = None
    cover_points: CoverPoints = []
    valid_until: DocumentDate = None


CASE_OFFER_FIELDS = tuple(CaseOfferInput.model_fields)


class ConfirmInput(FormInput):
    """Confirming a chosen offer: the contract's number in the insurance folder, where every
    contract has one (the cover note's or the application's, until the policy comes)."""

    model_config = ConfigDict(validate_default=True)

    insurance_number: InsuranceNumber = ""


def expired(valid_until: date | None, today: date) -> bool:
    """An offer can be chosen until its last day, that day included."""
    return valid_until is not None and valid_until < today
