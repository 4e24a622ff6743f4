"""The admins' view "retained for legal reasons": contacts an erasure restricted, what of
them is kept until when and under which holds. Nobody else sees these contacts anywhere."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, PermissionDenied
from tenant_app.models.contacts import Contact
from tenant_app.models.conversations import Conversation
from tenant_app.models.folders import Contract, Document
from tenant_app.permissions import is_admin
from tenant_app.services import legal_holds, retention_purge
from tenant_app.services.legal_holds import HoldRow


@dataclass(frozen=True)
class RetainedContact:
    id: int
    name: str
    restricted_at: datetime | None
    delete_after: date | None  # None: a hold keeps it
    kept_rows: int
    held: bool


@dataclass(frozen=True)
class KeptItem:
    kind: str  # document | contract | ticket | chat
    title: str
    delete_after: date | None


@dataclass(frozen=True)
class RetainedDetail:
    contact: Contact
    items: list[KeptItem]
    holds: list[HoldRow]


def _require(actor: CurrentUser) -> None:
    if not is_admin(actor):
        raise PermissionDenied


async def retained_contacts(actor: CurrentUser) -> list[RetainedContact]:
    """Every restricted contact, the next to go first; a fixed number of queries."""
    _require(actor)
    contacts = await Contact.filter(restricted_at__isnull=False).order_by("delete_after", "id")
    ids = [contact.id for contact in contacts]
    counts: Counter[int] = Counter()
    for model in (Document, Contract, Conversation):
        rows = await model.filter(contact_id__in=ids or [0]).values_list("contact_id", flat=True)
        counts.update(int(str(row)) for row in rows)
    held = await legal_holds.held_contact_ids(ids)
    return [
        RetainedContact(
            id=contact.id,
            name=contact.full_name,
            restricted_at=contact.restricted_at,
            delete_after=contact.delete_after,
            kept_rows=counts[contact.id],
            held=contact.id in held,
        )
        for contact in contacts
    ]


async def retained_contact(actor: CurrentUser, contact_id: int) -> RetainedDetail:
    _require(actor)
    contact = await Contact.get_or_none(id=contact_id, restricted_at__isnull=False)
    if contact is None:
        raise NotFound
    items = [
        KeptItem("contract", f"{c.insurer_name} {c.insurance_number}".strip(), c.delete_after)
        for c in await Contract.filter(contact_id=contact_id).order_by("id")
    ]
    items += [
        KeptItem("document", d.title, d.delete_after)
        for d in await Document.filter(contact_id=contact_id).order_by("id")
    ]
    items += [
        KeptItem(c.kind, c.subject, c.delete_after)
        for c in await Conversation.filter(contact_id=contact_id).order_by("id")
    ]
    return RetainedDetail(contact, items, await legal_holds.holds_of(contact_id))


async def release_hold(actor: CurrentUser, *, contact_id: int, hold_id: int) -> None:
    """Release a hold; a restricted contact's rows get their retention dates again."""
    await legal_holds.release_hold(actor, contact_id=contact_id, hold_id=hold_id)
    await retention_purge.after_release(contact_id)


async def set_hold(actor: CurrentUser, *, contact_id: int, reason: str) -> None:
    """Hold what is kept of an erased contact (a lawsuit after the erasure): the scheduler
    deletes nothing of it until the hold is released. Admins, restricted contacts only."""
    await retained_contact(actor, contact_id)
    await legal_holds.set_hold(actor, contact_id=contact_id, reason=reason)
