"""Documents for the broker's own system (the JSON API): pages for incremental sync, an upload
that names its contact, contract, advice case and external id, metadata changes and deletes
that never overwrite a newer version. The checks, the storage and the events are those of
services/documents.py; this adds what a second system needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q, Subquery
from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import EditConflict, NotFound, PermissionDenied, ValidationFailed
from tenant_app.files.cleanup import remove_files
from tenant_app.files.storage import Storage
from tenant_app.models.contacts import ContactResponsible
from tenant_app.models.conversations import ConversationEntry
from tenant_app.models.folders import Contract, Document
from tenant_app.models.tenders import CaseOffer
from tenant_app.permissions import (
    can_chat,
    can_edit_cases,
    can_handle_tickets,
    can_manage_contacts,
    can_see_all_contacts,
    staff_may_edit_folder,
    staff_may_read_folder,
)
from tenant_app.schemas.base import checked
from tenant_app.schemas.folders import DocumentMetaInput
from tenant_app.services import (
    cases,
    consents,
    contacts,
    document_events,
    documents,
    events,
)
from tenant_app.services.unique import write_unless_taken
from tenant_app.services.upload_checks import Upload
from tenant_app.services.versions import conflict_errors, save_if_unchanged
from tenant_app.text.i18n import gettext as _
from tenant_app.text.labels import N_
from tenant_app.vocabulary import FOLDERS

META = ("title", "category", "document_date", "note")  # checked by DocumentMetaInput
LABELS = {
    "title": N_("Title"),
    "category": N_("Category"),
    "document_date": N_("Date"),
    "note": N_("Note"),
    "folder": N_("Folder"),
    "shared_with_customer": N_("Shared with the customer"),
    "external_id": N_("External ID"),
}


@dataclass(frozen=True)
class DocumentFilter:
    """A page of documents in id order after `after_id`, changed since `since` if given."""

    after_id: int = 0
    limit: int = 50
    since: datetime | None = None
    contact_id: int | None = None
    contract_id: int | None = None
    case_id: int | None = None
    external_id: str | None = None
    folder: str | None = None  # "" = on the contact itself (or a ticket's attachment)


@dataclass(frozen=True)
class NewDocument:
    """Where an uploaded file goes and what is known about it."""

    contact_id: int
    values: dict[str, str]  # title, category, document_date (ISO), note
    contract_id: int | None = None
    case_id: int | None = None
    folder: str = ""
    shared: bool | None = None  # None: shared when in a folder, as staff uploads are
    external_id: str | None = None


def _readable(actor: CurrentUser) -> Q:
    """The documents a staff member may read, as `documents.readable_document` decides one by
    one: their contacts (or all), the folders they may read, outside folders for those who
    manage contacts and handle tickets (both kinds live there), chats' files only with Chat."""
    if actor.kind != "staff":
        raise PermissionDenied
    folders = [folder for folder in FOLDERS if staff_may_read_folder(actor, folder)]
    if can_manage_contacts(actor) and can_handle_tickets(actor):
        folders.append("")
    where = Q(folder__in=folders)
    drafts = CaseOffer.filter(status="draft", document_id__isnull=False).values("document_id")
    where &= ~Q(folder="", id__in=Subquery(drafts))  # a backoffice's, until it releases it
    if not can_chat(actor):
        chats = ConversationEntry.filter(conversation__kind="chat", document_id__isnull=False)
        where &= ~Q(folder="", id__in=Subquery(chats.values("document_id")))
    if not can_see_all_contacts(actor):
        mine = ContactResponsible.filter(user_id=actor.id).values("contact_id")
        where &= Q(contact_id__in=Subquery(mine))
    return where


