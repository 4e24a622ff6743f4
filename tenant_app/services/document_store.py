"""Storing uploaded files as documents: checked by content and size, streamed to storage,
recorded all or none. The callers decide whether the actor may (services/documents.py for
folders, tickets and chats; services/tender_messages.py and the tender offers for files a
backoffice hands over)."""

from __future__ import annotations

import hashlib
from typing import BinaryIO

import anyio
from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.files.cleanup import remove_files
from tenant_app.files.storage import Storage, new_key
from tenant_app.files.uploads import clean_filename
from tenant_app.models.folders import Contract, Document
from tenant_app.models.scoping import current_tenant_id
from tenant_app.services import document_events
from tenant_app.services.upload_checks import Upload, accepted


def _digest(source: BinaryIO) -> str:
    source.seek(0)
    digest = hashlib.file_digest(source, "sha256")  # type: ignore[arg-type]
    source.seek(0)
    return digest.hexdigest()


async def store_documents(
    actor: CurrentUser,
    store: Storage,
    *,
    contact_id: int,
    contract: Contract | None,
    folder: str,
    uploads: list[Upload],
    values: dict[str, str],
    max_bytes: int,
    shared: bool | None,
    announce: bool,
    case_id: int | None = None,
    external_id: str | None = None,
) -> list[Document]:
    """Check every file by content and size, stream them to storage, then record them in one
    transaction (the caller has decided the actor may), with an event per document if
    `announce`. All or none: a refused file stores nothing, and a failure on the way (a full
    disk, the database, a client gone) removes the files already written."""
    found = accepted(uploads, values, max_bytes)
    by_customer = actor.kind == "customer"
    keys: list[str] = []
    try:
        rows = []
        for upload, kind, meta in found:
            # Hashing a large file takes seconds: off the event loop, or every request on this
            # process waits.
            sha256 = await anyio.to_thread.run_sync(_digest, upload.file)
            keys.append(key := new_key(current_tenant_id()))
            size = await store.save(key, upload.file)
            rows.append(
                {
                    "filename": clean_filename(upload.filename, kind),
                    "storage_key": key,
                    "content_type": kind.content_type,
                    "size": size,
                    "sha256": sha256,
                    **meta.model_dump(),
                }
            )
        # A few inserts: shielded, so that a client gone meanwhile cannot cut the transaction
        # (or its rollback) short; then all rows are written, or none.
        with anyio.CancelScope(shield=True):
            async with in_transaction():
                added = [
                    await Document.create(
                        contact_id=contact_id,
                        contract_id=contract.id if contract else None,
                        folder=folder,
                        shared_with_customer=True
                        if by_customer
                        else (folder != "" if shared is None else shared),
                        uploaded_by_customer=by_customer,
                        uploaded_by_id=actor.id,
                        case_id=case_id,
                        external_id=external_id,
                        **row,
                    )
                    for row in rows
                ]
                for document in added if announce else []:
                    await document_events.added(actor, document)
    except BaseException:
        # No orphan file when the rows could not be written, also when the request was
        # cancelled (a client gone): the removal itself must not be cancelled then.
        with anyio.CancelScope(shield=True):
            await remove_files(store, keys)
        raise
    return added


async def add_case_files(
    actor: CurrentUser,
    store: Storage,
    *,
    contact_id: int,
    case_id: int,
    uploads: list[Upload],
    title: str,
    max_bytes: int,
    draft: bool = False,
) -> list[Document]:
    """Files of a tender (its messages, a backoffice's offers), filed on the case in the
    insurance folder and hidden from the customer. The caller has decided the actor may
    (services/tender_access.py): a backoffice person is no staff of this tenant. A `draft`
    offer's file waits outside the folders and the case until the offer is released
    (services/tender_offers.release files it): the broker sees nothing of a draft."""
    folder = "" if draft else "insurance"
    return await store_documents(
        actor,
        store,
        contact_id=contact_id,
        contract=None,
        folder=folder,
        uploads=uploads,
        values={"title": title, "folder": folder},
        max_bytes=max_bytes,
        shared=False,
        announce=False,
        case_id=None if draft else case_id,
    )
