"""The advice-case API's models: the case form's field types (schemas/cases.py) with what
JSON needs besides, as for contacts and contracts. A risk's attributes depend on its product
line: `GET /product-lines` says which (schemas/product_lines.py), the use case checks them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, create_model

from tenant_app.api.contact_models import TEXT, External, fits
from tenant_app.api.paging import PageQuery
from tenant_app.schemas.base import Required, Text
from tenant_app.schemas.cases import LONG_TEXT_MAX, RISK_LABEL_MAX, TITLE_MAX
from tenant_app.vocabulary import CASE_STATUSES, PRODUCT_LINES

ProductLineKey = Literal[
    "kfz",
    "wohngebaeude",
    "hausrat",
    "privathaftpflicht",
    "berufsunfaehigkeit",
    "rechtsschutz",
    "unfall",
    "leben",
    "kranken",
    "gewerbe",
    "fahrrad",
    "sonstige",
]
CaseStatus = Literal["open", "in_progress", "offered", "completed", "cancelled"]
assert get_args(ProductLineKey) == PRODUCT_LINES and get_args(CaseStatus) == CASE_STATUSES
ROW_ID_MAX = 2**31 - 1
RowId = Annotated[int, Field(ge=1, le=ROW_ID_MAX)]
LongText = Annotated[Text, Field(max_length=LONG_TEXT_MAX), fits(LONG_TEXT_MAX), TEXT]
ATTRIBUTES_DOC = (
    "The risk's attributes by key, typed as its product line defines them (GET /product-lines):"
    ' text as a string, `int` as a whole number, `decimal` as a number or a string ("142.50"),'
    " `date` as an ISO date, `bool` as true/false, `choice` as one of its values. Sent in full:"
    " an attribute not sent is emptied (and refused if required)."
)


class CaseData(BaseModel):
    """An advice case's own fields, checked as the case form checks them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: Annotated[Required, Field(min_length=1, max_length=TITLE_MAX), fits(TITLE_MAX), TEXT]
    product_lines: list[ProductLineKey] = Field(
        min_length=1, max_length=22, description="The product lines (Sparten) it is about."
    )
    description: Annotated[LongText, Field(description="The customer's need, free text.")] = ""
    notes: Annotated[LongText, Field(description="Internal; never shown to the customer.")] = ""
    responsible_id: RowId | None = Field(
        default=None, description="An active staff member who sees the contact; null: nobody."
    )
    status: CaseStatus = Field(
        default="open",
        description="completed dates the case; a completed or cancelled case changes only"
        " together with a status that reopens it.",
    )
    chosen_contract_id: RowId | None = Field(
        default=None,
        description="The contract (offer or policy) the advice led to: one of the contact's;"
        " null: none yet.",
    )


class CaseIn(CaseData):
    """A case with its contact (by id or by external id): the upsert's body."""

    contact_id: RowId | None = None
    contact_external_id: External = None


class CaseCreate(CaseIn):
    external_id: External = None


class _Changeable(CaseData):
    external_id: External = None


def _optional(model: type[BaseModel], name: str, doc: str) -> type[BaseModel]:
    """`model` with every field optional and no default applied (as contact_models.partial,
    also for fields without constraints of their own)."""
    fields: dict[str, Any] = {
        field_name: (
            Annotated[(field.annotation, *field.metadata)] if field.metadata else field.annotation,
            Field(
                default=None,
                description=field.description,
                json_schema_extra=field.json_schema_extra,
            ),
        )
        for field_name, field in model.model_fields.items()
    }
    return create_model(name, __config__=ConfigDict(extra="forbid"), __doc__=doc, **fields)


CasePatch = _optional(
    _Changeable,
    "CasePatch",
    "The fields to change; those not sent stay as they are. A case stays with its contact.",
)


class RiskData(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    label: Annotated[
        Required,
        Field(
            min_length=1,
            max_length=RISK_LABEL_MAX,
            description='How the case names it: "VW Golf, K-AB 1".',
        ),
        fits(RISK_LABEL_MAX),
        TEXT,
    ]
    attributes: dict[str, Any] = Field(
        default_factory=dict, max_length=60, description=ATTRIBUTES_DOC
    )


class RiskCreate(RiskData):
    product_line: ProductLineKey = Field(description="One of the case's product lines.")


class RiskOut(BaseModel):
    id: int
    case_id: int
    case_version: int = Field(
        description="The case's version: a case's risks change with it, so this is the ETag"
        " (If-Match) to change or remove the risk."
    )
    product_line: str
    label: str
    attributes: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class CaseOut(BaseModel):
    id: int
    version: int = Field(description="Send as If-Match (the ETag) to change the case or a risk.")
    external_id: str | None
    contact_id: int
    title: str
    product_lines: list[str]
    status: CaseStatus
    description: str
    notes: str
    responsible_id: int | None
    chosen_contract_id: int | None
    created_by_id: int | None = Field(description="The staff member (or token) who opened it.")
    risks: list[RiskOut]
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None


class CaseQuery(PageQuery):
    contact_id: RowId | None = None
    external_id: str | None = Field(default=None, max_length=100)
    status: CaseStatus | None = None
    responsible_id: RowId | None = None


class AttributeChoice(BaseModel):
    value: str
    label: str


class AttributeOut(BaseModel):
    key: str
    type: Literal["text", "int", "decimal", "date", "bool", "choice"]
    label: str
    required: bool
    choices: list[AttributeChoice]
    minimum: str | None
    maximum: str | None


class ProductLineOut(BaseModel):
    key: str
    label: str
    risk_label: str = Field(description='What its risk is: "Fahrzeug", "Gebäude".')
    free_attributes: bool = Field(
        description='Takes `{"free": {"name": "value", …}}` besides its attributes.'
    )
    attributes: list[AttributeOut]


class ProductLineList(BaseModel):
    items: list[ProductLineOut]


class JumpLinkIn(BaseModel):
    """Whom it logs in (by id, or by username or e-mail address) and where to: a case (by id or
    external id) or a contact's page."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    user_id: RowId | None = None
    username: Annotated[str, Field(min_length=1, max_length=254), TEXT] | None = None
    case_id: RowId | None = None
    case_external_id: External = None
    contact_id: RowId | None = None
    ttl_seconds: int = Field(default=120, ge=10, le=600, description="How long it works.")


class JumpLinkOut(BaseModel):
    url: str = Field(description="Open it once, within `ttl_seconds`: https://<host>/jump/<secret>")
    expires_at: datetime
    user_id: int
    target_type: Literal["case", "contact"]
    target_id: int