async def document_page(actor: CurrentUser, wanted: DocumentFilter) -> list[Document]:
    """Up to `limit + 1` documents (one more tells that a next page exists): one query."""
    query = Document.filter(_readable(actor), id__gt=wanted.after_id, restricted_at=None)
    if wanted.since is not None:
        query = query.filter(updated_at__gte=wanted.since)
    for column in ("contact_id", "contract_id", "case_id", "external_id", "folder"):
        if (value := getattr(wanted, column)) is not None:
            query = query.filter(**{column: value})
    return list(await query.order_by("id").limit(wanted.limit + 1))


async def _where_to(actor: CurrentUser, new: NewDocument) -> str:
    """The folder the document goes to, after checking that contact, contract and case are
    there and belong together (422 on the field that names one that is not)."""
    try:
        await contacts.get_visible_contact(actor, new.contact_id)
    except NotFound:
        raise ValidationFailed({"contact_id": _("There is no such contact.")}) from None
    folder = new.folder
    if new.contract_id is not None:
        contract = await Contract.get_or_none(
            id=new.contract_id, contact_id=new.contact_id, deleted_at=None
        )
        if contract is None or not staff_may_read_folder(actor, contract.folder):
            raise ValidationFailed({"contract_id": _("There is no such contract of this contact.")})
        folder = contract.folder
    if new.case_id is not None:
        await _check_case(actor, new.case_id, contact_id=new.contact_id)
    return folder


async def _check_case(actor: CurrentUser, case_id: int, *, contact_id: int) -> None:
    try:
        case = await cases.case_for(actor, case_id)
    except NotFound:
        case = None
    if case is None or case.contact_id != contact_id:
        raise ValidationFailed({"case_id": _("There is no such advice case of this contact.")})
    if not can_edit_cases(actor):
        raise PermissionDenied
    try:
        cases.ensure_open(case)
    except ValidationFailed as closed:
        raise ValidationFailed({"case_id": next(iter(closed.errors.values()))}) from None


async def _external_id_free(external_id: str | None, *, besides: int | None = None) -> None:
    if external_id is None:
        return
    if await Document.filter(external_id=external_id).exclude(id=besides or 0).exists():
        raise _taken()


def _taken() -> ValidationFailed:
    return ValidationFailed({"external_id": _("This external ID is already taken.")})


async def upload_document(
    actor: CurrentUser, store: Storage, new: NewDocument, *, upload: Upload | None, max_bytes: int
) -> Document:
    """One document from one file, checked and stored as every upload is, announced to the
    customer when it is shared with them; on an advice case, the case moves up."""
    folder = await _where_to(actor, new)
    await _external_id_free(new.external_id)
    try:
        added = await documents.add_documents(
            actor,
            store,
            contact_id=new.contact_id,
            uploads=[upload] if upload else [],
            values=new.values,
            max_bytes=max_bytes,
            contract_id=new.contract_id,
            folder=folder,
            shared=new.shared,
            case_id=new.case_id,
            external_id=new.external_id,
        )
    except IntegrityError:  # the same external id at the same moment: nothing was kept
        if new.external_id is None:
            raise
        raise _taken() from None
    if new.case_id is not None:
        await cases.touch(new.case_id)
    return added[0]


async def document_by_external_id(actor: CurrentUser, external_id: str) -> Document:
    """The document the broker's system knows by this id, if the actor may change it."""
    found = await Document.get_or_none(external_id=external_id)
    if found is None:
        raise NotFound
    return await documents.document_for(actor, found.id, action="edit")


def _moved_to(actor: CurrentUser, document: Document, folder: str) -> str:
    """A document moves between the contact and its folders, not away from its contract."""
    if folder == document.folder:
        return folder
    if document.contract_id is not None:
        raise ValidationFailed({"folder": _("A document on a contract stays in its folder.")})
    may = can_manage_contacts(actor) if folder == "" else staff_may_edit_folder(actor, folder)
    if not may:
        raise PermissionDenied
    return folder


