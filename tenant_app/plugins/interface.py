"""What an insurer plug-in declares and implements.

A plug-in is an object (an instance of `InsurerPlugin`) named by an entry point of the group
`tenant_app.insurer_plugins`, so a third party ships one as a package of its own. It declares
as data which insured objects it insures, which credentials the firm enters, and the steps of
its application with their fields; and it implements the insurer's calls: quote, submit,
finalize, fetch a document. It never touches the database: the core asks the questions,
checks the answers by the declared fields, keeps drafts, files papers and writes the contract;
the plug-in gets what it needs in a `CallContext` and an `Application`, and answers with the
dataclasses below or an error of `tenant_app.plugins.errors`.

Texts a user reads come as `Text`: a mapping of language to text ({"de": ..., "en": ...});
German is the fallback.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from tenant_app.plugins.calls import InsurerHttp

Text = Mapping[str, str]
FIELD_TYPES = ("text", "int", "decimal", "date", "bool", "choice")
STEP_KINDS = ("form", "tariff", "review")
# Where a field's first value comes from: an attribute of the insured object, a field of the
# contact (first_name, last_name, birth_date, street, postal_code, city, country, email).
PREFILL_SOURCES = ("object", "contact")


def text_in(text: Text | None, language: str) -> str:
    """The text in the reader's language, else German, else any."""
    if not text:
        return ""
    return text.get(language) or text.get("de") or next(iter(text.values()), "")


@dataclass(frozen=True, slots=True)
class Field:
    """One question of a step: typed and checked by the core like a risk's attributes."""

    key: str
    type: str
    label: Text
    required: bool = False
    help: Text | None = None
    choices: tuple[tuple[str, Text], ...] = ()
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    max_length: int = 200
    pattern: str = ""  # a regular expression the whole text must match
    pattern_message: Text | None = None
    must_be_true: bool = False  # a confirmation the step cannot pass without (a yes/no)
    prefill: str = ""  # "object.<attribute>" or "contact.<field>"
    secret: bool = False  # credentials: never shown again, never logged

    def __post_init__(self) -> None:
        if self.type not in FIELD_TYPES:
            raise ValueError(f"{self.key}: unknown field type {self.type!r}")
        if (self.type == "choice") != bool(self.choices):
            raise ValueError(f"{self.key}: choices belong to (and only to) a choice")
        if self.must_be_true and self.type != "bool":
            raise ValueError(f"{self.key}: only a yes/no can be required to be true")
        if self.prefill and self.prefill.partition(".")[0] not in PREFILL_SOURCES:
            raise ValueError(f"{self.key}: prefill from object.<name> or contact.<name>")


@dataclass(frozen=True, slots=True)
class Step:
    """A page of the guided application. `tariff` shows the insurer's quote for the answers
    so far above its fields; `review` shows every answer before submitting."""

    key: str
    title: Text
    kind: str = "form"
    intro: Text | None = None
    fields: tuple[Field, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in STEP_KINDS:
            raise ValueError(f"{self.key}: unknown step kind {self.kind!r}")


@dataclass(frozen=True, slots=True)
class ObjectKind:
    """Insured objects a plug-in insures: a product line's risks whose `attribute` has one of
    `values` (e.g. product line "fahrrad", object_type in ebike/bike/battery)."""

    product_line: str
    attribute: str = ""
    values: tuple[str, ...] = ()

    def covers(self, product_line: str, attributes: Mapping[str, Any]) -> bool:
        if product_line != self.product_line:
            return False
        return not self.attribute or attributes.get(self.attribute) in self.values


@dataclass(frozen=True, slots=True)
class Application:
    """What the core hands to a call: the checked answers of all steps (JSON values: amounts
    as decimal strings, dates in ISO), the insured object's attributes and label, the
    contact's data, and what earlier calls returned."""

    answers: Mapping[str, Any]
    insured_object: Mapping[str, Any]
    contact: Mapping[str, Any]
    idempotency_key: str
    external_id: str = ""
    signature: str = ""  # upload | click, once signed
    signed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Quote:
    """Tariff information shown on a `tariff` step and kept with the draft."""

    tariff_name: str
    premium: Decimal  # per `frequency`, in euros
    frequency: str  # monthly | quarterly | half_yearly | yearly | single
    cover: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # e.g. what instant cover costs, whether it is available


@dataclass(frozen=True, slots=True)
class Paper:
    """A PDF the insurer returned (the filled application, a policy document)."""

    title: str
    filename: str
    data: bytes
    content_type: str = "application/pdf"


@dataclass(frozen=True, slots=True)
class Submission:
    """The insurer took the application: its id, the premium, the filled application."""

    external_id: str
    premium: Decimal
    frequency: str
    paper: Paper


@dataclass(frozen=True, slots=True)
class DocumentRef:
    id: str
    title: str


@dataclass(frozen=True, slots=True)
class Policy:
    """The insurer finalized the application: the contract's data and its documents."""

    policy_number: str
    start_date: date
    premium: Decimal
    frequency: str
    tariff_name: str = ""
    documents: tuple[DocumentRef, ...] = ()


@dataclass(slots=True)
class CallContext:
    """What a call may use: the HTTP client (timeouts, retries, every exchange recorded), the
    firm's credentials as entered, the user's agent number, the reader's language."""

    http: InsurerHttp
    credentials: Mapping[str, str]
    agent_number: str
    language: str = "de"
    extra: dict[str, Any] = field(default_factory=dict)


class InsurerPlugin(abc.ABC):
    """The base of every insurer plug-in (see the module's docstring)."""

    key: str = ""  # lower-case letters, digits, "-", "_"; equals the entry point's name
    insurer_name: str = ""  # as it appears on the contract
    description: Text | None = None
    countries: tuple[str, ...] = ("DE",)
    object_kinds: tuple[ObjectKind, ...] = ()
    credential_fields: tuple[Field, ...] = ()
    steps: tuple[Step, ...] = ()
    default_base_url: str = ""
    agent_number_pattern: str = r"\S{1,40}"
    agent_number_help: Text | None = None
    # An example insurer (the reference plug-in): offered in development and tests only.
    reference: bool = False

    def covers(self, product_line: str, attributes: Mapping[str, Any]) -> bool:
        return any(kind.covers(product_line, attributes) for kind in self.object_kinds)

    @abc.abstractmethod
    async def quote(self, ctx: CallContext, application: Application) -> Quote: ...

    @abc.abstractmethod
    async def submit(self, ctx: CallContext, application: Application) -> Submission: ...

    @abc.abstractmethod
    async def finalize(self, ctx: CallContext, application: Application) -> Policy: ...

    @abc.abstractmethod
    async def fetch_document(
        self, ctx: CallContext, policy: Policy, document: DocumentRef
    ) -> Paper: ...
