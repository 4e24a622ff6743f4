"""The contact API's models. A request is the staff contact form's model (schemas/people.py
ContactInput) with what JSON needs besides: text only where text is meant, the columns'
lengths declared for the OpenAPI document, unknown fields refused. So a contact is valid
alike through the API and the form, with the same messages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    ValidationInfo,
    create_model,
    field_validator,
)

from tenant_app.api.inputs import validated
from tenant_app.api.paging import PageQuery
from tenant_app.api.problems import ApiError, FieldError
from tenant_app.schemas.base import Birthdate, Email, Required, Text, fail
from tenant_app.schemas.cases import ExternalId
from tenant_app.schemas.people import ContactInput, Country, postal_code_for
from tenant_app.text.i18n import gettext as _
from tenant_app.vocabulary import COUNTRIES


def _text_only(value: object) -> object:
    """JSON says what a value is: a number or a list where text is meant is refused (a form
    sends only text, so the form's rules turn anything into text). So is text no database
    stores: NUL, or a lone surrogate (an escape like "\\ud800" is valid JSON)."""
    if not isinstance(value, str) or "\x00" in value or not _encodable(value):
        raise fail(_("Invalid input."))
    return value


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _text_or_null(value: object) -> object:
    return value if value is None else _text_only(value)


TEXT = BeforeValidator(_text_only)
TEXT_OR_NULL = BeforeValidator(_text_or_null)


def fits(limit: int) -> BeforeValidator:
    """At most `limit` characters besides surrounding spaces: what the form's use case checks
    against the column (rules.check_lengths), with its message."""

    def check(value: object) -> object:
        if isinstance(value, str) and len(value.strip()) > limit:
            raise fail(_("Please enter at most %(n)s characters.", n=limit))
        return value

    return BeforeValidator(check)


def partial(model: type[BaseModel], name: str, doc: str) -> type[BaseModel]:
    """`model` with every field optional and no default applied: a PATCH names only the
    fields it changes (`model_fields_set`), each checked by the same rules."""
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


EXTERNAL_ID_DOC = (
    "The id in the broker's own system, unique per tenant (letters, digits and - _ . / : #);"
    " null: none."
)
Name = Annotated[Required, Field(max_length=100), fits(100), TEXT]
Line = Annotated[Text, Field(max_length=200), fits(200), TEXT]
External = Annotated[
    ExternalId,
    Field(description=EXTERNAL_ID_DOC, json_schema_extra={"maxLength": 100}),
    TEXT_OR_NULL,
]


class ContactData(ContactInput):
    """A contact as the staff form takes it (the customer number is the broker's own)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    first_name: Name
    last_name: Name
    email: Annotated[Email, Field(max_length=254), fits(254), TEXT]
    birthdate: Annotated[Birthdate, TEXT]
    company_name: Annotated[Line, Field(description="Without its legal form.")] = ""
    legal_form: Annotated[Text, Field(max_length=40), fits(40), TEXT] = ""
    street: Line = ""
    country: Annotated[
        Country,
        Field(json_schema_extra={"enum": list(COUNTRIES)}, description="ISO 3166-1 alpha-2."),
        TEXT,
    ] = "DE"
    postal_code: Annotated[str, Field(max_length=10)] = ""
    city: Annotated[Text, Field(max_length=100), fits(100), TEXT] = ""
    phone: Annotated[Text, Field(max_length=40), fits(40), TEXT] = ""
    customer_number: Annotated[Text, Field(max_length=40), fits(40), TEXT] = ""

    @field_validator("postal_code", mode="before")
    @classmethod
    def _check_postal_code(cls, value: object, info: ValidationInfo) -> str:
        return postal_code_for(_text_only(value), info)


class ContactIn(ContactData):
    external_id: External = None


ContactPatch = partial(
    ContactIn,
    "ContactPatch",
    "The fields to change; those not sent stay as they are (null only for `external_id`).",
)


class ContactOut(BaseModel):
    id: int
    version: int = Field(description="Send as If-Match (the ETag) to change or delete.")
    external_id: str | None = Field(description=EXTERNAL_ID_DOC)
    customer_number: str
    first_name: str
    last_name: str
    email: str
    birthdate: date
    company_name: str
    legal_form: str
    street: str
    postal_code: str
    city: str
    country: str
    phone: str
    account_state: Literal["none", "created", "active", "deactivated"] = Field(
        description="The customer's portal login: none, created (not registered yet), active"
        " or deactivated."
    )
    created_at: datetime
    updated_at: datetime


class ContactQuery(PageQuery):
    external_id: str | None = Field(default=None, max_length=100)
    customer_number: str | None = Field(default=None, max_length=40)
    q: str | None = Field(
        default=None, max_length=100, description="Part of the name, e-mail, number or company."
    )


class PermissionsIn(BaseModel):
    """What the customer may see and do in the portal: per folder unlocked (sees it),
    shared (may add and change) and read-only; the profile and messages."""

    model_config = ConfigDict(extra="forbid")

    insurance_unlock: StrictBool
    insurance_share: StrictBool
    insurance_readonly: StrictBool
    finance_unlock: StrictBool
    finance_share: StrictBool
    finance_readonly: StrictBool
    other_unlock: StrictBool
    other_share: StrictBool
    other_readonly: StrictBool
    emergency_unlock: StrictBool
    emergency_share: StrictBool
    emergency_readonly: StrictBool
    profile_visible: StrictBool
    profile_editable: StrictBool = Field(description="Implies profile_visible.")
    communication: StrictBool = Field(description="May write to the broker (tickets).")


class PermissionsOut(PermissionsIn):
    contact_id: int
    version: int = Field(description="0 while none were ever saved; send as If-Match.")


class _ExternalKey(BaseModel):
    external_id: External


def external_key(raw: str) -> str:
    """The external id of an upsert's path, checked by the field's rules (422 if not one)."""
    key = validated(_ExternalKey, {"external_id": raw}).external_id
    if key is None:
        message = _("This field is required.")
        raise ApiError(
            422, errors=[FieldError(field="external_id", message=message, type="required")]
        )
    return str(key)
