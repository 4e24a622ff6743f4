"""What the guided application's pages show (web/staff/interface_applications.py): the step
being answered as a form of the plug-in's declared fields in the reader's language, where it
stands among the steps, the insurer's tariff, every answer before sending, and after sending
the filled application, its signature and the policy; and the interface log for support.
The writes are services/interface_applications.py, application_signing.py and
application_policy.py."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound
from tenant_app.models.contacts import Contact
from tenant_app.models.interfaces import InsuredObject, InterfaceApplication, InterfaceCall
from tenant_app.permissions import can_link_systems
from tenant_app.plugins import Field, InsurerPlugin, Step, text_in
from tenant_app.queries.documents import DocumentRef
from tenant_app.services import application_steps as steps
from tenant_app.services import documents, insured_objects, insurer_plugins
from tenant_app.services.application_signing import CONSENT_TEXT, signer_of
from tenant_app.services.interface_applications import application_for
from tenant_app.text.case_risks import shown_value
from tenant_app.text.i18n import get_locale
from tenant_app.text.i18n import gettext as _
from tenant_app.text.insured_objects import APPLICATION_CHIPS, APPLICATION_STATUSES

RADIOS_UP_TO = 4  # a choice of at most this many options is a radio group, else a select
CALLS_SHOWN = 500  # the newest exchanges of one application the log lists


@dataclass(frozen=True, slots=True)
class FieldView:
    """A declared field as the form shows it, its texts in the reader's language."""

    key: str
    type: str  # text | int | decimal | date | bool | choice
    label: str
    help: str
    required: bool
    choices: tuple[tuple[str, str], ...]
    max_length: int
    as_radios: bool


@dataclass(frozen=True, slots=True)
class StepView:
    key: str
    number: int  # from 1
    title: str
    kind: str  # form | tariff | review
    intro: str
    fields: tuple[FieldView, ...]
    state: str  # done | current | todo (before, at, after the step shown)