def _checked_changes(
    actor: CurrentUser, document: Document, wanted: dict[str, Any]
) -> dict[str, Any]:
    """The columns to write: the metadata checked by the upload form's rules."""
    current = {
        "title": document.title,
        "category": document.category,
        "document_date": document.document_date,
        "note": document.note,
    }
    merged = {**current, **{key: wanted[key] for key in META if key in wanted}}
    if isinstance(merged["document_date"], date):
        merged["document_date"] = merged["document_date"].isoformat()
    meta, errors = checked(DocumentMetaInput, {k: v or "" for k, v in merged.items()})
    if meta is None:
        raise ValidationFailed(errors)
    columns: dict[str, Any] = {key: getattr(meta, key) for key in META if key in wanted}
    if "folder" in wanted:
        columns["folder"] = _moved_to(actor, document, wanted["folder"])
    for key in ("shared_with_customer", "external_id"):
        if key in wanted:
            columns[key] = wanted[key]
    return columns


async def change_document(
    actor: CurrentUser, document_id: int, *, version: int, wanted: dict[str, Any]
) -> Document:
    """Write the metadata `wanted` names if the document still has `version` (else
    EditConflict, nothing written). Shown to the customer now: they hear of it; hidden again:
    their notifications about it go."""
    document = await documents.document_for(actor, document_id, action="edit")
    columns = _checked_changes(actor, document, wanted)
    if columns.get("shared_with_customer") and not document.shared_with_customer:
        await consents.check_sharing(
            contact_id=document.contact_id,
            contract_id=document.contract_id,
            field="shared_with_customer",
        )
    elif columns.get("shared_with_customer") is False and document.shared_with_customer:
        await documents.refuse_if_advice(document)  # delivered advice documentation: stays shown
    await _external_id_free(columns.get("external_id"), besides=document.id)
    if not columns and document.version != version:
        raise EditConflict(conflict_errors(document, {}, {}, {}), version=document.version)
    labels = {column: _(label) for column, label in LABELS.items()}
    async with in_transaction():
        if columns:
            saved = await write_unless_taken(
                lambda: save_if_unchanged(
                    Document,
                    where={"id": document.id},
                    version=version,
                    changes={**columns, "updated_at": datetime.now(UTC)},
                    labels=labels,
                )
            )
            if saved is None:
                raise _taken()
        changed = await Document.get(id=document.id)
        await _tell_sharing(actor, before=document, after=changed)
        await _record_edit(actor, before=document, after=changed)
    return changed


async def _record_edit(actor: CurrentUser, *, before: Document, after: Document) -> None:
    """Metadata changes besides sharing (which has its own event): in the trail and for the
    webhooks, told to nobody."""
    edited = events.changes_between(vars(before), vars(after), LABELS)
    edited.pop("shared_with_customer", None)
    if edited:
        await events.record(
            actor,
            events.DOCUMENT_EDITED,
            contact_id=after.contact_id,
            object_type="document",
            object_id=after.id,
            folder=after.folder,
            title=after.title,
            changes=edited,
            tell=events.NOBODY,
        )


async def _tell_sharing(actor: CurrentUser, *, before: Document, after: Document) -> None:
    if after.shared_with_customer and not before.shared_with_customer:
        await document_events.record(
            actor, events.DOCUMENT_SHARED, after, tell=document_events.shown(after)
        )
    elif before.shared_with_customer and not after.shared_with_customer:
        await events.forget_for_customers("document", [after.id])


async def remove_document(
    actor: CurrentUser, store: Storage, document_id: int, *, version: int
) -> None:
    """Delete the document if it still has `version`: the row and the event in one
    transaction, the file afterwards (as `documents.delete_document`)."""
    document = await documents.document_for(actor, document_id, action="edit")
    await documents.refuse_if_kept(document)
    async with in_transaction():
        if not await Document.filter(id=document.id, version=version).delete():
            current = await Document.get_or_none(id=document.id)
            if current is None:
                raise NotFound
            raise EditConflict(conflict_errors(current, {}, {}, {}), version=current.version)
        await document_events.record(actor, events.DOCUMENT_DELETED, document)
        await events.forget_for_customers("document", [document.id])
    await remove_files(store, [document.storage_key])
