"""What goes into a contact's folders: contracts and the facts about a filed document."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, ConfigDict

from tenant_app.schemas import rules
from tenant_app.schemas.base import FormInput, Required, Text, at_most, fail, one_of
from tenant_app.text.i18n import gettext as _
from tenant_app.vocabulary import (
    CONTRACT_STATUSES,
    DOCUMENT_CATEGORIES,
    PAYMENT_FREQUENCIES,
    PAYMENT_METHODS,
)

NOTE_MAX = 2000  # characters, as typed
PRODUCT_LINE_MAX = 100  # characters, as typed
INSURANCE_NUMBER_MAX = 60  # characters, without surrounding spaces
INSURANCE_NUMBER_SIGNS = " -/._"  # besides letters and digits
TITLE_MAX = 200  # a longer title is cut, not refused
LATEST_DOCUMENT_DATE = date(2100, 1, 1)


def _insurance_number(value: object) -> str:
    number = str(value or "").strip()
    if number and (
        len(number) > INSURANCE_NUMBER_MAX
        or not all(char.isalnum() or char in INSURANCE_NUMBER_SIGNS for char in number)
    ):
        raise fail(_("Please use only letters, digits, spaces and - / . _"))
    return number


def _money(value: object) -> Decimal | None:
    text = str(value or "")
    if not text.strip():
        return None
    amount = rules.parse_money(text)
    if amount is None:
        raise fail(_("Please enter an amount in euros, e.g. 1.234,56."))
    return amount


def _document_date(value: object) -> date | None:
    text = str(value or "")
    if not text.strip():
        return None
    parsed = rules.parse_date(text)
    if parsed is None or parsed > LATEST_DOCUMENT_DATE:
        raise fail(_("Please enter a valid date, e.g. 03.04.1985."))
    return parsed


# Validators listed later run first: the length is checked on the text as typed.
Note = Annotated[Text, at_most(NOTE_MAX)]  # may be blank, stripped
ProductLine = Annotated[Required, at_most(PRODUCT_LINE_MAX)]
InsuranceNumber = Annotated[Required, BeforeValidator(_insurance_number)]
Status = Annotated[str, one_of(CONTRACT_STATUSES, lambda: _("Please choose a status."))]
PaymentMethod = Annotated[
    str, one_of(PAYMENT_METHODS, lambda: _("Please choose a payment method."), blank="")
]
PaymentFrequency = Annotated[
    str, one_of(PAYMENT_FREQUENCIES, lambda: _("Please choose a payment frequency."), blank="")
]
Money = Annotated[Decimal | None, BeforeValidator(_money)]  # euros to the cent, or None
Category = Annotated[
    str, one_of(DOCUMENT_CATEGORIES, lambda: _("Please choose a category."), blank="other")
]
DocumentDate = Annotated[date | None, BeforeValidator(_document_date)]
Title = Annotated[Required, AfterValidator(lambda title: title[:TITLE_MAX])]


class _FolderForm(FormInput):
    # A field the form did not send counts as empty, as it always did.
    model_config = ConfigDict(validate_default=True)


class ContractInput(_FolderForm):
    """A contract as staff or the customer enter it; the service checks that the insurer is
    one from the list, and gives customers' contracts the status "start"."""

    product_line: ProductLine = ""
    insurer: Required = ""  # an insurer's name
    insurance_number: InsuranceNumber = ""
    status: Status = ""
    payment_method: PaymentMethod = ""
    payment_frequency: PaymentFrequency = ""
    gross_premium: Money = None
    note: Note = ""


class DocumentMetaInput(_FolderForm):
    """What is known about an uploaded document besides its file."""

    title: Title = ""
    category: Category = ""
    document_date: DocumentDate = None
    note: Note = ""
