"""A tenant engages backoffices (Einstellungen → Backoffices) and ends an engagement.

Engaging lets the backoffice's people see the tenders the tenant hands to it, and only those
(services/tender_access.py); ending takes that away at once, since every access asks for an
engagement without `ended_at`. One row per tenant and backoffice: engaging again re-opens it.
Both are written to the tenant's audit trail.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, PermissionDenied
from tenant_app.models.folders import AuditEntry
from tenant_app.models.tenders import Backoffice, BackofficeEngagement, Tender
from tenant_app.permissions import can_manage_settings
from tenant_app.vocabulary import CLOSED_TENDER_STATUSES

ENGAGED = "engagement_started"  # audit actions (subject: the backoffice)
ENDED = "engagement_ended"


@dataclass(frozen=True)
class BackofficeChoice:
    """A backoffice as the settings page lists it, with this tenant's engagement."""

    id: int
    name: str
    legal_form: str
    email: str
    service_days: dict[str, int]
    engaged_since: datetime | None  # None: not engaged now
    open_tenders: int  # this tenant's tenders it works on (what ending takes from it)

    @property
    def engaged(self) -> bool:
        return self.engaged_since is not None


def _check(actor: CurrentUser) -> None:
    if not can_manage_settings(actor):
        raise PermissionDenied


async def choices(actor: CurrentUser) -> list[BackofficeChoice]:
    """The active backoffices, and any other this tenant still engages (to end it)."""
    _check(actor)
    engagements = {
        row.backoffice_id: row.started_at
        for row in await BackofficeEngagement.filter(ended_at=None)
    }
    backoffices = await Backoffice.all().order_by("name", "id")
    open_tenders = Counter(
        int(str(backoffice_id))
        for backoffice_id in await Tender.filter(backoffice_id__in=list(engagements) or [0])
        .exclude(status__in=CLOSED_TENDER_STATUSES)
        .values_list("backoffice_id", flat=True)
    )
    return [
        BackofficeChoice(
            id=row.id,
            name=row.name,
            legal_form=row.legal_form,
            email=row.email,
            service_days=dict(row.service_days),
            engaged_since=engagements.get(row.id),
            open_tenders=open_tenders[row.id],
        )
        for row in backoffices
        if row.is_active or row.id in engagements
    ]


async def engage(actor: CurrentUser, backoffice_id: int) -> None:
    """Engage an active backoffice (again); nothing changes if it is engaged already."""
    _check(actor)
    backoffice = await Backoffice.get_or_none(id=backoffice_id, is_active=True)
    if backoffice is None:
        raise NotFound
    now = datetime.now(UTC)
    async with in_transaction():
        row = await BackofficeEngagement.filter(backoffice_id=backoffice.id).first()
        if row is not None and row.ended_at is None:
            return
        if row is None:
            await BackofficeEngagement.create(
                backoffice_id=backoffice.id, started_by_id=actor.id, started_at=now
            )
        else:
            await BackofficeEngagement.filter(id=row.id).update(
                started_at=now, ended_at=None, started_by_id=actor.id
            )
        await _audit(actor, ENGAGED, backoffice)


async def end(actor: CurrentUser, backoffice_id: int) -> None:
    """End the engagement: from now on its people reach none of this tenant's tenders."""
    _check(actor)
    backoffice = await Backoffice.get_or_none(id=backoffice_id)
    if backoffice is None:
        raise NotFound
    async with in_transaction():
        ended = await BackofficeEngagement.filter(
            backoffice_id=backoffice.id, ended_at=None
        ).update(ended_at=datetime.now(UTC))
        if ended:
            await _audit(actor, ENDED, backoffice)


async def _audit(actor: CurrentUser, action: str, backoffice: Backoffice) -> None:
    details = f"{backoffice.name}: {actor.full_name}"[:300]
    await AuditEntry.create(
        action=action, actor_id=actor.id, subject_id=backoffice.id, details=details
    )
