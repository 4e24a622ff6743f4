"""The contract API's models: the contract form's field types (schemas/folders.py) with what
JSON needs besides, as for contacts (api/contact_models.py). What differs per folder (whether
the provider and the number are required, whether payments apply, the insurer catalogue) is
the contract use case's check, the same as the form's."""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from tenant_app.api.contact_models import TEXT, TEXT_OR_NULL, External, fits, partial
from tenant_app.api.paging import PageQuery
from tenant_app.schemas.base import fail
from tenant_app.schemas.folders import (
    NOTE_MAX,
    PRODUCT_LINE_MAX,
    PROVIDER_MAX,
    ContractNumber,
    DocumentDate,
    Money,
    Note,
    OptionalProvider,
    PaymentFrequency,
    PaymentMethod,
    ProductLine,
    Status,
)
from tenant_app.schemas.rules import MONEY_MAX
from tenant_app.text.i18n import gettext as _
from tenant_app.vocabulary import CONTRACT_STATUSES, PAYMENT_FREQUENCIES, PAYMENT_METHODS

Folder = Literal["insurance", "finance", "other", "emergency"]
ContractStatus = Literal["active", "offer", "start", "prospect", "cancelled", "ended"]
ROW_ID_MAX = 2**31 - 1
PREMIUM_DOC = (
    'Euros per payment period to the cent, exact: a string such as "1234.56" (or a number'
    " with at most two decimals); null: none."
)
_AMOUNT = re.compile(r"[0-9]{1,10}(\.[0-9]{1,2})?")  # what JSON gives: no grouping, a point


def _json_amount(value: object) -> object:
    """An amount as JSON gives it, to the form's rule as text: a string or a number with a
    decimal point and at most two decimals. Never German notation here ("12.345" is not
    twelve thousand), never NaN, infinity or an exponent."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise fail(_("Please send the amount as a number with at most two decimals."))
    text = value if isinstance(value, str) else repr(value)
    if (isinstance(value, float) and not math.isfinite(value)) or not _AMOUNT.fullmatch(text):
        raise fail(_("Please send the amount as a number with at most two decimals."))
    return text


Premium = Annotated[
    Money,
    BeforeValidator(_json_amount),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": "^[0-9]{1,10}(\\.[0-9]{1,2})?$"},
                {"type": "number", "minimum": 0, "maximum": float(MONEY_MAX)},
                {"type": "null"},
            ],
            "description": PREMIUM_DOC,
        },
        mode="validation",
    ),
]


def _choice(options: tuple[str, ...], description: str = "") -> object:
    return Field(json_schema_extra={"enum": list(options)}, description=description or None)


class ContractData(BaseModel):
    """A contract's own fields, checked as the contract form checks them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    status: Annotated[
        Status,
        _choice(CONTRACT_STATUSES, "prospect: Anbahnung (not concluded yet); start: to check."),
        TEXT,
    ] = "active"
    product_line: Annotated[
        ProductLine, Field(max_length=PRODUCT_LINE_MAX, description="Sparte, e.g. Hausrat."), TEXT
    ]
    insurer_name: Annotated[
        OptionalProvider,
        Field(
            max_length=PROVIDER_MAX,
            description="The insurer (in the insurance folder one of the tenant's catalogue)"
            " or provider; required except in the emergency folder.",
        ),
        TEXT,
    ] = ""
    insurance_number: Annotated[
        ContractNumber,
        Field(max_length=60, description="Required in the insurance folder."),
        TEXT,
    ] = ""
    payment_method: Annotated[PaymentMethod, _choice(("", *PAYMENT_METHODS)), TEXT] = ""
    payment_frequency: Annotated[PaymentFrequency, _choice(("", *PAYMENT_FREQUENCIES)), TEXT] = ""
    gross_premium: Premium = None
    note: Annotated[Note, Field(max_length=NOTE_MAX), fits(NOTE_MAX), TEXT] = ""
    valid_until: Annotated[
        DocumentDate,
        Field(
            description="An offer (status offer) can be accepted until then, the day included;"
            " for an offer not before today (Europe/Berlin)."
        ),
        TEXT_OR_NULL,
    ] = None


class ContractIn(ContractData):
    """A contract with its contact (by id or by external id) and folder: the upsert's body."""

    contact_id: int | None = Field(default=None, ge=1, le=ROW_ID_MAX)
    contact_external_id: External = None
    folder: Folder = "insurance"


class ContractCreate(ContractIn):
    external_id: External = None


class _Changeable(ContractData):
    external_id: External = None


ContractPatch = partial(
    _Changeable,
    "ContractPatch",
    "The fields to change; those not sent stay as they are (null only for `external_id` and"
    " `gross_premium`). A contract stays with its contact and in its folder.",
)


class ContractOut(BaseModel):
    id: int
    version: int = Field(description="Send as If-Match (the ETag) to change or delete.")
    external_id: str | None
    connected: bool = Field(
        description="Known to the broker's system: the contract has an external id. Staff see"
        " the others marked \u201cnicht verbunden\u201d while the tenant has an API token."
    )
    contact_id: int
    folder: Folder
    status: ContractStatus
    product_line: str
    insurer_id: int | None = Field(description="The insurer in the tenant's catalogue, if it is.")
    insurer_name: str
    insurance_number: str
    payment_method: str
    payment_frequency: str
    gross_premium: str | None = Field(description='Euros, exact ("1234.50"); null: none.')
    note: str
    valid_until: date | None = Field(description="An offer's last day to accept it; null: none.")
    created_by_customer: bool
    deleted_at: datetime | None = Field(
        description="Deleted by the customer (staff can restore it); null otherwise."
    )
    created_at: datetime
    updated_at: datetime


class ContractQuery(PageQuery):
    contact_id: int | None = Field(default=None, ge=1, le=ROW_ID_MAX)
    external_id: str | None = Field(default=None, max_length=100)
    folder: Folder | None = None
    status: ContractStatus | None = None
