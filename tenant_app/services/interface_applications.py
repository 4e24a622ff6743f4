"""Applications (Anträge) for an insured object through an insurer's plug-in, up to the
signature: started from the object (refused without the firm's account or the user's agent
number), answered step by step as a draft (each step checked by its declared fields; the
tariff step asks the insurer for a quote), submitted (the filled application comes back as a
PDF filed in the insurance folder), signed (services/application_signing.py), finalized
(services/application_policy.py).

Nothing entered is lost by a fault: answers are stored before any call to the insurer, and a
failed call leaves the draft as it was with the message the user read (`last_error`).
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Mapping
from typing import Any

import anyio
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import EditConflict, NotFound, ValidationFailed
from tenant_app.files.cleanup import remove_files
from tenant_app.files.storage import Storage
from tenant_app.models.contacts import Contact
from tenant_app.models.folders import Document
from tenant_app.models.interfaces import InsuredObject, InterfaceApplication
from tenant_app.plugins import Application, InsurerPlugin, Quote, Step, Submission
from tenant_app.services import application_case, document_store, insured_objects, insurer_plugins
from tenant_app.services import application_steps as steps
from tenant_app.services.interface_calls import (
    Connection,
    InsurerCallFailed,
    connection_for,
    run_call,
)
from tenant_app.services.upload_checks import Upload
from tenant_app.settings import Settings
from tenant_app.text.i18n import get_locale
from tenant_app.text.i18n import gettext as _

OPEN_STATUSES = ("draft", "submitted", "signed")
DRAFT = ("draft",)


async def application_for(
    actor: CurrentUser, application_id: int, *, write: bool = False
) -> InterfaceApplication:
    """The application if the actor may see (with `write`: work on) its insured object; a miss
    is NotFound whatever the reason (another tenant's, a contact not theirs, a customer)."""
    if actor.kind != "staff":
        raise NotFound
    found = await InterfaceApplication.get_or_none(id=application_id)
    if found is None:
        raise NotFound
    await insured_objects.object_for(actor, found.insured_object_id, write=write)
    return found


def plugin_of(application: InterfaceApplication) -> InsurerPlugin:
    plugin = insurer_plugins.plugin(application.plugin)
    if plugin is None:
        raise ValidationFailed({"form": _("This insurer interface is no longer installed.")})
    return plugin


def _closed() -> ValidationFailed:
    return ValidationFailed({"form": _("This application has been sent already.")})


async def start(
    settings: Settings, actor: CurrentUser, *, object_id: int, plugin_key: str
) -> InterfaceApplication:
    """The open application of the object with this insurer, or a new draft with the first
    answers taken from the object and the contact."""
    insured = await insured_objects.object_for(actor, object_id, write=True)
    plugin = insurer_plugins.plugin(plugin_key)
    if plugin is None or not plugin.covers(insured.product_line, insured.attributes):
        raise ValidationFailed({"form": _("This insurer does not insure this object.")})
    if insured.insurance_state == "insured":
        raise ValidationFailed({"form": _("This object is insured already.")})
    connection = await connection_for(settings, actor, plugin_key)
    running = await InterfaceApplication.filter(
        insured_object_id=insured.id, plugin=plugin_key, status__in=OPEN_STATUSES
    ).first()
    if running is not None:
        return running
    contact = await Contact.get(id=insured.contact_id)
    return await InterfaceApplication.create(
        plugin=plugin_key,
        contact_id=insured.contact_id,
        insured_object_id=insured.id,
        step=plugin.steps[0].key,
        answers=steps.prefilled(plugin, insured, contact),
        agent_number=connection.agent_number,
        idempotency_key=uuid.uuid4().hex,
        created_by_id=actor.id,
    )


async def store_changes(
    application: InterfaceApplication,
    version: int | None,
    *,
    expect: tuple[str, ...],
    **changes: Any,
) -> InterfaceApplication:
    """Write `changes` if the application still stands in one of the `expect`ed statuses (and
    at `version`, if given): the one guard against two tabs, a double click or a retry after
    a lost answer moving it twice (the database decides, row by row)."""
    rows = InterfaceApplication.filter(id=application.id, status__in=expect)
    if version is not None:
        rows = rows.filter(version=version)
    if not await rows.update(**changes, version=F("version") + 1):
        stored = await InterfaceApplication.get(id=application.id)
        raise EditConflict(
            {"form": _("This application was changed meanwhile.")}, version=stored.version
        )
    return await InterfaceApplication.get(id=application.id)


async def call_input(application: InterfaceApplication) -> Application:
    """What the plug-in's calls read: the answers, the object, the contact."""
    insured = await InsuredObject.get(id=application.insured_object_id)
    contact = await Contact.get(id=application.contact_id)
    return Application(
        answers=dict(application.answers),
        insured_object=steps.object_values(insured),
        contact=steps.contact_values(contact),
        idempotency_key=application.idempotency_key,
        external_id=application.external_id,
        signature=application.signature,
        signed_at=application.signed_at,
    )


def quote_values(quote: Quote) -> dict[str, Any]:
    return {
        "tariff_name": quote.tariff_name,
        "premium": str(quote.premium),
        "frequency": quote.frequency,
        "cover": list(quote.cover),
        "notes": list(quote.notes),
    }


async def _quote(
    settings: Settings, actor: CurrentUser, application: InterfaceApplication
) -> dict[str, Any]:
    plugin = plugin_of(application)
    connection = await connection_of(settings, actor, application)
    asked = await call_input(application)
    quote = await run_call(
        settings,
        connection,
        application_id=application.id,
        call=lambda ctx: plugin.quote(ctx, asked),
    )
    return quote_values(quote)


async def requote(
    settings: Settings, actor: CurrentUser, application_id: int
) -> InterfaceApplication:
    """Ask the insurer again for the tariff of the answers so far (the tariff step's button)."""
    application = await application_for(actor, application_id, write=True)
    if application.status != "draft":
        raise _closed()
    await _fresh_quote(settings, actor, application)
    return await InterfaceApplication.get(id=application.id)


async def answer_step(
    settings: Settings,
    actor: CurrentUser,
    application_id: int,
    *,
    step_key: str,
    values: Mapping[str, Any],
    version: int | None,
) -> InterfaceApplication:
    """Store the step's answers and move to the next step; nothing is stored when an answer is
    refused. Entering or leaving a tariff step asks the insurer for the tariff of the answers:
    its refusal is shown next to the fields, the answers stay stored."""
    application = await application_for(actor, application_id, write=True)
    if application.status != "draft":
        raise _closed()
    plugin = plugin_of(application)
    step = steps.step_of(plugin, step_key)
    if step is None:
        raise NotFound
    clean, errors = steps.check_step(step, values, get_locale())
    if clean is None:
        raise ValidationFailed(errors)
    answers = _merged(application.answers, step, clean)
    following = steps.after(plugin, step.key)
    application = await store_changes(
        application,
        version,
        expect=DRAFT,
        answers=answers,
        step=step.key,
        last_error="",
        idempotency_key=_key_for(application, answers),
    )
    if step.kind == "tariff" or (following is not None and following.kind == "tariff"):
        await _fresh_quote(settings, actor, application)
    moved_to = following.key if following is not None else step.key
    return await store_changes(application, None, expect=DRAFT, step=moved_to)


def _key_for(application: InterfaceApplication, answers: Mapping[str, Any]) -> str:
    """The idempotency key the next submission is sent with: the same while the answers are,
    a new one once they change (a retry of the same application must not make a second one
    at the insurer, and changed answers must not be refused as a reuse of the key)."""
    return application.idempotency_key if answers == application.answers else uuid.uuid4().hex


async def _fresh_quote(
    settings: Settings, actor: CurrentUser, application: InterfaceApplication
) -> None:
    try:
        quote = await _quote(settings, actor, application)
    except InsurerCallFailed as failed:
        await failed_call(application, failed, DRAFT, quote={})
        raise
    await store_changes(application, None, expect=DRAFT, quote=quote, last_error="")


async def failed_call(
    application: InterfaceApplication,
    failed: InsurerCallFailed,
    expect: tuple[str, ...],
    **changes: Any,
) -> None:
    """Keep what the user was told of a failed call with the application (all else as it was)."""
    message = failed.errors.get("form", "")  # a refusal by field is shown next to the fields
    await store_changes(application, None, expect=expect, last_error=message, **changes)


def _merged(answers: Mapping[str, Any], step: Step, clean: Mapping[str, Any]) -> dict[str, Any]:
    """The answers with the step's as given: a field left empty forgets its earlier answer."""
    merged = {**answers, **clean}
    for field in step.fields:
        if field.key not in clean:
            merged.pop(field.key, None)
    return merged


async def go_back(
    actor: CurrentUser, application_id: int, *, step_key: str, values: Mapping[str, Any]
) -> None:
    """Show the step before `step_key`, keeping what was entered on it if it passes the
    step's checks (nothing of it otherwise: going back is no place for error messages)."""
    application = await application_for(actor, application_id, write=True)
    plugin = plugin_of(application)
    step, previous = steps.step_of(plugin, step_key), steps.before(plugin, step_key)
    if application.status != "draft" or step is None or previous is None:
        return
    clean, _errors = steps.check_step(step, values, get_locale())
    answers = application.answers if clean is None else _merged(application.answers, step, clean)
    key = _key_for(application, answers)
    await store_changes(
        application, None, expect=DRAFT, answers=answers, step=previous.key, idempotency_key=key
    )


async def submit(
    settings: Settings,
    store: Storage,
    actor: CurrentUser,
    application_id: int,
    *,
    version: int | None,
) -> InterfaceApplication:
    """Send the application. Every step's answers are checked again first (the step with a
    gap is shown). The insurer's filled application is filed in the customer's insurance
    folder (hidden from the customer) and opened for signing."""
    application = await application_for(actor, application_id, write=True)
    if application.status != "draft":
        raise _closed()
    if version is not None and version != application.version:  # before the insurer hears of it
        raise EditConflict(
            {"form": _("This application was changed meanwhile.")}, version=application.version
        )
    plugin = plugin_of(application)
    gap, errors = steps.first_unanswered(plugin, application.answers, get_locale())
    if gap is not None:
        await store_changes(application, None, expect=DRAFT, step=gap.key)
        raise ValidationFailed(errors)
    connection = await connection_of(settings, actor, application)
    asked = await call_input(application)
    try:
        sent = await run_call(
            settings,
            connection,
            application_id=application.id,
            call=lambda ctx: plugin.submit(ctx, asked),
        )
    except InsurerCallFailed as failed:
        await failed_call(application, failed, DRAFT)
        raise
    return await _file_submission(settings, store, actor, (application, plugin), sent)


async def _file_submission(
    settings: Settings,
    store: Storage,
    actor: CurrentUser,
    what: tuple[InterfaceApplication, InsurerPlugin],
    sent: Submission,
) -> InterfaceApplication:
    """In one go, or not at all: the application marked sent — first, so that a second
    request sending it meanwhile (a double click, another tab) files nothing — its paper
    filed, the case opened with the interface's offer."""
    application, plugin = what
    paper = sent.paper
    quote = {**application.quote, "premium": str(sent.premium), "frequency": sent.frequency}
    filed: list[Document] = []
    try:
        async with in_transaction():
            application = await store_changes(
                application,
                application.version,
                expect=DRAFT,
                status="submitted",
                external_id=sent.external_id[:80],
                quote=quote,
                last_error="",
            )
            filed = await document_store.store_documents(
                actor,
                store,
                contact_id=application.contact_id,
                contract=None,
                folder="insurance",
                uploads=[Upload(io.BytesIO(paper.data), paper.filename, len(paper.data))],
                values={
                    "title": paper.title[:200],
                    "folder": "insurance",
                    "category": "application",
                },
                max_bytes=settings.max_upload_bytes,
                shared=False,
                announce=False,
            )
            await InterfaceApplication.filter(id=application.id).update(paper_id=filed[0].id)
            application.paper_id = filed[0].id
            await application_case.submitted(actor, application, plugin)
    except BaseException:
        with anyio.CancelScope(shield=True):
            await remove_files(store, [document.storage_key for document in filed])
        raise
    return application


async def connection_of(
    settings: Settings, actor: CurrentUser, application: InterfaceApplication
) -> Connection:
    """The calls of an application go under the agent number it was started with, whoever
    of the staff takes it on: the insurer's records and the portal's agree."""
    return await connection_for(
        settings, actor, application.plugin, agent_number=application.agent_number
    )


async def cancel(actor: CurrentUser, application_id: int) -> InterfaceApplication:
    """Call an open application off (a mistake seen on the paper, the customer changed their
    mind): it stays on record as cancelled, its case closed; the object can be applied for
    anew. What the insurer holds of it is never finalized."""
    application = await application_for(actor, application_id, write=True)
    if application.status not in OPEN_STATUSES:
        raise ValidationFailed({"form": _("Only an open application can be cancelled.")})
    async with in_transaction():
        done = await store_changes(application, None, expect=OPEN_STATUSES, status="cancelled")
        await application_case.cancelled(actor, done)
    return done
