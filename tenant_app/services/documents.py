"""Documents: checked uploads streamed to storage, rights-checked downloads, sharing."""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.expressions import F, Subquery
from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, PermissionDenied, ValidationFailed
from tenant_app.files.cleanup import remove_files
from tenant_app.files.storage import Storage
from tenant_app.models.conversations import ConversationEntry
from tenant_app.models.folders import Contract, Document
from tenant_app.models.legal import AdviceRecord
from tenant_app.models.tenders import CaseOffer, Tender
from tenant_app.permissions import (
    can_handle_conversation,
    can_manage_contacts,
    can_see_all_contacts,
    customer_may,
    folder_flags,
    is_admin,
    staff_may_edit_folder,
    staff_may_read_folder,
)
from tenant_app.queries import documents as document_reads
from tenant_app.queries.documents import DocumentRef
from tenant_app.services import consents, contracts, document_events, events, legal_holds
from tenant_app.services.access import access_of
from tenant_app.services.document_store import store_documents
from tenant_app.services.upload_checks import Upload as Upload
from tenant_app.text.i18n import gettext as _
from tenant_app.text.labels import N_
from tenant_app.vocabulary import FOLDERS as FOLDER_KEYS


async def _may_add(
    actor: CurrentUser, *, contact_id: int, folder: str, contract: Contract | None
) -> None:
    if actor.kind == "customer":
        if actor.contact_id != contact_id or not folder:
            raise NotFound
        flags = folder_flags(await access_of(contact_id, actor), folder)
        if contract is not None and not customer_may(
            flags, "view", made_by_customer=contract.created_by_customer
        ):
            raise NotFound
        if not customer_may(flags, "add_document"):
            raise PermissionDenied
    elif not folder:
        if contract is not None or not can_manage_contacts(actor):
            raise PermissionDenied  # on the contact itself: the broker contract, first information
    elif not staff_may_edit_folder(actor, folder):
        raise PermissionDenied


async def add_documents(
    actor: CurrentUser,
    store: Storage,
    *,
    contact_id: int,
    uploads: list[Upload],
    values: dict[str, str],
    max_bytes: int,
    contract_id: int | None = None,
    folder: str = "",
    shared: bool | None = None,
    case_id: int | None = None,
    external_id: str | None = None,  # the broker system's id: for a single file only
) -> list[Document]:
    """Documents in one of the contact's folders (or on a contract there), or for staff who
    manage contacts on the contact itself (`folder` ""), if the actor may add them: one per
    file, all or none (see `document_store.store_documents`), titled as `upload_checks.titles` says.
    `case_id`: filed on that advice case too (services/cases.py checked it is the contact's)."""
    contract = None
    if contract_id is not None:
        contract = await Contract.get_or_none(
            id=contract_id, contact_id=contact_id, deleted_at=None
        )
        if contract is None:
            raise NotFound
        folder = contract.folder
    if folder and folder not in FOLDER_KEYS:
        raise NotFound
    await _may_add(actor, contact_id=contact_id, folder=folder, contract=contract)
    shared = await consents.upload_sharing(  # health data: only with the customer's consent
        actor, contact_id=contact_id, contract_id=contract_id, shared=shared
    )
    return await store_documents(
        actor,
        store,
        contact_id=contact_id,
        contract=contract,
        folder=folder,
        uploads=uploads,
        values=values,
        max_bytes=max_bytes,
        shared=shared,
        announce=True,
        case_id=case_id,
        external_id=external_id,
    )


async def add_document(
    actor: CurrentUser,
    store: Storage,
    *,
    contact_id: int,
    upload: Upload | None,
    values: dict[str, str],
    max_bytes: int,
    contract_id: int | None = None,
    folder: str = "",
    shared: bool | None = None,
) -> Document:
    """One document from one file: `add_documents` with a single upload."""
    added = await add_documents(
        actor,
        store,
        contact_id=contact_id,
        uploads=[upload] if upload else [],
        values=values,
        max_bytes=max_bytes,
        contract_id=contract_id,
        folder=folder,
        shared=shared,
    )
    return added[0]


async def add_attachment(
    actor: CurrentUser,
    store: Storage,
    *,
    contact_id: int,
    upload: Upload | None,
    title: str,
    max_bytes: int,
    kind: str = "ticket",
) -> Document:
    """A file on a ticket's or (`kind` "chat") a chat's entry. It stays outside the folders
    until staff file it into a contract; the customer's own need communication switched on."""
    if actor.kind == "customer":
        if actor.contact_id != contact_id or not (await access_of(contact_id, actor)).communication:
            raise NotFound
    elif not can_handle_conversation(actor, kind):
        raise PermissionDenied
    stored = await store_documents(
        actor,
        store,
        contact_id=contact_id,
        contract=None,
        folder="",
        uploads=[upload] if upload else [],
        values={"title": title},
        max_bytes=max_bytes,
        shared=None,
        announce=False,  # the ticket's own event tells of it
    )
    return stored[0]


