"""Advice cases (Vorgänge): one advice for one contact, opened, changed and closed by staff.

A case is seen by the staff who see its contact and changed by those who may write in the
insurance folder (`permissions.can_edit_cases`); customers never see one (its notes are
internal). A completed or called-off case stays readable and changes only once reopened.
Risks: services/case_risks.py; the pages' reads: services/case_pages.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import EditConflict, NotFound, PermissionDenied, ValidationFailed
from tenant_app.files.storage import Storage
from tenant_app.models.accounts import User
from tenant_app.models.cases import AdviceCase
from tenant_app.models.contacts import Contact, ContactResponsible
from tenant_app.models.folders import Contract, Document
from tenant_app.permissions import (
    can_edit_cases,
    can_see_all_contacts,
    is_staff,
    staff_may_read_folder,
)
from tenant_app.schemas.base import checked
from tenant_app.schemas.cases import CaseInput, CaseStatusInput
from tenant_app.schemas.product_lines import line_label
from tenant_app.services import contacts, documents, events
from tenant_app.services.contacts import of_visible_contacts
from tenant_app.services.upload_checks import Upload
from tenant_app.services.versions import conflict_errors, save_if_unchanged
from tenant_app.text.i18n import gettext as _
from tenant_app.text.labels import CASE_STATUSES as STATUS_LABELS
from tenant_app.text.labels import N_
from tenant_app.vocabulary import CLOSED_CASE_STATUSES

CASE_FOLDER = "insurance"  # where a case's documents are filed (hidden from the customer)
# The case form's fields by column, as the form labels them (conflicts and the history).
FIELD_LABELS = {
    "title": N_("Title"),
    "product_lines": N_("Product lines"),
    "description": N_("Need (free text)"),
    "notes": N_("Internal notes"),
    "responsible_id": N_("Responsible"),
    "external_id": N_("Number in the broker's system"),
    "status": N_("Status"),
    "chosen_contract": N_("Chosen contract"),
    "risk": N_("Risk"),
}
FORM_NAMES = {"responsible_id": "responsible"}
CHANGE_TEXT_MAX = 200  # characters of a long text kept in the history


class CaseClosed(ValidationFailed):
    """A completed or called-off case is changed only after reopening it."""

    status_code = 409

    def __init__(self) -> None:
        super().__init__({"form": _("This advice case is closed. Reopen it first to change it.")})


def visible_cases(actor: CurrentUser) -> QuerySet[AdviceCase]:
    """The cases on the contacts the actor sees: all, or those they are responsible for."""
    if not is_staff(actor):
        raise NotFound  # customers never see a case
    return of_visible_contacts(actor, AdviceCase.all())


async def case_for(actor: CurrentUser, case_id: int, *, edit: bool = False) -> AdviceCase:
    """The case with its contact, responsible, creator and chosen contract, if the actor sees
    its contact (else NotFound); with `edit`, PermissionDenied unless they may change it."""
    case = (
        await visible_cases(actor)
        .filter(id=case_id)
        .select_related("contact", "responsible", "created_by", "chosen_contract")
        .first()
    )
    if case is None:
        raise NotFound
    if edit and not can_edit_cases(actor):
        raise PermissionDenied
    return case


def is_closed(case: AdviceCase) -> bool:
    return case.status in CLOSED_CASE_STATUSES


def ensure_open(case: AdviceCase) -> None:
    if is_closed(case):
        raise CaseClosed


async def ensure_may_open(actor: CurrentUser, *, contact_id: int) -> Contact:
    """The contact to open a case for: NotFound if the actor does not see it,
    PermissionDenied without the right."""
    contact = await contacts.get_visible_contact(actor, contact_id)
    if not can_edit_cases(actor):
        raise PermissionDenied
    return contact


async def staff_sees_contact(user_id: int, contact_id: int) -> bool:
    """An active staff member who sees the contact (all contacts, or responsible for it)."""
    user = await User.get_or_none(id=user_id, kind="staff", is_active=True)
    if user is None:
        return False
    if can_see_all_contacts(user):
        return True
    return await ContactResponsible.filter(contact_id=contact_id, user_id=user_id).exists()


async def clean_case(
    values: Mapping[str, Any], *, contact_id: int, except_case: int | None = None
) -> dict[str, Any]:
    """The case's columns from a form or the API, or ValidationFailed by field."""
    found, errors = checked(CaseInput, values)
    if found is not None:
        if found.responsible is not None and not await staff_sees_contact(
            found.responsible, contact_id
        ):
            errors["responsible"] = _("Please choose a staff member who sees this contact.")
        if found.external_id is not None:
            taken = AdviceCase.filter(external_id=found.external_id)
            if except_case is not None:
                taken = taken.exclude(id=except_case)
            if await taken.exists():
                errors["external_id"] = _("Another advice case already has this number.")
    if errors or found is None:
        raise ValidationFailed(errors)
    clean = found.model_dump(exclude={"responsible"})
    return clean | {"responsible_id": found.responsible}


