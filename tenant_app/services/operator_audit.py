"""The audit of operator actions: every change an operator makes to a tenant (and, later,
each support answer) leaves a row naming who, what, which firm and when, written in the
same transaction as the change. Names are copied, so the audit outlives a deleted firm.

Other use cases (support answers) call `record(actor, action, ...)` with an action of
ACTIONS, or a new one added there with its label.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound
from tenant_app.models.operations import OperatorAction
from tenant_app.permissions import is_operator
from tenant_app.text.labels import N_

PAGE_SIZE = 50
MAX_PAGE = 10_000  # an offset further than this is a mistyped address, not a real page
# action -> its label (a msgid the page translates)
ACTIONS = {
    "tenant_created": N_("Tenant created"),
    "tenant_suspended": N_("Tenant suspended"),
    "tenant_reactivated": N_("Tenant reactivated"),
    "tenant_deleted": N_("Tenant deleted"),
    "support_answered": N_("Support request answered"),
}


@dataclass(frozen=True)
class AuditRow:
    id: int
    created_at: datetime
    operator_name: str
    action: str
    label: str  # msgid
    tenant_id: int | None  # None once the tenant is deleted
    tenant_name: str
    detail: str


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    page: int
    has_next: bool


def check_operator(actor: CurrentUser) -> None:
    """The operator's use cases are not there for anyone else (NotFound, as the pages)."""
    if not is_operator(actor):
        raise NotFound


async def record(
    actor: CurrentUser,
    action: str,
    *,
    tenant_id: int | None,
    tenant_name: str,
    detail: str = "",
) -> OperatorAction:
    """One line of the audit; call it inside the transaction of the change it records."""
    check_operator(actor)
    if action not in ACTIONS:
        raise ValueError(f"unknown operator action {action!r}")
    return await OperatorAction.create(
        operator_id=actor.id,
        operator_name=actor.full_name or actor.username,
        action=action,
        tenant_id=tenant_id,
        tenant_name=tenant_name[:200],
        detail=detail,
    )


async def audit_page(actor: CurrentUser, *, page: int = 1) -> AuditPage:
    """The operators' actions, newest first, PAGE_SIZE a page."""
    check_operator(actor)
    page = max(1, min(page, MAX_PAGE))
    found = (
        await OperatorAction.all()
        .order_by("-created_at", "-id")
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    )
    rows = [
        AuditRow(
            id=row.id,
            created_at=row.created_at,
            operator_name=row.operator_name,
            action=row.action,
            label=ACTIONS.get(row.action, row.action),
            tenant_id=row.tenant_id,
            tenant_name=row.tenant_name,
            detail=row.detail,
        )
        for row in found[:PAGE_SIZE]
    ]
    return AuditPage(rows=rows, page=page, has_next=len(found) > PAGE_SIZE)
