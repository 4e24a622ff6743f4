"""Advice cases (Vorgänge) and their risks as the staff forms and the JSON API send them.

A risk's attributes depend on its product line: schemas/product_lines.py defines them,
schemas/risk_values.py checks them. What is checked here is the same for every line.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, ConfigDict

from tenant_app.schemas.base import FormInput, Required, Text, at_most, fail, one_of
from tenant_app.text.i18n import gettext as _
from tenant_app.vocabulary import CASE_STATUSES, PRODUCT_LINES

TITLE_MAX = 200  # characters, as the column
LONG_TEXT_MAX = 10_000  # characters: the need, the internal notes
EXTERNAL_ID_MAX = 100  # characters, as the column
EXTERNAL_ID_SIGNS = "-_./:#"  # besides letters and digits: what numbers of other systems use
RISK_LABEL_MAX = 200  # characters, as the column


def _product_lines(value: object) -> list[str]:
    """One or several keys (a form's checkboxes, a JSON list), in the vocabulary's order."""
    chosen = [value] if isinstance(value, str) else value
    if not isinstance(chosen, list | tuple) or not all(isinstance(key, str) for key in chosen):
        raise fail(_("Please choose product lines from the list."))
    keys = {key.strip() for key in chosen if key.strip()}
    if not keys:
        raise fail(_("Please choose at least one product line."))
    if keys - set(PRODUCT_LINES):
        raise fail(_("Please choose product lines from the list."))
    return [key for key in PRODUCT_LINES if key in keys]


def _staff_id(value: object) -> int | None:
    """The responsible staff member's id, or None (nobody); the service checks who it is."""
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31:
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10:
        return int(value) or None
    raise fail(_("Please choose a staff member."))


def _external_id(value: object) -> str | None:
    text = str(value or "").strip()
    if text and not all(char.isalnum() or char in EXTERNAL_ID_SIGNS for char in text):
        raise fail(_("Please use only letters, digits and - _ . / : #"))
    return text or None  # None, not "": unique per tenant, and many cases have none


ProductLines = Annotated[list[str], BeforeValidator(_product_lines)]
StaffId = Annotated[int | None, BeforeValidator(_staff_id)]
ExternalId = Annotated[str | None, BeforeValidator(_external_id), at_most(EXTERNAL_ID_MAX)]
LongText = Annotated[Text, at_most(LONG_TEXT_MAX)]
CaseStatus = Annotated[str, one_of(CASE_STATUSES, lambda: _("Please choose a status."))]
ProductLine = Annotated[
    str, one_of(PRODUCT_LINES, lambda: _("Please choose a product line from the list."))
]


class _CaseForm(FormInput):
    # A field the form did not send counts as empty.
    model_config = ConfigDict(frozen=True, extra="ignore", validate_default=True)


class CaseInput(_CaseForm):
    """An advice case's own fields; its status changes by `CaseStatusInput`."""

    title: Annotated[Required, at_most(TITLE_MAX)] = ""
    product_lines: ProductLines = []
    description: LongText = ""  # the customer's need, in free text
    notes: LongText = ""  # internal
    responsible: StaffId = None
    external_id: ExternalId = None


class CaseStatusInput(_CaseForm):
    status: CaseStatus = ""


class RiskInput(_CaseForm):
    """A risk's fields besides its attributes (those depend on `product_line`)."""

    product_line: ProductLine = ""
    label: Annotated[Required, at_most(RISK_LABEL_MAX)] = ""


CASE_FIELDS = tuple(CaseInput.model_fields)
RISK_FIELDS = tuple(RiskInput.model_fields)
