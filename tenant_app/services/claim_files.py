"""A claim's photos and documents: checked and prepared before anything is stored, written
all or none, served behind the claim's own checks, exported and erased with the contact.

Photos (JPEG, PNG, WebP, GIF by content) are decoded and written afresh as JPEG with a
thumbnail made once (files/images.py); PDFs are kept as sent. Anything else is refused.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, BinaryIO

import anyio

from tenant_app.errors import NotFound
from tenant_app.files import images
from tenant_app.files.cleanup import remove_files
from tenant_app.files.storage import CHUNK, Storage, new_key
from tenant_app.files.uploads import JPEG, PDF, clean_filename, sniff
from tenant_app.models.claims import Claim, ClaimFile
from tenant_app.models.scoping import current_tenant_id
from tenant_app.services.upload_checks import Upload, shown_name
from tenant_app.text.i18n import gettext as _

MAX_FILES = 20  # photos and documents of one report
# Decoding photos is CPU work in worker threads: a few reports at once must not take them all.
_DECODERS = anyio.CapacityLimiter(2)


@dataclass(frozen=True)
class Prepared:
    """A checked file, ready to store: a photo's new bytes, or the PDF's spooled file."""

    kind: str  # photo | document
    filename: str
    content_type: str
    sha256: str
    size: int
    data: bytes | None = None  # photo (re-encoded)
    thumbnail: bytes | None = None
    source: BinaryIO | None = None  # document


def tenant_id() -> int:
    return current_tenant_id()


async def prepare(
    uploads: list[Upload], *, keep_location: bool, max_bytes: int
) -> list[Prepared] | str:
    """Each file checked and prepared, or the message the file field shows (nothing is
    stored yet, and with one file refused none is)."""
    if len(uploads) > MAX_FILES:
        return _(
            "Please choose at most %(max)s files at once (%(count)s were chosen).",
            max=MAX_FILES,
            count=len(uploads),
        )
    prepared: list[Prepared] = []
    for upload in uploads:
        found = await _prepare_one(upload, keep_location=keep_location, max_bytes=max_bytes)
        if isinstance(found, str):
            name = shown_name(upload.filename)
            return _("“%(name)s”: %(reason)s", name=name, reason=found)
        prepared.append(found)
    return prepared


async def _prepare_one(upload: Upload, *, keep_location: bool, max_bytes: int) -> Prepared | str:
    if upload.size == 0:
        return _("The file is empty.")
    if upload.size > max_bytes:
        return _("The file is too large (at most %(mb)s MB).", mb=max_bytes // (1024 * 1024))
    kind = sniff(upload.file)
    if kind == PDF:
        digest = await anyio.to_thread.run_sync(_digest, upload.file)
        name = clean_filename(upload.filename, PDF)
        return Prepared("document", name, PDF.content_type, digest, upload.size, source=upload.file)
    if kind is None or kind.content_type not in images.PHOTO_FORMATS:
        return _("Only photos (JPEG, PNG, WebP, GIF) and PDF documents can be added.")
    data = upload.file.read(max_bytes + 1)
    try:
        photo = await anyio.to_thread.run_sync(
            lambda: images.process_photo(data, kind.content_type, keep_location=keep_location),
            limiter=_DECODERS,
        )
    except images.ImageRejected as rejected:
        return rejected.message
    name = clean_filename(upload.filename, JPEG)
    return Prepared(
        "photo",
        name,
        JPEG.content_type,
        photo.sha256,
        len(photo.data),
        data=photo.data,
        thumbnail=photo.thumbnail,
    )


def _digest(source: BinaryIO) -> str:
    source.seek(0)
    digest = hashlib.sha256()
    while chunk := source.read(CHUNK):
        digest.update(chunk)
    source.seek(0)
    return digest.hexdigest()


@contextlib.asynccontextmanager
async def stored(
    store: Storage, prepared: list[Prepared], *, uploaded_by: int
) -> AsyncIterator[list[dict[str, Any]]]:
    """Write the files (and thumbnails) and yield their rows' columns; if anything fails,
    here or in the block (the rows' transaction), the files written are removed again."""
    keys: list[str] = []
    try:
        rows = []
        for item in prepared:
            keys.append(key := new_key(tenant_id()))
            source = item.source if item.source is not None else _bytes(item.data or b"")
            size = await store.save(key, source)
            thumbnail_key = None
            if item.thumbnail is not None:
                keys.append(thumbnail_key := new_key(tenant_id()))
                await store.save(thumbnail_key, _bytes(item.thumbnail))
            rows.append(
                {
                    "kind": item.kind,
                    "filename": item.filename,
                    "storage_key": key,
                    "thumbnail_key": thumbnail_key,
                    "content_type": item.content_type,
                    "size": size,
                    "sha256": item.sha256,
                    "uploaded_by_id": uploaded_by,
                }
            )
        with anyio.CancelScope(shield=True):
            yield rows
    except BaseException:
        with anyio.CancelScope(shield=True):
            await remove_files(store, keys)
        raise


def _bytes(data: bytes) -> BinaryIO:
    return io.BytesIO(data)


def _shown(for_customer: bool) -> dict[str, Any]:
    # The office's own records at a claim (a chat transcript) are never the customer's to see.
    return {"staff_only": False} if for_customer else {}


async def files_of(claim_ids: list[int], *, for_customer: bool) -> dict[int, list[ClaimFile]]:
    """The claims' files, photos first, in the order they came (one query); for the customer
    without the office's records."""
    found: dict[int, list[ClaimFile]] = {claim_id: [] for claim_id in claim_ids}
    if claim_ids:
        query = ClaimFile.filter(claim_id__in=claim_ids, **_shown(for_customer))
        for row in await query.order_by("id"):
            found[row.claim_id].append(row)
    for rows in found.values():
        rows.sort(key=lambda row: row.kind != "photo")
    return found


async def file_of(claim: Claim, file_id: int, *, for_customer: bool) -> ClaimFile:
    """One of the claim's files (the caller checked the claim is the actor's to see); an office
    record is NotFound for the customer."""
    row = await ClaimFile.get_or_none(id=file_id, claim_id=claim.id, **_shown(for_customer))
    if row is None:
        raise NotFound
    return row


async def thumbnail_of(store: Storage, claim: Claim, file_id: int, *, for_customer: bool) -> bytes:
    row = await file_of(claim, file_id, for_customer=for_customer)
    if row.thumbnail_key is None:
        raise NotFound
    return await store.read(row.thumbnail_key)


async def keys_of_contact(contact_id: int) -> list[str]:
    """Every stored file of the contact's claims (their photos, thumbnails and documents)."""
    rows = await ClaimFile.filter(claim__contact_id=contact_id).values(
        "storage_key", "thumbnail_key"
    )
    return [str(key) for row in rows for key in row.values() if key]
