"""Advice cases as the broker's system keeps them in step (the JSON API): pages, external
ids, partial changes and upserts guarded by the version, risks at the case's version. The
checks and writes are the staff's use cases (services/cases.py, case_risks.py), so a case
written through the API is one the staff forms would have written, with the same events."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import EditConflict, ValidationFailed
from tenant_app.models.cases import AdviceCase
from tenant_app.services import case_risks, cases
from tenant_app.services.contact_sync import contact_named
from tenant_app.services.versions import MAX_VERSION
from tenant_app.text.i18n import gettext as _
from tenant_app.text.labels import N_
from tenant_app.vocabulary import CLOSED_CASE_STATUSES

STAYS_WITH_CONTACT = N_("An advice case stays with its contact.")
FIELDS = ("title", "product_lines", "description", "notes", "responsible_id", "external_id")
_API_NAMES = {"responsible": "responsible_id"}  # the form's names the API calls otherwise


async def case_page(
    actor: CurrentUser,
    *,
    after_id: int,
    limit: int,
    updated_since: datetime | None = None,
    contact_id: int | None = None,
    external_id: str | None = None,
    status: str | None = None,
    responsible_id: int | None = None,
) -> list[AdviceCase]:
    """Up to `limit + 1` cases after `after_id` in id order, of the contacts the actor sees
    (one query; their risks: `case_risks.risks_of`, one more)."""
    rows = cases.visible_cases(actor).filter(id__gt=after_id)
    if updated_since is not None:
        rows = rows.filter(updated_at__gte=updated_since)
    filters = {
        "contact_id": contact_id,
        "external_id": external_id,
        "status": status,
        "responsible_id": responsible_id,
    }
    rows = rows.filter(**{name: value for name, value in filters.items() if value is not None})
    return list(await rows.order_by("id").limit(limit + 1))


async def case_by_external_id(actor: CurrentUser, external_id: str) -> AdviceCase | None:
    """The case with this external id, None if none has it (NotFound if not visible)."""
    found = await AdviceCase.filter(external_id=external_id).first()
    return None if found is None else await cases.case_for(actor, found.id, edit=True)


def _form(case: AdviceCase | None, changes: Mapping[str, Any]) -> dict[str, Any]:
    """The case form's values: the stored ones (if any) with the sent ones over them."""
    stored = {name: getattr(case, name) for name in FIELDS} if case else {}
    merged = {**stored, **{name: changes[name] for name in FIELDS if name in changes}}
    responsible = merged.pop("responsible_id", None)
    return merged | {"responsible": "" if responsible is None else str(responsible)}


def _api_errors(invalid: ValidationFailed) -> ValidationFailed:
    """The same refusal with the fields as the API names them."""
    errors = {_API_NAMES.get(name, name): text for name, text in invalid.errors.items()}
    if isinstance(invalid, EditConflict):
        return EditConflict(errors, version=invalid.version)
    return ValidationFailed(errors)


async def add_case(
    actor: CurrentUser,
    *,
    contact_id: int | None,
    contact_external_id: str | None,
    values: Mapping[str, Any],
) -> AdviceCase:
    """A new case for the contact, in the status sent (it is opened, then moved on)."""
    contact = await contact_named(actor, contact_id, contact_external_id)
    try:
        async with in_transaction():
            case = await cases.open_case(actor, contact_id=contact, values=_form(None, values))
            return await _finish(actor, case, values)
    except ValidationFailed as invalid:
        raise _api_errors(invalid) from None


async def change_case(
    actor: CurrentUser, case_id: int, *, version: int, changes: Mapping[str, Any]
) -> AdviceCase:
    """Change the fields in `changes` (the others stay) if the case is still at `version`
    (else EditConflict): reopen first if asked to, then the form's fields, the chosen
    contract, the status; all or nothing."""
    case = await cases.case_for(actor, case_id, edit=True)
    try:
        async with in_transaction():
            await _hold(case, version)
            status = changes.get("status")
            if status is not None and status not in CLOSED_CASE_STATUSES and cases.is_closed(case):
                case = await cases.set_status(actor, case, status=status)
            if _differs(case, changes):  # a closed case sent again unchanged is fine
                values = _form(case, changes)
                case = await cases.update_case(actor, case, values=values, version=case.version)
            return await _finish(actor, case, changes)
    except ValidationFailed as invalid:
        raise _api_errors(invalid) from None


def _differs(case: AdviceCase, changes: Mapping[str, Any]) -> bool:
    """Whether the sent fields differ from the stored ones (as the form would clean them)."""
    for name in FIELDS:
        if name not in changes:
            continue
        sent, stored = changes[name], getattr(case, name)
        if name == "product_lines":
            sent, stored = set(sent or ()), set(stored or ())
        elif isinstance(sent, str):
            sent = sent.strip()
        if sent != stored:
            return True
    return False


async def _finish(actor: CurrentUser, case: AdviceCase, changes: Mapping[str, Any]) -> AdviceCase:
    """The chosen contract and the status of a create or change, in that order."""
    if "chosen_contract_id" in changes:
        contract_id = changes["chosen_contract_id"]
        try:
            case = await cases.choose_contract(actor, case, contract_id=contract_id)
        except ValidationFailed as invalid:
            if "contract_id" not in invalid.errors:
                raise
            raise ValidationFailed({"chosen_contract_id": invalid.errors["contract_id"]}) from None
    status = changes.get("status")
    if status is not None and status != case.status:
        case = await cases.set_status(actor, case, status=status)
    return await AdviceCase.get(id=case.id)


async def _hold(case: AdviceCase, version: int) -> None:
    """Go on only if the case is at `version` (EditConflict otherwise). Within the caller's
    transaction the row stays held (PostgreSQL locks it; SQLite writes one at a time)."""
    fresh = AdviceCase.filter(id=case.id, version=version) if 0 < version <= MAX_VERSION else None
    if fresh is not None and await fresh.update(version=version):
        return
    current = await AdviceCase.get(id=case.id)
    raise EditConflict({}, version=current.version)


async def replace_case(
    actor: CurrentUser,
    case: AdviceCase,
    *,
    version: int,
    contact_id: int | None,
    contact_external_id: str | None,
    values: Mapping[str, Any],
) -> AdviceCase:
    """An upsert of an existing case: every field as sent (an omitted one is empty or its
    default). Its contact stays: naming another is refused."""
    if await contact_named(actor, contact_id, contact_external_id) != case.contact_id:
        field = "contact_id" if contact_id is not None else "contact_external_id"
        raise ValidationFailed({field: _(STAYS_WITH_CONTACT)})
    return await change_case(actor, case.id, version=version, changes=values)


async def risk_of(actor: CurrentUser, case_id: int, risk_id: int, *, edit: bool = False) -> Any:
    """The case (as `cases.case_for`) and one of its risks."""
    case = await cases.case_for(actor, case_id, edit=edit)
    return case, await case_risks.risk_for(case, risk_id)