@dataclass(frozen=True, slots=True)
class QuoteView:
    tariff_name: str
    premium: Decimal | None
    frequency: str
    cover: tuple[str, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ReviewGroup:
    """One step's answers on the review: (label, value as shown)."""

    step: StepView
    answers: tuple[tuple[str, str], ...]


def _field_view(field: Field, language: str) -> FieldView:
    return FieldView(
        key=field.key,
        type=field.type,
        label=text_in(field.label, language),
        help=text_in(field.help, language),
        required=field.required or field.must_be_true,
        choices=tuple((value, text_in(label, language)) for value, label in field.choices),
        max_length=field.max_length,
        as_radios=0 < len(field.choices) <= RADIOS_UP_TO,
    )


def step_views(plugin: InsurerPlugin, shown: Step, language: str) -> list[StepView]:
    """Every step, numbered, marked done / current / to do around the one shown."""
    at = plugin.steps.index(shown)
    return [
        StepView(
            key=step.key,
            number=index + 1,
            title=text_in(step.title, language),
            kind=step.kind,
            intro=text_in(step.intro, language),
            fields=tuple(_field_view(field, language) for field in step.fields),
            state="done" if index < at else "current" if index == at else "todo",
        )
        for index, step in enumerate(plugin.steps)
    ]


def _amount(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def quote_view(quote: Mapping[str, Any]) -> QuoteView | None:
    """The tariff kept with the application (None before the insurer calculated one)."""
    if not quote.get("tariff_name") and not quote.get("premium"):
        return None
    return QuoteView(
        tariff_name=str(quote.get("tariff_name", "")),
        premium=_amount(quote.get("premium")),
        frequency=str(quote.get("frequency", "monthly")),
        cover=tuple(str(point) for point in quote.get("cover", [])),
        notes=tuple(str(note) for note in quote.get("notes", [])),
    )


def review_groups(
    plugin: InsurerPlugin, views: list[StepView], answers: Mapping[str, Any], language: str
) -> list[ReviewGroup]:
    """Each step with questions and its answers as shown ("–" where none is stored)."""
    groups = []
    for step, view in zip(plugin.steps, views, strict=True):
        shown = []
        for field in step.fields:
            value = answers.get(field.key)
            attribute = steps.attribute_of(field, language)
            text = "–" if value is None or value == "" else shown_value(attribute, value)
            shown.append((attribute.label, text))
        if shown:
            groups.append(ReviewGroup(view, tuple(shown)))
    return groups


def _shown_step(plugin: InsurerPlugin, application: InterfaceApplication, wanted: str) -> Step:
    """The step asked for (a draft's "change" link), else the application's current one."""
    asked = steps.step_of(plugin, wanted) if wanted and application.status == "draft" else None
    return asked or steps.step_of(plugin, application.step) or plugin.steps[0]


async def application_page(
    actor: CurrentUser,
    application: InterfaceApplication,
    *,
    step_key: str = "",
    typed: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The application's page (loaded by `application_for`): the step shown with its values
    (`typed`: the input to show again after a refusal), or the papers once sent."""
    language = get_locale()
    plugin = insurer_plugins.plugin(application.plugin)
    insured = await InsuredObject.get(id=application.insured_object_id)
    contact = await Contact.get(id=application.contact_id)
    context: dict[str, Any] = {
        "application": application,
        "insured": insured,
        "contact": contact,
        "insurer": plugin.insurer_name if plugin else application.plugin,
        "status_label": APPLICATION_STATUSES[application.status],
        "chip": APPLICATION_CHIPS.get(application.status, "neutral"),
        "quote": quote_view(application.quote),
        "can_write": insured_objects.may_change(actor),
        "shows_calls": can_link_systems(actor),
        "consent_text": _(CONSENT_TEXT),
        "signer_name": signer_of(contact),
        "installed": plugin is not None and bool(plugin.steps),
    }
    if plugin is None or not plugin.steps:
        return context | {"steps": [], "step": None, "values": {}, "review": []}
    shown = _shown_step(plugin, application, step_key)
    views = step_views(plugin, shown, language)
    values = steps.form_values(shown, application.answers) if typed is None else dict(typed)
    return context | {
        "steps": views,
        "step": views[plugin.steps.index(shown)],
        "values": values,
        "review": review_groups(plugin, views, application.answers, language),
    }


@dataclass(frozen=True, slots=True)
class CallRow:
    id: int
    at: datetime
    operation: str
    method: str
    url: str
    attempt: int
    status_code: int | None
    duration_ms: int
    error: str
    request_body: str
    response_body: str


async def calls_page(actor: CurrentUser, application_id: int) -> dict[str, Any]:
    """The interface log of one application, oldest first (administrators only: anyone else
    gets NotFound, as for an application they do not see)."""
    application = await application_for(actor, application_id)
    if not can_link_systems(actor):
        raise NotFound
    plugin = insurer_plugins.plugin(application.plugin)
    rows = (
        await InterfaceCall.filter(application_id=application.id)
        .order_by("-created_at", "-id")
        .limit(CALLS_SHOWN)
    )
    calls = [
        CallRow(
            id=row.id,
            at=row.created_at,
            operation=row.operation,
            method=row.method,
            url=row.url,
            attempt=row.attempt,
            status_code=row.status_code,
            duration_ms=row.duration_ms,
            error=row.error,
            request_body=row.request_body,
            response_body=row.response_body,
        )
        for row in reversed(rows)
    ]
    insured = await InsuredObject.get(id=application.insured_object_id)
    return {
        "application": application,
        "insured": insured,
        "contact": await Contact.get(id=application.contact_id),
        "insurer": plugin.insurer_name if plugin else application.plugin,
        "calls": calls,
    }


async def field_keys(actor: CurrentUser, application_id: int, step_key: str) -> tuple[str, ...]:
    """The names of a step's fields (what its form sends; none for a step unknown)."""
    application = await application_for(actor, application_id)
    plugin = insurer_plugins.plugin(application.plugin)
    step = steps.step_of(plugin, step_key) if plugin else None
    return tuple(field.key for field in step.fields) if step else ()


async def paper_of(actor: CurrentUser, application_id: int) -> DocumentRef:
    """The filled application the insurer returned, opened as any document is (the reader's
    rights on it checked again, the opening on the customer's trail)."""
    application = await application_for(actor, application_id)
    if application.paper_id is None:
        raise NotFound
    return await documents.open_document(actor, application.paper_id)
