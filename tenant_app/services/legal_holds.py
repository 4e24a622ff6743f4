"""Legal holds: a contact (all that is theirs) or one document that nothing may delete while
the hold is not released — a lawsuit, an authority's inquiry, a dispute with an insurer.

Every deletion path asks `refuse_if_held` first: documents, contracts, the erasure of a
contact (which restricts instead), the API and the deletion scheduler (which skips).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.expressions import Q

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, PermissionDenied, ValidationFailed
from tenant_app.models.folders import AuditEntry, Document
from tenant_app.models.legal import LegalHold
from tenant_app.permissions import can_manage_contacts, staff_may_read_folder
from tenant_app.text.i18n import gettext as _
from tenant_app.text.labels import N_

HELD = N_("A legal hold stops every deletion here until it is released.")
REASON_MAX = 1000  # characters


class OnHold(ValidationFailed):
    """A deletion was refused: a legal hold stops it."""

    def __init__(self) -> None:
        super().__init__({"form": _(HELD)})


def _active() -> Q:
    return Q(released_at__isnull=True)


async def held_contact_ids(contact_ids: Iterable[int]) -> set[int]:
    """Of these contacts, those under a hold of the whole contact."""
    ids = list(contact_ids)
    if not ids:
        return set()
    rows = await LegalHold.filter(
        _active(), contact_id__in=ids, document_id__isnull=True
    ).values_list("contact_id", flat=True)
    return {int(str(row)) for row in rows}


async def held_document_ids(contact_ids: Iterable[int]) -> set[int]:
    """Documents of these contacts held one by one (a contact's hold holds them all too)."""
    ids = list(contact_ids)
    if not ids:
        return set()
    rows = await LegalHold.filter(
        _active(), contact_id__in=ids, document_id__isnull=False
    ).values_list("document_id", flat=True)
    return {int(str(row)) for row in rows}


async def is_held(*, contact_id: int, document_ids: Iterable[int] = ()) -> bool:
    """Whether the contact, or one of these of its documents, is under a hold."""
    wanted = list(document_ids)
    condition = Q(document_id__isnull=True)
    if wanted:
        condition |= Q(document_id__in=wanted)
    return await LegalHold.filter(_active(), condition, contact_id=contact_id).exists()


async def refuse_if_held(*, contact_id: int, document_ids: Iterable[int] = ()) -> None:
    """OnHold (a ValidationFailed on "form") if the deletion would touch held data."""
    if await is_held(contact_id=contact_id, document_ids=document_ids):
        raise OnHold


@dataclass(frozen=True)
class HoldRow:
    id: int
    document_id: int | None
    document_title: str
    reason: str
    set_by_name: str
    created_at: datetime


async def holds_of(contact_id: int) -> list[HoldRow]:
    """The contact's active holds (of the contact and of its documents), oldest first."""
    holds = await LegalHold.filter(_active(), contact_id=contact_id).order_by("created_at", "id")
    ids = [h.document_id for h in holds if h.document_id is not None]
    titles = dict(await Document.filter(id__in=ids).values_list("id", "title")) if ids else {}
    return [
        HoldRow(
            id=h.id,
            document_id=h.document_id,
            document_title=str(titles.get(h.document_id, "")),
            reason=h.reason,
            set_by_name=h.set_by_name,
            created_at=h.created_at,
        )
        for h in holds
    ]


async def document_choices(actor: CurrentUser, *, contact_id: int) -> list[tuple[int, str]]:
    """The contact's documents the actor may read, to hold one: (id, title), newest first."""
    rows = (
        await Document.filter(contact_id=contact_id)
        .order_by("-id")
        .values_list("id", "title", "folder")
    )
    return [
        (int(row_id), str(title))
        for row_id, title, folder in rows
        if not folder or staff_may_read_folder(actor, str(folder))
    ]


def _clean_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationFailed({"reason": _("Please give the reason for the hold.")})
    if len(reason) > REASON_MAX:
        raise ValidationFailed({"reason": _("At most %(max)s characters.", max=REASON_MAX)})
    return reason


async def set_hold(
    actor: CurrentUser, *, contact_id: int, document_id: int | None = None, reason: str
) -> LegalHold:
    """Hold the contact (document_id None) or one of its documents. The caller has loaded
    the contact (and the document) through the actor's rights."""
    if not can_manage_contacts(actor):
        raise PermissionDenied
    if document_id is not None and document_id not in dict(
        await document_choices(actor, contact_id=contact_id)
    ):
        raise ValidationFailed({"document_id": _("Please choose one of the contact's documents.")})
    hold = await LegalHold.create(
        contact_id=contact_id,
        document_id=document_id,
        reason=_clean_reason(reason),
        set_by_id=actor.id,
        set_by_name=actor.full_name or actor.username,
    )
    await AuditEntry.create(
        action="legal_hold_set",
        actor_id=actor.id,
        subject_id=contact_id,
        details=f"hold={hold.id} document={document_id or '-'}",
    )
    return hold


async def release_hold(actor: CurrentUser, *, contact_id: int, hold_id: int) -> None:
    """Release an active hold of this contact (404 for another contact's or a released one)."""
    if not can_manage_contacts(actor):
        raise PermissionDenied
    released = await LegalHold.filter(_active(), id=hold_id, contact_id=contact_id).update(
        released_at=datetime.now(UTC), released_by_id=actor.id
    )
    if not released:
        raise NotFound
    await AuditEntry.create(
        action="legal_hold_released",
        actor_id=actor.id,
        subject_id=contact_id,
        details=f"hold={hold_id}",
    )
