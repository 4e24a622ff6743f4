"""The advice documentation of an advice case (Beratungsdokumentation, §§ 61, 62 VVG): the
customer's wishes and needs, the advice given and its reasons, in numbered versions.

A version is a draft that staff who may change the case edit under the edit lock; delivering
it (after a confirmation) freezes it for good: the PDF is filed in the customer's insurance
folder on the case, shared with the customer, who is told; the first time the customer opens
it is its read time. A change after delivery is the next version, prefilled from the last.
A case is completed by staff only once a version was delivered, unless the customer waived
the documentation in writing (§ 61 (2) VVG), which the audit records. The pages' reads and
the letter: services/advice_record_pages.py.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import anyio
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, ValidationFailed
from tenant_app.files.pdf import render_letter
from tenant_app.files.storage import Storage
from tenant_app.models.cases import AdviceCase
from tenant_app.models.folders import AuditEntry
from tenant_app.models.legal import AdviceRecord
from tenant_app.schemas.advice_records import AdviceDeliveryInput, AdviceDraftInput
from tenant_app.schemas.base import checked
from tenant_app.services import advice_record_pages, cases, document_store, events
from tenant_app.services.upload_checks import Upload
from tenant_app.services.versions import save_if_unchanged
from tenant_app.text import i18n
from tenant_app.text.i18n import gettext as _
from tenant_app.text.labels import N_

FOLDER = cases.CASE_FOLDER  # where the customer finds it: the insurance folder
CATEGORY = "correspondence"
FILENAME_PREFIX = "Beratungsdokumentation"  # document_title in German, as filed
WAIVED_AUDIT = "advice_waived"  # AuditEntry.action: completed without, § 61 (2) VVG
DELIVERED_AUDIT = "advice_delivered"  # AuditEntry.action, subject: the record
LABELS = {
    "wishes": N_("Wishes and needs"),
    "advice": N_("Advice given"),
    "reasons": N_("Reasons for the advice"),
}


class AdviceDelivered(ValidationFailed):
    """A delivered version never changes."""

    status_code = 409

    def __init__(self) -> None:
        super().__init__(
            {
                "form": _(
                    "This version of the advice documentation has been delivered and never"
                    " changes. Start a new version to change it."
                )
            }
        )


async def record_for(
    actor: CurrentUser, record_id: int, *, edit: bool = False
) -> tuple[AdviceRecord, AdviceCase]:
    """The version and its case, if the actor sees the case (else NotFound); with `edit`,
    PermissionDenied unless they may change the case."""
    record = await AdviceRecord.get_or_none(id=record_id)
    if record is None:
        raise NotFound
    return record, await cases.case_for(actor, record.case_id, edit=edit)


async def start_version(actor: CurrentUser, case: AdviceCase) -> AdviceRecord:
    """The case's open draft, or a new version (number + 1) prefilled from the last one.
    The case was loaded with `edit` (the actor may change it); a closed case takes none."""
    cases.ensure_open(case)
    draft = await AdviceRecord.get_or_none(case_id=case.id, delivered_at=None)
    if draft is not None:
        return draft
    last = await AdviceRecord.filter(case_id=case.id).order_by("-number").first()
    carried = {name: getattr(last, name) for name in LABELS} if last else {}
    try:
        return await AdviceRecord.create(
            case_id=case.id,
            number=(last.number + 1) if last else 1,
            created_by_id=actor.id,
            **carried,
        )
    except IntegrityError:  # a second click made it meanwhile
        return await AdviceRecord.get(case_id=case.id, delivered_at=None)


async def save_draft(
    actor: CurrentUser,
    record: AdviceRecord,
    case: AdviceCase,
    *,
    values: Mapping[str, Any],
    version: int | None,
) -> None:
    """Save the draft if nobody saved it since it was loaded at `version` (EditConflict with
    what is stored now); a delivered version refuses (AdviceDelivered)."""
    if record.delivered_at is not None:
        raise AdviceDelivered
    cases.ensure_open(case)
    found, errors = checked(AdviceDraftInput, values)
    if found is None:
        raise ValidationFailed(errors)
    labels = {name: _(label) for name, label in LABELS.items()}
    try:
        await save_if_unchanged(
            AdviceRecord,
            where={"id": record.id, "delivered_at": None},
            version=version,
            changes=found.model_dump(),
            labels=labels,
        )
    except NotFound:  # delivered between loading and saving
        raise AdviceDelivered from None
    await cases.touch(case.id)


async def deliver(
    actor: CurrentUser,
    store: Storage,
    record: AdviceRecord,
    case: AdviceCase,
    *,
    confirmed: bool,
    max_bytes: int,
) -> AdviceRecord:
    """Freeze the version (delivered at/by), file its PDF in the customer's insurance folder
    on the case, shared with the customer, and tell the customer: all or none, once."""
    if record.delivered_at is not None:
        raise AdviceDelivered
    cases.ensure_open(case)
    _found, errors = checked(AdviceDeliveryInput, {name: getattr(record, name) for name in LABELS})
    if not confirmed:
        errors["confirm"] = _("Please confirm that the customer is to receive this version.")
    if errors:
        raise ValidationFailed(errors)
    now = datetime.now(UTC)
    letter = await advice_record_pages.letter_of(case, record, delivered_at=now, by=actor)
    pdf = await anyio.to_thread.run_sync(render_letter, letter)  # CPU-bound
    async with in_transaction():
        claimed = await AdviceRecord.filter(id=record.id, delivered_at=None).update(
            delivered_at=now, delivered_by_id=actor.id, version=F("version") + 1
        )
        if not claimed:  # a second click, or another member, was first
            raise AdviceDelivered
        document = await _file(actor, store, case, record, pdf, max_bytes=max_bytes)
        await AdviceRecord.filter(id=record.id).update(document_id=document.id)
        await AuditEntry.create(
            action=DELIVERED_AUDIT,
            actor_id=actor.id,
            subject_id=record.id,
            details=f"case {case.id}, version {record.number}",
        )
        await events.record(
            actor,
            events.ADVICE_DELIVERED,
            contact_id=case.contact_id,
            object_type="document",
            object_id=document.id,
            folder=FOLDER,
            title=document.title,
            tell=events.CUSTOMER,
        )
    await cases.touch(case.id)
    return await AdviceRecord.get(id=record.id)


async def _file(
    actor: CurrentUser,
    store: Storage,
    case: AdviceCase,
    record: AdviceRecord,
    pdf: bytes,
    *,
    max_bytes: int,
) -> Any:
    with i18n.using(i18n.DEFAULT_LOCALE):
        title = advice_record_pages.document_title(case, record)
    upload = Upload(io.BytesIO(pdf), f"{title}.pdf", len(pdf))
    filed = await document_store.store_documents(
        actor,
        store,
        contact_id=case.contact_id,
        contract=None,
        folder=FOLDER,
        uploads=[upload],
        values={"title": title, "folder": FOLDER, "category": CATEGORY},
        max_bytes=max(max_bytes, len(pdf)),
        shared=True,
        announce=False,  # the delivery's own event tells the customer
        case_id=case.id,
    )
    return filed[0]


async def mark_read(actor: CurrentUser, document: Any) -> None:
    """The customer opened or downloaded a document (any row with an id): if it is a delivered
    advice documentation, note the first time. One UPDATE; staff viewing as the customer,
    and staff, are no reading."""
    if actor.kind != "customer" or actor.viewing_staff_id is not None:
        return
    # Only the delivered PDFs (their name is the German title, whatever the staff's language)
    # cost the UPDATE: a download's queries stay as they were for every other document.
    if not document.filename.startswith(FILENAME_PREFIX):
        return
    await AdviceRecord.filter(document_id=int(document.id), read_at=None).update(
        read_at=datetime.now(UTC)
    )


async def set_case_status(
    actor: CurrentUser, case: AdviceCase, *, status: str, waived: bool
) -> AdviceCase:
    """Staff move a case on: completing it needs a delivered advice documentation, unless the
    customer waived it in writing (§ 61 (2) VVG; recorded in the audit)."""
    async with in_transaction():
        if status == "completed" and case.status != "completed":
            delivered = AdviceRecord.filter(case_id=case.id, delivered_at__isnull=False)
            if not await delivered.exists():
                if not waived:
                    raise ValidationFailed({"status": _(MISSING_BEFORE_COMPLETION)})
                await AuditEntry.create(
                    action=WAIVED_AUDIT,
                    actor_id=actor.id,
                    subject_id=case.id,
                    details="§ 61 Abs. 2 VVG",
                )
        return await cases.set_status(actor, case, status=status)


MISSING_BEFORE_COMPLETION = N_(
    "Please deliver the advice documentation to the customer before completing the case, or"
    " tick that the customer waived it in writing (§ 61 (2) VVG)."
)