def _taken() -> ValidationFailed:
    return ValidationFailed({"external_id": _("Another advice case already has this number.")})


async def open_case(
    actor: CurrentUser, *, contact_id: int, values: Mapping[str, Any]
) -> AdviceCase:
    """A new case for a contact the actor sees, in status "open"."""
    await ensure_may_open(actor, contact_id=contact_id)
    clean = await clean_case(values, contact_id=contact_id)
    try:
        async with in_transaction():
            case = await AdviceCase.create(
                contact_id=contact_id, created_by_id=actor.id, status="open", **clean
            )
            await record(actor, events.CASE_OPENED, case)
    except IntegrityError as error:  # the number was taken between the check and the insert
        raise _taken() from error
    return case


async def record(
    actor: CurrentUser,
    kind: str,
    case: AdviceCase,
    *,
    changes: Mapping[str, list[Any]] | None = None,
) -> None:
    """In the caller's transaction. Told to the case's responsible staff member (when that is
    not the actor, `events.record` leaves the actor out), else to nobody: the customer never."""
    responsible = case.responsible_id
    await events.record(
        actor,
        kind,
        contact_id=case.contact_id,
        object_type="case",
        object_id=case.id,
        title=case.title,
        changes=changes,
        tell=[responsible] if responsible is not None else events.NOBODY,
    )


async def names_of(user_ids: Iterable[int | None]) -> dict[int, str]:
    """Logins' full names by id (None ids left out)."""
    wanted = [user_id for user_id in user_ids if user_id is not None]
    users = await User.filter(id__in=wanted) if wanted else []
    return {user.id: user.full_name for user in users}


def _shown(column: str, value: Any, names: Mapping[int, str]) -> Any:
    """A column's value as a conflict and the history name it."""
    if column == "product_lines":
        return ", ".join(line_label(key) for key in value or [])
    if column == "responsible_id":
        return names.get(value, "") if value is not None else ""
    return value


async def update_case(
    actor: CurrentUser, case: AdviceCase, *, values: Mapping[str, Any], version: int | None
) -> AdviceCase:
    """Save the case form if nobody saved the case since it was loaded at `version`
    (EditConflict naming what is stored now); a closed case only once reopened."""
    ensure_open(case)
    clean = await clean_case(values, contact_id=case.contact_id, except_case=case.id)
    try:
        async with in_transaction():
            try:
                await save_if_unchanged(
                    AdviceCase, where={"id": case.id}, version=version, changes=clean, labels={}
                )
            except EditConflict as conflict:
                raise await _conflict(case.id, clean, conflict) from None
            after = await AdviceCase.get(id=case.id)
            changes = await _changes(case, after, list(clean))
            if changes:  # saving an unchanged form tells nobody anything
                await record(actor, events.CASE_EDITED, after, changes=changes)
    except IntegrityError as error:  # the number was taken between the check and the save
        raise _taken() from error
    return after


async def _conflict(case_id: int, clean: dict[str, Any], conflict: EditConflict) -> EditConflict:
    """The conflict with what is stored now, shown as the form shows it."""
    current = await AdviceCase.get(id=case_id)
    names = await names_of({current.responsible_id, clean.get("responsible_id")})
    stored = {column: _shown(column, getattr(current, column), names) for column in clean}
    wanted = {column: _shown(column, value, names) for column, value in clean.items()}
    labels = {column: _(FIELD_LABELS[column]) for column in clean}
    errors = conflict_errors(SimpleNamespace(**stored), wanted, labels, FORM_NAMES)
    return EditConflict(errors, version=conflict.version)


