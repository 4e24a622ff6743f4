"""A failed upload leaves no file behind, whatever failed; a full disk answers 507 with a page
that says so, records nothing, and tells the administrators (at most once an hour)."""

from __future__ import annotations

import asyncio
import dataclasses
import errno
import io
import tempfile
from typing import Any, BinaryIO

import pytest

from tenant_app.files import storage
from tenant_app.files.storage import LocalStorage, StorageFull, new_key
from tenant_app.models.folders import Document
from tenant_app.models.mail import OutboxMail
from tenant_app.models.scoping import tenant_scope
from tenant_app.services import documents
from tests.conftest import actor_of, make_customer
from tests.folder_helpers import PDF_BYTES

BIG_PDF = PDF_BYTES + b"%" + b"x" * (3 * storage.CHUNK)  # several chunks: a partial write exists


def _files(settings: Any, tenant: Any, pattern: str = "*") -> list[str]:
    folder = settings.storage_dir / str(tenant.tenant.id)
    return sorted(path.name for path in folder.glob(pattern)) if folder.exists() else []


def _disk_fills_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """The storage's file write fails after the first chunk, as on a full disk."""

    def copy(source: BinaryIO, target: BinaryIO) -> int:
        target.write(source.read(storage.CHUNK))
        target.flush()
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage, "copy_chunks", copy)


async def _upload(client: Any, contact_id: int, data: bytes, title: str = "Police") -> Any:
    token = await client.csrf(f"/staff/contacts/{contact_id}/folders/insurance")
    return await client.post(
        f"/staff/contacts/{contact_id}/documents",
        files={
            "csrf_token": (None, token),
            "folder": (None, "insurance"),
            "contract_id": (None, ""),
            "title": (None, title),
            "file": ("police.pdf", data, "application/pdf"),
        },
        headers={"Origin": f"http://{client.host}"},
    )


async def test_a_full_disk_answers_507_keeps_nothing_and_tells_the_admin(
    client, tenant, passwords, settings, monkeypatch
) -> None:
    contact = await make_customer(tenant, passwords)
    await client.log_in("alpha-admin")
    _disk_fills_up(monkeypatch)

    refused = await _upload(client, contact.id, BIG_PDF)
    assert refused.status_code == 507
    assert "Speicher voll" in refused.text and "Administration ist informiert" in refused.text
    again = await _upload(client, contact.id, BIG_PDF)
    assert again.status_code == 507

    assert _files(settings, tenant) == []  # no .part file, no file at all
    with tenant_scope(tenant.tenant.id):
        assert await Document.all().count() == 0
        mails = await OutboxMail.filter(to_address="chef@alpha.example", kind="storage_full")
    assert len(mails) == 1  # once, however many uploads fail within the hour
    assert "Dateispeicher" in mails[0].subject

    monkeypatch.undo()  # space freed: a normal upload works again
    assert (await _upload(client, contact.id, PDF_BYTES)).status_code == 303
    with tenant_scope(tenant.tenant.id):
        assert await Document.all().count() == 1


async def test_a_disk_too_full_to_receive_the_upload_answers_507(
    client, tenant, passwords, settings, monkeypatch
) -> None:
    """The upload is spooled to a temporary file before it reaches the storage."""

    class FullSpool(tempfile.SpooledTemporaryFile):  # type: ignore[type-arg]
        def write(self, data: Any) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    contact = await make_customer(tenant, passwords)
    await client.log_in("alpha-admin")
    monkeypatch.setattr("starlette.formparsers.SpooledTemporaryFile", FullSpool)
    response = await _upload(client, contact.id, PDF_BYTES)
    assert response.status_code == 507 and "Speicher voll" in response.text
    with tenant_scope(tenant.tenant.id):
        assert await Document.all().count() == 0


@pytest.mark.parametrize(
    ("data", "limit"),
    [
        (b"MZ\x90\x00 not a document", None),  # a type that is not allowed
        (BIG_PDF, 1024),  # too large
        (b"", None),  # empty
    ],
)
async def test_refused_uploads_leave_no_file(
    app, client, tenant, passwords, settings, data, limit
) -> None:
    contact = await make_customer(tenant, passwords)
    await client.log_in("alpha-admin")
    if limit:  # (app.state is no plain object: monkeypatch would not restore it)
        app.state.settings = dataclasses.replace(settings, max_upload_bytes=limit)
    try:
        response = await _upload(client, contact.id, data)
    finally:
        app.state.settings = settings
    assert response.status_code == 422
    assert _files(settings, tenant) == []
    with tenant_scope(tenant.tenant.id):
        assert await Document.all().count() == 0


async def test_a_failing_write_removes_its_partial_file(settings, monkeypatch) -> None:
    store = LocalStorage(settings.storage_dir)
    key = new_key(424242)
    _disk_fills_up(monkeypatch)
    with pytest.raises(StorageFull):
        await store.save(key, io.BytesIO(BIG_PDF))
    monkeypatch.undo()

    class Broken(io.BytesIO):  # the source fails midway (e.g. a spool file that cannot be read)
        def read(self, size: int | None = -1) -> bytes:
            if self.tell() >= storage.CHUNK:
                raise OSError(errno.EIO, "I/O error")
            return super().read(size)

    with pytest.raises(OSError, match="I/O error"):
        await store.save(key, Broken(BIG_PDF))
    assert list((settings.storage_dir / "424242").iterdir()) == []


async def test_a_cancelled_upload_removes_the_stored_file(
    tenant, passwords, settings, monkeypatch
) -> None:
    """The client is gone just after the file was stored: its row is never written, so the
    file goes too (the removal itself is shielded from the cancellation)."""
    contact = await make_customer(tenant, passwords)
    with tenant_scope(tenant.tenant.id):

        async def cancelled(*args: Any, **kwargs: Any) -> None:
            raise asyncio.CancelledError

        monkeypatch.setattr(Document, "create", cancelled)
        actor = await actor_of("alpha-admin")
        with pytest.raises(asyncio.CancelledError):
            await documents.add_document(
                actor,
                LocalStorage(settings.storage_dir),
                contact_id=contact.id,
                upload=documents.Upload(io.BytesIO(PDF_BYTES), "police.pdf", len(PDF_BYTES)),
                values={"title": "Police"},
                max_bytes=settings.max_upload_bytes,
                folder="insurance",
            )
    assert _files(settings, tenant) == []
