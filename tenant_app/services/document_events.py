"""What a document's changes and a staff member's look at one record in the event stream."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tenant_app.actors import CurrentUser
from tenant_app.models.activity import Event
from tenant_app.models.folders import Document
from tenant_app.queries.documents import DocumentRef
from tenant_app.services import events

OPENED_AGAIN_AFTER = timedelta(minutes=10)  # the same member opening it again sooner: one look


async def record(
    actor: CurrentUser, kind: str, document: Document, *, tell: events.Audience | None = None
) -> None:
    """In the caller's transaction; `tell` as `events.record` (by default a customer's action
    goes to the staff, a staff action to nobody)."""
    await events.record(
        actor,
        kind,
        contact_id=document.contact_id,
        object_type="document",
        object_id=document.id,
        folder=document.folder,
        title=document.title,
        tell=tell,
        customer_made=document.uploaded_by_customer,
    )


async def added(actor: CurrentUser, document: Document) -> None:
    """A customer's upload goes to the staff; a staff upload to the customer when it is
    shared with them (`events.record` asks whether their folder shows it)."""
    if actor.kind == "customer":
        await record(actor, events.DOCUMENT_ADDED, document)
    else:
        tell = shown(document) if document.shared_with_customer else events.NOBODY
        await record(actor, events.DOCUMENT_ADDED, document, tell=tell)


def shown(document: Document) -> events.Audience:
    """The customer, for a document in a folder: one on the contact itself they never see."""
    return events.CUSTOMER if document.folder else events.NOBODY


async def opened(actor: CurrentUser, ref: DocumentRef) -> None:
    """A staff member viewed or downloaded the document (the customer's access trail): told to
    nobody, and recorded once per member and document in `OPENED_AGAIN_AFTER`."""
    since = datetime.now(UTC) - OPENED_AGAIN_AFTER
    seen = Event.filter(
        contact_id=ref.contact_id,
        kind=events.DOCUMENT_OPENED,
        object_type="document",
        object_id=ref.id,
        actor_id=actor.id,
        created_at__gte=since,
    )
    if await seen.exists():
        return
    title = await Document.filter(id=ref.id).values_list("title", flat=True)
    await events.record(
        actor,
        events.DOCUMENT_OPENED,
        contact_id=ref.contact_id,
        object_type="document",
        object_id=ref.id,
        folder=ref.folder,
        title=str(title[0]) if title else ref.filename,
        tell=events.NOBODY,
    )
