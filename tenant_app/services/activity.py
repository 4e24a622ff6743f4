"""The staff's activity feed: what customers did, to look at and mark "geprüft" (checked).

Entries are the customers' events (services/events.py) a member may see; "mine" are those
told to them (a notification), whose unchecked ones the sidebar counts. Checking is shared:
once one member has checked an entry, it is checked for everyone it was told to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, PermissionDenied
from tenant_app.live.broker import publish
from tenant_app.models.activity import Event, Notification
from tenant_app.models.scoping import current_tenant_id
from tenant_app.permissions import can_use_staff_area, staff_may_edit_folder
from tenant_app.queries import activity as activity_reads
from tenant_app.queries.activity import FILTERS, PER_PAGE, ActivityRow
from tenant_app.security.sessions import COUNT_CAP
from tenant_app.services import contracts, events
from tenant_app.text import event_labels, labels
from tenant_app.vocabulary import FOLDERS

__all__ = [
    "FILTERS",
    "PER_PAGE",
    "Entry",
    "Feed",
    "changed_fields",
    "check",
    "entry_of",
    "feed",
    "restore",
    "unchecked_count",
]


@dataclass(frozen=True)
class Entry:
    """One customer action as the feed shows it; the links only while their object exists."""

    id: int
    kind: str
    sentence: str  # "Kai Kunde changed the contract Hausrat · Condor"
    contact_id: int
    contact_name: str
    folder: str
    at: datetime
    changes: list[tuple[str, str, str]]  # (field label, old, new), shown as the forms show them
    checked_at: datetime | None
    checked_by: str
    contract_id: int | None
    document_id: int | None
    ticket_id: int | None
    may_restore: bool  # a contract the customer deleted, still deleted, in a folder they edit
    restored: bool  # a contract the customer deleted that is back

    @property
    def checked(self) -> bool:
        return self.checked_at is not None


@dataclass(frozen=True)
class Feed:
    entries: list[Entry]
    filter: str  # one of FILTERS
    page: int
    has_next: bool


async def feed(
    actor: CurrentUser,
    *,
    filter: str,  # noqa: A002 - the page's word for it
    page: int,
    contact_id: int | None = None,
    per_page: int = PER_PAGE,
) -> Feed:
    """One page of the feed (of one contact: `contact_id`), newest first. An unknown filter
    is the default (unchecked)."""
    if not can_use_staff_area(actor):
        raise PermissionDenied
    chosen = filter if filter in FILTERS else FILTERS[0]
    found = await activity_reads.feed_page(
        actor, filter_name=chosen, page=max(1, page), per_page=per_page, contact_id=contact_id
    )
    named = _Labels()
    return Feed(
        entries=[entry_of(actor, row, named) for row in found.rows],
        filter=chosen,
        page=found.page,
        has_next=found.has_next,
    )


async def check(actor: CurrentUser, event_id: int, checked: bool) -> Entry:
    """Mark the entry checked (by the actor, now) or unchecked again. Checking one that a
    colleague checked meanwhile keeps theirs. NotFound for an entry the actor may not see."""
    await _visible(actor, event_id)
    await _mark(actor, event_id, checked)
    return entry_of(actor, await _visible(actor, event_id))


async def restore(actor: CurrentUser, event_id: int) -> Entry:
    """Bring back the contract a customer deleted (the staff's restore) and mark the entry
    checked: restoring is what checking it led to. A contract already back stays as it is."""
    row = await _visible(actor, event_id)
    if row.kind != events.CONTRACT_DELETED or row.contract_id is None:
        raise NotFound
    if row.contract_deleted:
        contract = await contracts.contract_for(
            actor, contact_id=row.contact_id, contract_id=row.contract_id, action="edit"
        )
        async with in_transaction():
            await contracts.restore_contract(actor, contract)
            await _mark(actor, event_id, True)
    return entry_of(actor, await _visible(actor, event_id))


async def unchecked_count(actor: CurrentUser) -> int:
    """The sidebar's count as it is now (after a check), capped as the session counts it."""
    return await activity_reads.unchecked_told(actor, cap=COUNT_CAP)


async def _visible(actor: CurrentUser, event_id: int) -> ActivityRow:
    if not can_use_staff_area(actor):
        raise PermissionDenied
    row = await activity_reads.visible_event(actor, event_id)
    if row is None:
        raise NotFound
    return row


async def _mark(actor: CurrentUser, event_id: int, checked: bool) -> None:
    """Set or clear "geprüft", and wake the pages of everyone it was told to (their counts).
    Who checks an entry has read it too: their notification of it stops ringing (and is not
    mailed)."""
    now = datetime.now(UTC)
    read = 0
    if checked:
        await Event.filter(id=event_id, checked_at__isnull=True).update(
            checked_at=now, checked_by_id=actor.id
        )
        read = await Notification.filter(
            user_id=actor.id, event_id=event_id, read_at__isnull=True
        ).update(read_at=now)
    else:
        await Event.filter(id=event_id).update(checked_at=None, checked_by_id=None)
    told = [user_id for user_id in await activity_reads.told_to(event_id) if user_id != actor.id]
    await publish(current_tenant_id(), told + ([actor.id] if read else []))


class _Labels:
    """The field names of an edit's columns, per folder, built once per page."""

    def __init__(self) -> None:
        self._by_folder: dict[str, dict[str, str]] = {}

    def of(self, kind: str, folder: str) -> dict[str, str]:
        if kind == events.PROFILE_CHANGED:
            key = ""
        elif kind.startswith("contract_") and folder in FOLDERS:
            key = folder
        else:
            return {}
        if key not in self._by_folder:
            named = contracts.field_labels(key) if key else dict(labels.CONTACT_FIELDS)
            self._by_folder[key] = named
        return self._by_folder[key]


def changed_fields(
    kind: str, folder: str, changes: dict[str, list[Any]] | None
) -> list[tuple[str, str, str]]:
    """An edit's `(label, old, new)` with the labels its form uses (the dashboard's card)."""
    return event_labels.changed_fields(changes, _Labels().of(kind, folder))


def entry_of(actor: CurrentUser, row: ActivityRow, named: _Labels | None = None) -> Entry:
    deleted_event = row.kind == events.CONTRACT_DELETED and row.contract_id is not None
    return Entry(
        id=row.id,
        kind=row.kind,
        sentence=event_labels.sentence(
            row.kind, actor=row.actor_name, title=row.title, for_customer=False
        ),
        contact_id=row.contact_id,
        contact_name=row.contact_name,
        folder=row.folder,
        at=row.created_at,
        changes=event_labels.changed_fields(
            row.changes, (named or _Labels()).of(row.kind, row.folder)
        ),
        checked_at=row.checked_at,
        checked_by=row.checked_by,
        contract_id=row.contract_id,
        document_id=row.document_id,
        ticket_id=row.ticket_id,
        may_restore=deleted_event
        and row.contract_deleted
        and staff_may_edit_folder(actor, row.folder),
        restored=deleted_event and not row.contract_deleted,
    )
