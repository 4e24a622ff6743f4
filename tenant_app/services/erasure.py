"""The data-protection rights on a contact: erasure (delete everything) and access (export)."""

from __future__ import annotations

import json
import tempfile
import zipfile
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

import anyio
from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import PermissionDenied, ValidationFailed
from tenant_app.files.cleanup import remove_files
from tenant_app.files.storage import Storage
from tenant_app.models.accounts import User
from tenant_app.models.contacts import Contact
from tenant_app.models.folders import AuditEntry, Contract, CustomerAccess, Document
from tenant_app.permissions import can_manage_contacts, staff_may_read_folder
from tenant_app.schemas.people import CONTACT_FIELDS
from tenant_app.text.i18n import gettext as _
from tenant_app.vocabulary import FOLDERS

CONTACT_EXPORT_FIELDS = ("id", *CONTACT_FIELDS, "created_at", "updated_at")


async def delete_contact(
    actor: CurrentUser, store: Storage, contact: Contact, *, confirmation: str
) -> None:
    """Erase the contact with accounts, contracts, documents and files (audit entry stays)."""
    if not can_manage_contacts(actor):
        raise PermissionDenied
    if confirmation.strip() != contact.last_name.strip():
        raise ValidationFailed({"confirm_text": _("Please type the last name exactly to confirm.")})
    keys = [
        str(k)
        for k in await Document.filter(contact_id=contact.id).values_list("storage_key", flat=True)
    ]
    counts = {
        "contracts": await Contract.filter(contact_id=contact.id).count(),
        "documents": len(keys),
    }
    async with in_transaction():
        await contact.delete()  # accounts, sessions, links, access, contracts, documents cascade
        await AuditEntry.create(
            action="contact_deleted",
            actor_id=actor.id,
            subject_id=contact.id,
            details=f"contracts={counts['contracts']} documents={counts['documents']}",
        )
    await remove_files(store, keys)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _row(model: Any, fields: tuple[str, ...] | None = None) -> dict[str, Any]:
    names = fields or tuple(model._meta.db_fields)
    return {name: _jsonable(getattr(model, name)) for name in names if hasattr(model, name)}


async def export_contact(actor: CurrentUser, store: Storage, contact: Contact) -> IO[bytes]:
    """One ZIP with all data as JSON and every file; spooled to disk beyond a few MB."""
    # Everything means every folder: only someone who may read all of them may export.
    if not can_manage_contacts(actor) or not all(staff_may_read_folder(actor, f) for f in FOLDERS):
        raise PermissionDenied
    contracts = await Contract.filter(contact_id=contact.id).order_by("id")
    documents = await Document.filter(contact_id=contact.id).order_by("id")
    access = await CustomerAccess.get_or_none(contact_id=contact.id)
    accounts = await User.filter(contact_id=contact.id)
    data = {
        "contact": _row(contact, CONTACT_EXPORT_FIELDS),
        "permissions": _row(access) if access else None,
        "accounts": [
            _row(user, ("username", "email", "created_at", "is_active")) for user in accounts
        ],
        "contracts": [_row(contract) for contract in contracts],
        "documents": [
            {**_row(document), "file_in_archive": f"files/{document.id}_{document.filename}"}
            for document in documents
        ],
    }
    archive_file = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    # Compressing and writing happen in worker threads: an archive of many documents takes
    # seconds, and the event loop serves everyone else meanwhile.
    with zipfile.ZipFile(archive_file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        text = json.dumps(data, ensure_ascii=False, indent=2)
        await anyio.to_thread.run_sync(archive.writestr, "data.json", text)
        for document in documents:
            name = f"files/{document.id}_{document.filename}"
            target = await anyio.to_thread.run_sync(archive.open, name, "w")
            try:
                async for chunk in store.open(document.storage_key):
                    await anyio.to_thread.run_sync(target.write, chunk)
            finally:
                await anyio.to_thread.run_sync(target.close)
    archive_file.seek(0)
    return archive_file
