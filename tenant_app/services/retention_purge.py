"""The deletion scheduler: what an erasure restricted goes once its `delete_after` date has
passed, unless a legal hold keeps it; the contact itself once nothing of it is kept. Run
daily by the background loop in every tenant (app.PERIODIC_USE_CASES), with an injected
`today` in tests. A hold released on a restricted contact dates its rows again by the
retention rules (`after_release`), so the scheduler can take them when their time comes.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from tortoise.models import Model
from tortoise.transactions import in_transaction

from tenant_app.files.cleanup import remove_files
from tenant_app.files.storage import Storage, storage_for
from tenant_app.models.contacts import Contact
from tenant_app.models.conversations import Conversation
from tenant_app.models.folders import AuditEntry, Contract, Document
from tenant_app.models.scoping import tenant_scope
from tenant_app.services import legal_holds
from tenant_app.services.erasure_plan import plan_erasure
from tenant_app.settings import Settings
from tenant_app.text.formatting import local_today

EVERY = 3600  # seconds: looked at hourly, so a day's due rows go within the hour after midnight


async def purge_due(settings: Settings, *, today: date | None = None) -> int:
    """In every tenant with restricted rows due: delete them. How many rows went."""
    day = today or local_today()
    tenants: set[int] = set()
    for model in (Document, Contract, Conversation, Contact):
        rows = await model.unscoped.filter(
            restricted_at__isnull=False, delete_after__lt=day
        ).values_list("tenant_id", flat=True)
        tenants |= {int(str(row)) for row in rows}
    store = storage_for(settings)
    gone = 0
    for tenant_id in sorted(tenants):
        with tenant_scope(tenant_id):
            gone += await purge_tenant(store, today=day)
    return gone


async def _due_rows(model: type[Model], day: date) -> list[tuple[int, int]]:
    rows = await model.filter(restricted_at__isnull=False, delete_after__lt=day).values_list(
        "id", "contact_id"
    )
    return [(int(row_id), int(contact_id)) for row_id, contact_id in rows]


async def purge_tenant(store: Storage, *, today: date) -> int:
    """The current tenant's due rows: documents, then contracts with nothing kept in them,
    tickets and chats, then the contacts with nothing left. The number of rows deleted."""
    restricted = await Contact.filter(restricted_at__isnull=False).values_list("id", flat=True)
    ids = [int(str(value)) for value in restricted]
    held_contacts = await legal_holds.held_contact_ids(ids)
    held_documents = await legal_holds.held_document_ids(ids)
    gone: Counter[int] = Counter()  # rows per contact
    documents = [
        (row_id, contact_id)
        for row_id, contact_id in await _due_rows(Document, today)
        if contact_id not in held_contacts and row_id not in held_documents
    ]
    keys = [
        str(key)
        for key in await Document.filter(id__in=[d for d, _ in documents] or [0]).values_list(
            "storage_key", flat=True
        )
    ]
    async with in_transaction():
        await Document.filter(id__in=[d for d, _ in documents] or [0]).delete()
        gone.update(contact_id for _, contact_id in documents)
        for model in (Contract, Conversation):
            due = [r for r in await _due_rows(model, today) if r[1] not in held_contacts]
            if model is Contract:  # one still holding a kept document waits for it
                filled = await Document.filter(
                    contract_id__in=[r for r, _ in due] or [0]
                ).values_list("contract_id", flat=True)
                due = [r for r in due if r[0] not in {int(str(c)) for c in filled}]
            await model.filter(id__in=[r for r, _ in due] or [0]).delete()
            gone.update(contact_id for _, contact_id in due)
        contacts = await _empty_contacts(today, held_contacts)
        await Contact.filter(id__in=contacts or [0]).delete()
        for contact_id, count in gone.items():
            await AuditEntry.create(
                action="retention_purged", subject_id=contact_id, details=f"rows={count}"
            )
        for contact_id in contacts:
            await AuditEntry.create(
                action="contact_deleted", subject_id=contact_id, details="retention ended"
            )
    await remove_files(store, keys)
    return sum(gone.values()) + len(contacts)


async def _empty_contacts(today: date, held: set[int]) -> list[int]:
    """Restricted contacts due, not held, with no document, contract or ticket left."""
    due = await Contact.filter(restricted_at__isnull=False, delete_after__lt=today).values_list(
        "id", flat=True
    )
    candidates = {int(str(value)) for value in due} - held
    for model in (Document, Contract, Conversation):
        left = await model.filter(contact_id__in=list(candidates) or [0]).values_list(
            "contact_id", flat=True
        )
        candidates -= {int(str(value)) for value in left}
    return sorted(candidates)


async def after_release(contact_id: int, *, today: date | None = None) -> None:
    """A hold on a restricted contact (or one of its documents) was released: every kept row
    gets its date by the retention rules again; what no rule keeps is due at once."""
    contact = await Contact.get_or_none(id=contact_id, restricted_at__isnull=False)
    if contact is None:
        return
    day = today or local_today()
    plan = await plan_erasure(contact, today=day)
    due = day - timedelta(days=1)
    for model, kept in (
        (Document, plan.documents),
        (Contract, plan.contracts),
        (Conversation, plan.conversations),
    ):
        rows = model.filter(contact_id=contact_id, restricted_at__isnull=False)
        await rows.exclude(id__in=list(kept) or [0]).update(delete_after=due)
        for row_id, row in kept.items():
            await model.filter(id=row_id).update(delete_after=row.until)
    until = plan.contact_until if plan.keeps_anything else due
    await Contact.filter(id=contact_id).update(delete_after=until)
