"""The risks of an advice case (a car, a building, a person), with the typed attributes their
product line defines (schemas/product_lines.py). Changed by whoever may change the case,
while it is open; each change is one of the case's (`case_edited`, naming the risk).

A case's risks are part of it: every risk change moves the case's version on (its ETag in the
API covers its risks), and the API changes a risk only at the case version it read."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import EditConflict, NotFound, ValidationFailed
from tenant_app.models.cases import AdviceCase, CaseRisk
from tenant_app.schemas.base import checked
from tenant_app.schemas.cases import RiskInput
from tenant_app.schemas.risk_values import check_attributes, form_values
from tenant_app.services import cases, events
from tenant_app.services.versions import MAX_VERSION
from tenant_app.text.i18n import gettext as _

ATTRIBUTE_PREFIX = "attributes."  # an attribute's error key: "attributes.year_built"


async def risk_for(case: AdviceCase, risk_id: int) -> CaseRisk:
    """One of the case's risks (the caller checked the case; NotFound for another's)."""
    risk = await CaseRisk.get_or_none(id=risk_id, case_id=case.id)
    if risk is None:
        raise NotFound
    return risk


async def risks_of(case_ids: list[int]) -> dict[int, list[CaseRisk]]:
    """The risks of these cases, by case, in the order they were added (one query)."""
    found: dict[int, list[CaseRisk]] = {case_id: [] for case_id in case_ids}
    if case_ids:
        for risk in await CaseRisk.filter(case_id__in=case_ids).order_by("id"):
            found[risk.case_id].append(risk)
    return found


def _clean(
    case: AdviceCase, values: Mapping[str, Any], attributes: Mapping[str, Any], *, line: str = ""
) -> dict[str, Any]:
    """The risk's columns, or ValidationFailed: its own fields by name, the attributes as
    `attributes.<key>`. `line`: a risk's product line stays what it was made with."""
    found, errors = checked(
        RiskInput, {**values, "product_line": line or values.get("product_line", "")}
    )
    if found is not None and found.product_line not in case.product_lines:
        errors["product_line"] = _("Please choose one of the case's product lines.")
    product_line = found.product_line if found is not None else ""
    stored: dict[str, Any] | None = None
    if product_line in case.product_lines:
        stored, attribute_errors = check_attributes(product_line, attributes)
        errors |= {ATTRIBUTE_PREFIX + key: message for key, message in attribute_errors.items()}
    if errors or found is None or stored is None:
        raise ValidationFailed(errors)
    return {"product_line": product_line, "label": found.label, "attributes": stored}


async def add_risk(
    actor: CurrentUser,
    case: AdviceCase,
    *,
    values: Mapping[str, Any],
    attributes: Mapping[str, Any],
) -> CaseRisk:
    """A new risk of one of the case's product lines (the case loaded for editing)."""
    cases.ensure_open(case)
    clean = _clean(case, values, attributes)
    async with in_transaction():
        await _move_on(case, None)
        risk = await CaseRisk.create(case_id=case.id, **clean)
        await _record(actor, case, ["", risk.label])
    return risk


async def update_risk(
    actor: CurrentUser,
    case: AdviceCase,
    risk: CaseRisk,
    *,
    values: Mapping[str, Any],
    attributes: Mapping[str, Any],
    version: int | None = None,
) -> CaseRisk:
    """The risk's label and attributes as sent (all of them: one not sent is emptied); with
    `version`, only if the case is still at it (EditConflict)."""
    cases.ensure_open(case)
    clean = _clean(case, values, attributes, line=risk.product_line)
    unchanged = (clean["label"], clean["attributes"]) == (risk.label, risk.attributes)
    async with in_transaction():
        await _move_on(case, version, keep=unchanged)
        if unchanged:
            return risk
        await CaseRisk.filter(id=risk.id).update(
            label=clean["label"], attributes=clean["attributes"]
        )
        await _record(actor, case, [risk.label, clean["label"]])
    return await CaseRisk.get(id=risk.id)


async def remove_risk(
    actor: CurrentUser, case: AdviceCase, risk: CaseRisk, *, version: int | None = None
) -> None:
    cases.ensure_open(case)
    async with in_transaction():
        await _move_on(case, version)
        await CaseRisk.filter(id=risk.id).delete()
        await _record(actor, case, [risk.label, ""])


async def _move_on(case: AdviceCase, version: int | None, *, keep: bool = False) -> None:
    """The case's version moves on with its risks (it stays with `keep`: nothing changes);
    with `version`, only from that one (else EditConflict, and nothing is written). It
    moves up the lists too, and into the next incremental sync."""
    rows = AdviceCase.filter(id=case.id)
    if version is not None:
        rows = rows.filter(version=version) if 0 < version <= MAX_VERSION else rows.filter(id=0)
    if keep:
        if await rows.exists():
            return
    elif await rows.update(version=F("version") + 1, updated_at=datetime.now(UTC)):
        return
    current = await AdviceCase.get_or_none(id=case.id)
    if current is None:
        raise NotFound
    raise EditConflict({}, version=current.version)


async def _record(actor: CurrentUser, case: AdviceCase, labels: list[str]) -> None:
    """An edit of the case, naming the risk (its label before and after)."""
    await cases.record(actor, events.CASE_EDITED, case, changes={"risk": labels})


def form_attributes(product_line: str, attributes: Mapping[str, Any]) -> dict[str, str]:
    """A risk's stored attributes as its edit form shows them, by field name."""
    return {
        ATTRIBUTE_PREFIX + key: text for key, text in form_values(product_line, attributes).items()
    }