async def upload_target(
    actor: CurrentUser, *, contact_id: int, folder: str, contract_id: int | None
) -> Contract | None:
    """Where a new document would go (a contract, or None for the folder itself), if the actor
    may add one there: NotFound otherwise, so the upload form shows only where it can be used."""
    if actor.kind == "customer":
        flags = folder_flags(await access_of(contact_id, actor), folder)
        if actor.contact_id != contact_id or not customer_may(flags, "add_document"):
            raise NotFound
    elif not staff_may_edit_folder(actor, folder):
        raise NotFound
    if contract_id is None:
        return None
    contract = await contracts.contract_for(
        actor, contact_id=contact_id, contract_id=contract_id, action="view"
    )
    if contract.folder != folder:
        raise NotFound
    return contract


async def readable_document(actor: CurrentUser, document_id: int) -> DocumentRef:
    """The document if the actor may see it, for sending it (download, preview, thumbnail):
    one query, no ORM objects. NotFound hides what they may not see."""
    return await _checked(actor, document_id, "view")


async def document_for(actor: CurrentUser, document_id: int, *, action: str = "view") -> Document:
    """The document, to change it, if the actor may `view` or `edit` it (else NotFound or
    PermissionDenied)."""
    ref = await _checked(actor, document_id, action)
    return await Document.get(id=ref.id)


async def _checked(actor: CurrentUser, document_id: int, action: str) -> DocumentRef:
    sees_all = actor.kind == "customer" or can_see_all_contacts(actor)  # customers: own contact
    ref = await document_reads.document_ref(
        document_id, responsible_user_id=None if sees_all else actor.id
    )
    if ref is None:
        raise NotFound
    if actor.kind == "customer":
        await _customer_check(actor, ref, action)
    elif not ref.folder:
        _staff_check_outside_folders(actor, ref, action)
    elif not staff_may_read_folder(actor, ref.folder):
        raise NotFound
    elif action != "view" and not staff_may_edit_folder(actor, ref.folder):
        raise PermissionDenied
    return ref


def _staff_check_outside_folders(actor: CurrentUser, document: DocumentRef, action: str) -> None:
    """An attachment not yet filed is for those who handle its kind of conversation; changing
    it is for the admin (staff file it into a contract, which moves it into that folder). A
    document filed on the contact itself is for those who manage contacts."""
    if document.attached:
        if not can_handle_conversation(actor, document.attached_kind):
            raise NotFound
        if action != "view" and not is_admin(actor):
            raise PermissionDenied
    elif not can_manage_contacts(actor):
        raise NotFound


async def contact_documents(actor: CurrentUser, *, contact_id: int) -> list[Document]:
    """The documents filed on the contact itself (not in a folder, not ticket attachments, not
    the file of an offer a backoffice has not released yet), newest first: for staff who
    manage contacts, none for others. The caller has checked that the actor sees the
    contact."""
    if actor.kind != "staff" or not can_manage_contacts(actor):
        return []
    attachments = ConversationEntry.filter(
        conversation__contact_id=contact_id, document_id__isnull=False
    ).values("document_id")
    drafts = CaseOffer.filter(
        case__contact_id=contact_id, status="draft", document_id__isnull=False
    ).values("document_id")
    query = Document.filter(contact_id=contact_id, folder="", contract_id=None)
    query = query.exclude(id__in=Subquery(attachments)).exclude(id__in=Subquery(drafts))
    return list(await query.order_by("-created_at", "-id"))


async def _customer_check(actor: CurrentUser, document: DocumentRef, action: str) -> None:
    if actor.contact_id != document.contact_id:
        raise NotFound
    if not document.folder:  # their tickets' attachments, their chat's while open; may they write
        if (
            not document.customer_sees_attachment
            or action != "view"
            or not (await access_of(document.contact_id, actor)).communication
        ):
            raise NotFound
        return
    if not (document.shared_with_customer or document.uploaded_by_customer):
        raise NotFound
    flags = folder_flags(await access_of(document.contact_id, actor), document.folder)
    made_by_customer = document.uploaded_by_customer
    if document.contract_id is not None and (
        document.contract_gone
        or not customer_may(flags, "view", made_by_customer=document.contract_by_customer)
    ):
        raise NotFound
    if not customer_may(flags, "view", made_by_customer=made_by_customer):
        raise NotFound
    # Customers delete only what they uploaded themselves: a broker's file is never lost.
    if action != "view" and not (
        made_by_customer and customer_may(flags, "delete", made_by_customer=True)
    ):
        raise PermissionDenied


