"""The API's document models: what a document is, the upload's fields, a metadata change."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from tenant_app.api.paging import PageQuery
from tenant_app.schemas.base import Required
from tenant_app.schemas.cases import EXTERNAL_ID_MAX
from tenant_app.schemas.cases import ExternalId as ExternalIdRule
from tenant_app.schemas.folders import NOTE_MAX, TITLE_MAX
from tenant_app.vocabulary import DOCUMENT_CATEGORIES, FOLDERS

MAX_ID = 2**31 - 1  # the database's integer keys


def _not_sent() -> Any:
    """The default of a change's field that is not nullable (a factory, so that the schema
    shows no default `null` where null is not allowed)."""
    return None


def _storable(value: object) -> object:
    """Text as JSON sends it (a number or `false` is no text) that a database stores: no NUL
    (PostgreSQL refuses it) and no lone surrogate (JSON allows `\\ud800`, UTF-8 does not).
    Checked first, before the field's own rules see it; null is left to them."""
    if value is None:
        return value
    if not isinstance(value, str):
        raise ValueError("text is required")
    if "\x00" in value:
        raise ValueError("NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("not UTF-8") from None
    return value


Storable = BeforeValidator(_storable)  # listed last in an Annotated type: it runs first


Folder = Literal["", "insurance", "finance", "other", "emergency"]
Category = Literal[
    "policy", "application", "invoice", "correspondence", "claim", "identity", "other"
]
if set(get_args(Folder)) != {"", *FOLDERS} or set(get_args(Category)) != set(DOCUMENT_CATEGORIES):
    raise RuntimeError("the API's folders or categories differ from the vocabulary")
RowId = Annotated[int, Field(ge=1, le=MAX_ID)]
# The rule of every external id (contacts, contracts, cases): letters, digits and - _ . / : #
# (stripped; blank is none). The pattern tells clients; the rule decides.
ExternalId = Annotated[
    ExternalIdRule,
    Field(json_schema_extra={"maxLength": EXTERNAL_ID_MAX, "pattern": r"^[\w\-./:#]+$"}),
    Storable,
]
Title = Annotated[Required, Field(min_length=1, max_length=TITLE_MAX), Storable]
Note = Annotated[str, Field(max_length=NOTE_MAX), Storable]

FOLDER_TEXT = (
    'The folder (`insurance`, `finance`, `other`, `emergency`), or "" for a document on the'
    " contact itself."
)
SHARED_TEXT = "Whether the customer sees it in their portal (if their folder permissions show it)."
EXTERNAL_TEXT = (
    "The id in the broker's own system, unique per tenant (letters, digits and - _ . / : #)."
)


class DocumentOut(BaseModel):
    id: int
    contact_id: int
    contract_id: int | None = Field(description="The contract it is filed on, if any.")
    case_id: int | None = Field(description="The advice case it belongs to, if any.")
    folder: str = Field(description=FOLDER_TEXT)
    title: str
    category: str = Field(description="One of " + ", ".join(DOCUMENT_CATEGORIES) + ".")
    document_date: date | None
    note: str
    filename: str = Field(description="The file's cleaned name, used for downloads.")
    content_type: str = Field(description="The file's type, as found from its content.")
    size: int = Field(description="Bytes.")
    sha256: str = Field(description="The file's SHA-256, hex.")
    shared_with_customer: bool = Field(description=SHARED_TEXT)
    uploaded_by_customer: bool
    external_id: str | None = Field(description=EXTERNAL_TEXT)
    version: int = Field(description="Send it as If-Match (the ETag) to change the metadata.")
    created_at: datetime
    updated_at: datetime | None


class DocumentQuery(PageQuery):
    """`updated_since` finds documents uploaded or changed since then."""

    contact_id: RowId | None = None
    contract_id: RowId | None = None
    case_id: RowId | None = None
    external_id: ExternalId = None
    folder: Folder | None = Field(default=None, description=FOLDER_TEXT)


class DocumentUpload(BaseModel):
    """The text fields of an upload; the file itself comes in the part `file`."""

    model_config = ConfigDict(extra="forbid")

    contact_id: RowId
    contract_id: RowId | None = Field(
        default=None, description="A contract of the contact: the document goes into its folder."
    )
    case_id: RowId | None = Field(default=None, description="An open advice case of the contact.")
    folder: Folder = Field(default="", description=FOLDER_TEXT + " Ignored with a contract.")
    title: Title
    category: Category = "other"
    document_date: date | None = None
    note: Note = ""
    shared_with_customer: bool | None = Field(
        default=None, description=SHARED_TEXT + " Default: shared when in a folder."
    )
    external_id: ExternalId = Field(default=None, description=EXTERNAL_TEXT)

    def values(self) -> dict[str, str]:
        """The fields the upload form's rules check, as the form sends them."""
        return {
            "title": self.title,
            "category": self.category,
            "document_date": self.document_date.isoformat() if self.document_date else "",
            "note": self.note,
        }


class DocumentChanges(BaseModel):
    """The metadata to change: only the fields sent are written."""

    model_config = ConfigDict(extra="forbid")

    # Not nullable, but optional: what was left out stays (`wanted` names what was sent).
    title: Title = Field(default_factory=_not_sent)
    category: Category = Field(default_factory=_not_sent)
    document_date: date | None = Field(default=None, description="null removes the date.")
    note: Note = Field(default_factory=_not_sent)
    shared_with_customer: bool = Field(default_factory=_not_sent, description=SHARED_TEXT)
    folder: Folder = Field(
        default_factory=_not_sent, description=FOLDER_TEXT + " Not for one on a contract."
    )

    def wanted(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set}


class DocumentPatch(DocumentChanges):
    external_id: ExternalId = Field(default=None, description=EXTERNAL_TEXT + " null removes it.")
