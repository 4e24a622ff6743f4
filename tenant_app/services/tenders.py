"""Starting a tender (Ausschreibung): a product line of an advice case handed to a backoffice
the tenant engages, with the risk frozen.

The broker reviews the customer's data and chooses what to share (the name always), answers
the line's risk questions (schemas/tender_questions.py), describes the risk in free text and
adds documents. The start writes all of it into the tender's snapshot, with the sha256 of its
canonical JSON: nothing in it changes afterwards (changes go through the message module, a
changed risk is a new tender). The starter gets a request confirmation (Anfragebestätigung)
by mail; the backoffice a notice naming only the tender's number and the broker's firm.

The pages' reads are in services/tender_pages.py.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import PermissionDenied, ValidationFailed
from tenant_app.files.cleanup import remove_files
from tenant_app.mail.notify import notify
from tenant_app.mail.outbox import enqueue
from tenant_app.mail.render import render_email
from tenant_app.models.cases import AdviceCase, CaseRisk
from tenant_app.models.contacts import Contact
from tenant_app.models.tenders import Backoffice, BackofficeEngagement, CaseOffer, Tender
from tenant_app.permissions import can_edit_cases
from tenant_app.schemas.product_lines import PRODUCT_LINE_DEFINITIONS
from tenant_app.schemas.tender_questions import check_answers
from tenant_app.services import cases, document_store, events
from tenant_app.services.tickets import Context
from tenant_app.services.upload_checks import Upload, accepted
from tenant_app.settings import Settings
from tenant_app.tenancy import current_tenant, public_base_url, public_url
from tenant_app.text.case_risks import shown_attributes
from tenant_app.text.i18n import gettext as _
from tenant_app.vocabulary import CLOSED_TENDER_STATUSES

OBJECT_TYPE = "tender"
ANSWER_PREFIX = "answers."  # a question's field and error key: "answers.prior_claims"
SHAREABLE = ("birthdate", "address", "phone", "email")  # besides the name, always shared
FREE_TEXT_MAX = 10_000  # characters
REASON_MAX = 2_000  # characters
DEFAULT_SERVICE_DAYS = 5  # working days, when the backoffice promised nothing for the line
CONFIRMATION_MAIL = "tender_confirmation"  # to the starter (Anfragebestätigung)
BACKOFFICE_MAIL = "tender_notice"  # to the backoffice's address


async def engaged_backoffices() -> list[Backoffice]:
    """The active backoffices this tenant engages now, by name."""
    engaged = await BackofficeEngagement.filter(ended_at=None).values_list(
        "backoffice_id", flat=True
    )
    ids = [int(str(backoffice_id)) for backoffice_id in engaged]
    return list(await Backoffice.filter(id__in=ids or [0], is_active=True).order_by("name", "id"))


def calculated_offers(case_id: int, product_line: str) -> Any:
    """The line's offers the broker has: every one not from a tender, and a tender's once
    released (a draft is the backoffice's)."""
    return CaseOffer.filter(case_id=case_id, product_line=product_line).filter(
        ~Q(source="tender") | Q(status__in=("released", "chosen"))
    )


def running_tenders(case_id: int, product_line: str) -> Any:
    return Tender.filter(case_id=case_id, product_line=product_line).exclude(
        status__in=CLOSED_TENDER_STATUSES
    )


def service_days(backoffice: Backoffice, product_line: str) -> int:
    promise = backoffice.service_days or {}
    return int(promise.get(product_line) or promise.get("*") or DEFAULT_SERVICE_DAYS)


def due_after(start: datetime, working_days: int) -> datetime:
    """`working_days` later, counting Monday to Friday only."""
    due, left = start, working_days
    while left > 0:
        due += timedelta(days=1)
        if due.weekday() < 5:
            left -= 1
    return due


def snapshot_hash(snapshot: Mapping[str, Any]) -> str:
    """The sha256 of the snapshot's canonical JSON (keys sorted, no spaces, UTF-8)."""
    canonical = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


async def start_tender(
    ctx: Context,
    actor: CurrentUser,
    case: AdviceCase,
    *,
    product_line: str,
    backoffice_id: int | None,
    answers: Mapping[str, object],
    free_text: str,
    shared: Collection[str],
    uploads: list[Upload],
    reason: str,
) -> Tender:
    """Hand a product line of the case (loaded by `cases.case_for`) to an engaged backoffice,
    the risk frozen. ValidationFailed by field (answers as `answers.<key>`, files as `file`):
    then nothing is stored, no tender, no document, no file."""
    if not can_edit_cases(actor):
        raise PermissionDenied
    cases.ensure_open(case)
    clean, backoffice = await _checked(
        ctx.settings, case, product_line, backoffice_id, answers, free_text, shared, uploads, reason
    )
    stored: list[str] = []
    try:
        async with in_transaction():
            await AdviceCase.filter(id=case.id).select_for_update().first()  # one start at a time
            if await running_tenders(case.id, product_line).exists():
                raise ValidationFailed({"form": _running()})
            tender = await _create(ctx, actor, case, backoffice, clean, uploads, stored)
            await _announce(ctx.settings, actor, case, tender, backoffice)
    except BaseException:
        await remove_files(ctx.store, stored)
        raise
    return tender


def _running() -> str:
    return _("A tender for this product line is running. Please use its messages to change it.")


async def _checked(
    settings: Settings,
    case: AdviceCase,
    product_line: str,
    backoffice_id: int | None,
    answers: Mapping[str, object],
    free_text: str,
    shared: Collection[str],
    uploads: list[Upload],
    reason: str,
) -> tuple[dict[str, Any], Backoffice]:
    """Everything the form sent, checked at once so that every error shows next to its field."""
    errors: dict[str, str] = {}
    if product_line not in case.product_lines:
        raise ValidationFailed({"product_line": _("Please choose one of the case's lines.")})
    backoffice = next((row for row in await engaged_backoffices() if row.id == backoffice_id), None)
    if backoffice is None:
        errors["backoffice"] = _("Please choose a backoffice your firm works with.")
    typed, answer_errors = check_answers(product_line, answers)
    errors |= {ANSWER_PREFIX + key: message for key, message in answer_errors.items()}
    errors |= _text_errors(free_text=free_text, reason=reason)
    if set(shared) - set(SHAREABLE):
        errors["share"] = _("Invalid input.")
    if not reason.strip() and await calculated_offers(case.id, product_line).exists():
        errors["reason"] = _("Please say why you want more offers.")
    if await running_tenders(case.id, product_line).exists():
        errors["form"] = _running()
    if uploads:
        try:
            values = {"title": _document_title("A-00000", uploads), "folder": "insurance"}
            accepted(uploads, values, settings.max_upload_bytes)
        except ValidationFailed as refused:
            errors |= {"file": next(iter(refused.errors.values()))}
    if errors or typed is None or backoffice is None:
        raise ValidationFailed(errors)
    clean = {
        "product_line": product_line,
        "answers": typed,
        "free_text": free_text.strip(),
        "reason": reason.strip(),
        "shared": [field for field in SHAREABLE if field in shared],
    }
    return clean, backoffice


def _text_errors(**texts: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name, text in texts.items():
        limit = FREE_TEXT_MAX if name == "free_text" else REASON_MAX
        if len(text) > limit:
            errors[name] = _("Please enter at most %(n)s characters.", n=limit)
        elif "\x00" in text:
            errors[name] = _("Invalid input.")
    return errors


def _document_title(number: str, uploads: list[Upload]) -> str:
    """One file is called after the tender; several each after its file's name."""
    return _("Tender %(number)s", number=number) if len(uploads) == 1 else ""


async def _create(
    ctx: Context,
    actor: CurrentUser,
    case: AdviceCase,
    backoffice: Backoffice,
    clean: dict[str, Any],
    uploads: list[Upload],
    stored: list[str],
) -> Tender:
    """The tender row, its documents on the case, then its snapshot and hash."""
    now = datetime.now(UTC)
    line = clean["product_line"]
    tender = await Tender.create(
        case_id=case.id,
        product_line=line,
        backoffice_id=backoffice.id,
        reason=clean["reason"],
        snapshot={},
        snapshot_hash="",
        due_at=due_after(now, service_days(backoffice, line)),
        started_by_id=actor.id,
    )
    documents = []
    if uploads:
        documents = await document_store.add_case_files(
            actor,
            ctx.store,
            contact_id=case.contact_id,
            case_id=case.id,
            uploads=uploads,
            title=_document_title(tender.number, uploads),
            max_bytes=ctx.settings.max_upload_bytes,
        )
        stored += [document.storage_key for document in documents]
    snapshot = await _snapshot(actor, case, clean, documents, now)
    digest = snapshot_hash(snapshot)
    await Tender.filter(id=tender.id).update(snapshot=snapshot, snapshot_hash=digest)
    tender.snapshot, tender.snapshot_hash = snapshot, digest
    await cases.touch(case.id)
    return tender


async def _snapshot(
    actor: CurrentUser,
    case: AdviceCase,
    clean: dict[str, Any],
    documents: list[Any],
    now: datetime,
) -> dict[str, Any]:
    line = clean["product_line"]
    risks = await CaseRisk.filter(case_id=case.id, product_line=line).order_by("id")
    return {
        "customer": customer_data(await Contact.get(id=case.contact_id), clean["shared"]),
        "case_title": case.title,
        "product_line": line,
        "risks": [
            {
                "id": risk.id,
                "label": risk.label,
                "attributes": dict(risk.attributes),
                "shown": [list(pair) for pair in shown_attributes(line, risk.attributes)],
            }
            for risk in risks
        ],
        "answers": clean["answers"],
        "free_text": clean["free_text"],
        "reason": clean["reason"],
        "documents": [
            {
                "id": document.id,
                "filename": document.filename,
                "sha256": document.sha256,
                "size": document.size,
            }
            for document in documents
        ],
        "started_at": now.isoformat(),
        "started_by": actor.full_name,
    }


def customer_data(contact: Contact, shared: Collection[str]) -> dict[str, Any]:
    """What the backoffice learns of the customer: the name (and firm), and what was shared."""
    data: dict[str, Any] = {"name": contact.full_name}
    if contact.company_name:
        data["company"] = contact.company_display
    if "birthdate" in shared:
        data["birthdate"] = contact.birthdate.isoformat()
    if "address" in shared:
        address = {
            "street": contact.street,
            "postal_code": contact.postal_code,
            "city": contact.city,
            "country": contact.country,
        }
        data |= {key: value for key, value in address.items() if value}
    if "phone" in shared and contact.phone:
        data["phone"] = contact.phone
    if "email" in shared and contact.email:
        data["email"] = contact.email
    return data


async def _announce(
    settings: Settings,
    actor: CurrentUser,
    case: AdviceCase,
    tender: Tender,
    backoffice: Backoffice,
) -> None:
    """The event (told to nobody: the starter knows), the confirmation to the starter, and
    the notice to the backoffice."""
    await events.record(
        actor,
        events.TENDER_STARTED,
        contact_id=case.contact_id,
        object_type=OBJECT_TYPE,
        object_id=tender.id,
        title=tender.number,
        tell=events.NOBODY,
    )
    line = PRODUCT_LINE_DEFINITIONS[tender.product_line].label  # a msgid: the mail translates
    if actor.email:
        await notify(
            settings,
            to=actor.email,
            language=actor.language,
            template=CONFIRMATION_MAIL,
            context={
                "name": actor.first_name,
                "number": tender.number,
                "line": line,
                "customer": tender.snapshot["customer"]["name"],  # type: ignore[index]
                "backoffice": backoffice.name,
                "hash": tender.snapshot_hash,
                "due_at": tender.due_at,
            },
            links={"link": f"/staff/tenders/{tender.id}"},
            contact_id=case.contact_id,
            user_id=actor.id,
        )
    if backoffice.email:
        await tell_backoffice(settings, tender, backoffice)


async def tell_backoffice(
    settings: Settings, tender: Tender, backoffice: Backoffice, template: str = BACKOFFICE_MAIL
) -> None:
    """No personal data: the number, the broker's firm and where to look on the platform.
    Rendered as for staff (formal, without the firm's signature to its customers)."""
    tenant = current_tenant()
    link = f"{public_url(settings, settings.platform_hostname)}/backoffice/tenders/{tender.id}"
    mail = render_email(
        template,
        {"number": tender.number, "firm": tenant.name, "link": link},
        tenant=tenant,
        base_url=public_base_url(settings, tenant),
        locale="de",
        for_staff=True,
    )
    await enqueue(mail, to=backoffice.email, tenant_id=tenant.id, kind=template)