async def _changes(
    before: AdviceCase, after: AdviceCase, columns: list[str]
) -> dict[str, list[Any]]:
    names = await names_of({before.responsible_id, after.responsible_id})
    found = events.changes_between(
        {column: _kept(column, getattr(before, column), names) for column in columns},
        {column: _kept(column, getattr(after, column), names) for column in columns},
        columns,
    )
    return {
        ("responsible" if column == "responsible_id" else column): pair
        for column, pair in found.items()
    }


def _kept(column: str, value: Any, names: Mapping[int, str]) -> Any:
    """What the history keeps of a value: keys of product lines, a name, long text cut."""
    if column == "responsible_id":
        return names.get(value, "") if value is not None else ""
    if isinstance(value, str) and len(value) > CHANGE_TEXT_MAX:
        return value[: CHANGE_TEXT_MAX - 1] + "…"
    return value


async def set_status(actor: CurrentUser, case: AdviceCase, *, status: str) -> AdviceCase:
    """Move the case on; completing it dates it, reopening a closed one undates it."""
    found, errors = checked(CaseStatusInput, {"status": status})
    if found is None:
        raise ValidationFailed(errors)
    async with in_transaction():
        current = await AdviceCase.get(id=case.id)
        if current.status == found.status:
            return current
        completed_at = datetime.now(UTC) if found.status == "completed" else None
        await AdviceCase.filter(id=case.id).update(
            status=found.status, completed_at=completed_at, version=F("version") + 1
        )
        after = await AdviceCase.get(id=case.id)
        closing = found.status in CLOSED_CASE_STATUSES
        kind = events.CASE_CLOSED if closing else events.CASE_EDITED
        await record(actor, kind, after, changes={"status": [current.status, found.status]})
    return after


def status_label(status: str) -> str:
    return STATUS_LABELS[status]


async def choose_contract(
    actor: CurrentUser, case: AdviceCase, *, contract_id: int | None
) -> AdviceCase:
    """The contract the advice led to (an offer, later the policy): one of the contact's,
    not deleted, in a folder the actor may read; None takes the choice back."""
    if contract_id == case.chosen_contract_id:
        return case
    ensure_open(case)
    contract = None
    if contract_id is not None:
        contract = await Contract.get_or_none(
            id=contract_id, contact_id=case.contact_id, deleted_at=None
        )
        if contract is None or not staff_may_read_folder(actor, contract.folder):
            raise ValidationFailed({"contract_id": _("Please choose one of the contracts.")})
    old = (
        await Contract.get_or_none(id=case.chosen_contract_id) if case.chosen_contract_id else None
    )
    async with in_transaction():
        await AdviceCase.filter(id=case.id).update(
            chosen_contract_id=contract_id, version=F("version") + 1
        )
        after = await AdviceCase.get(id=case.id)
        change = [contract_title(old), contract_title(contract)]
        await record(actor, events.CASE_EDITED, after, changes={"chosen_contract": change})
    return after


def contract_title(contract: Contract | None) -> str:
    """What a case calls its contract: "Kfz · HUK-COBURG · KFZ-1" ("" for none)."""
    if contract is None:
        return ""
    parts = (contract.product_line, contract.insurer_name, contract.insurance_number)
    return " · ".join(part for part in parts if part)


async def add_case_documents(
    actor: CurrentUser,
    store: Storage,
    case: AdviceCase,
    *,
    uploads: list[Upload],
    values: dict[str, str],
    max_bytes: int,
) -> list[Document]:
    """Documents filed on the case: they belong to its contact, sit in the insurance folder
    (where the contract it leads to will be) and stay hidden from the customer until staff
    share one there. All or none, as every upload."""
    ensure_open(case)
    if not can_edit_cases(actor):
        raise PermissionDenied
    added = await documents.add_documents(
        actor,
        store,
        contact_id=case.contact_id,
        uploads=uploads,
        values={**values, "folder": CASE_FOLDER},
        max_bytes=max_bytes,
        folder=CASE_FOLDER,
        shared=False,
        case_id=case.id,
    )
    await touch(case.id)
    return added


async def touch(case_id: int) -> None:
    """The case changed through one of its parts (a risk, a document): it moves up the list
    and into the next incremental sync (its version stays: the case form is still current)."""
    await AdviceCase.filter(id=case_id).update(updated_at=datetime.now(UTC))