async def delete_document(actor: CurrentUser, store: Storage, document: Document) -> None:
    """Staff delete any they may change (told to nobody); a customer their own upload (told
    to the staff, as their upload was). Not one a tender handed to a backoffice: what the
    frozen risk, its messages and offers name stays (ValidationFailed); nor one under a
    legal hold (legal_holds.OnHold)."""
    await refuse_if_kept(document)
    async with in_transaction():
        await document.delete()
        await document_events.record(actor, events.DOCUMENT_DELETED, document)
        await events.forget_for_customers("document", [document.id])
    await remove_files(store, [document.storage_key])


async def refuse_if_kept(document: Document) -> None:
    """What no deletion may take, whichever way it comes (the staff area, the portal, the
    API): a document under a legal hold, one a tender names, a delivered advice record's."""
    await legal_holds.refuse_if_held(contact_id=document.contact_id, document_ids=[document.id])
    if await _handed_over(document):
        raise ValidationFailed({"form": _(KEPT_FOR_TENDER)})
    await refuse_if_advice(document)


async def refuse_if_advice(document: Document) -> None:
    if await AdviceRecord.filter(document_id=document.id).exists():
        raise AdviceKept({"form": _(KEPT_AS_ADVICE)})


class AdviceKept(ValidationFailed):
    """A delivered advice documentation's PDF stays: the record never changes (§ 62 VVG)."""


KEPT_AS_ADVICE = N_(
    "This document is the delivered advice documentation of the case; it stays as delivered."
)
KEPT_FOR_TENDER = N_(
    "This document was handed to a backoffice with a tender; it stays, as the tender names it."
)


async def _handed_over(document: Document) -> bool:
    if await CaseOffer.filter(document_id=document.id).exists():
        return True
    carried = ConversationEntry.filter(document_id=document.id, conversation__kind="tender")
    if await carried.exists():
        return True
    if document.case_id is None:
        return False
    tenders = await Tender.filter(case_id=document.case_id).only("id", "snapshot")
    return any(document.id in tender.document_ids for tender in tenders)


async def set_shared(actor: CurrentUser, document: Document, *, shared: bool) -> None:
    """Show the document to the customer or hide it; the customer hears of it when shown."""
    if actor.kind != "staff":
        raise PermissionDenied
    if shared:  # health data: only with the customer's consent
        await consents.check_sharing(
            contact_id=document.contact_id, contract_id=document.contract_id
        )
    else:  # a delivered advice documentation stays shown
        await refuse_if_advice(document)
    async with in_transaction():
        switched = await Document.filter(id=document.id, shared_with_customer=not shared).update(
            shared_with_customer=shared, updated_at=datetime.now(UTC), version=F("version") + 1
        )
        if shared and switched:
            await document_events.record(
                actor, events.DOCUMENT_SHARED, document, tell=document_events.shown(document)
            )
        elif switched:  # hidden again: the customer's list stops naming it
            await events.forget_for_customers("document", [document.id])


async def open_document(actor: CurrentUser, document_id: int) -> DocumentRef:
    """`readable_document` for a view or download: a staff member's is recorded for the
    customer's access trail (see `document_events.opened`)."""
    ref = await readable_document(actor, document_id)
    if actor.kind == "staff":  # a customer's own downloads are no event
        await document_events.opened(actor, ref)
    return ref


async def file_into_contract(
    actor: CurrentUser, document: Document, *, contract_id: int
) -> Contract:
    """Staff file a document (e.g. a ticket attachment) under one of the contact's contracts."""
    if actor.kind != "staff":
        raise PermissionDenied
    contract = await Contract.get_or_none(
        id=contract_id, contact_id=document.contact_id, deleted_at=None
    )
    if contract is None:
        raise ValidationFailed({"contract_id": _("Please choose a contract.")})
    if not staff_may_edit_folder(actor, contract.folder):
        raise PermissionDenied
    moved = {"contract_id": contract.id, "folder": contract.folder, "updated_at": datetime.now(UTC)}
    await Document.filter(id=document.id).update(**moved, version=F("version") + 1)  # for sync
    return contract
