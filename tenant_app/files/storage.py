"""File storage behind one small interface: a local directory, or an S3-compatible object
store (files/s3.py) with STORAGE_BACKEND=s3.

Keys are generated (`<tenant id>/<random hex>`), never derived from a user's file name.
"""

from __future__ import annotations

import errno
import os
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import BinaryIO, Protocol

import anyio

from tenant_app.settings import Settings

CHUNK = 64 * 1024  # bytes per write while storing: memory use does not grow with file size
READ_CHUNK = 512 * 1024  # bytes per read while serving: each read is a trip to a thread


class StorageFull(Exception):
    """No space (or quota) left where files are written; nothing of the file was kept.
    `reason` tells the error page what was refused: "" an upload, "export" an export."""

    def __init__(self, message: str = "", *, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason


class StorageUnavailable(Exception):
    """The object store could not be reached (or refused us); nothing of the file was kept.
    Unlike StorageFull nothing is for the admins to clear: it passes when the store is back."""


def disk_full(error: BaseException) -> bool:
    return isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT)


class Storage(Protocol):
    async def save(self, key: str, source: BinaryIO) -> int: ...

    def open(self, key: str) -> AsyncIterator[bytes]: ...

    async def read(self, key: str) -> bytes: ...

    async def delete(self, key: str) -> None: ...

    async def tenant_keys(self, tenant_id: int) -> list[str]:
        """Every key stored for the tenant (its firm's deletion removes each)."""
        ...

    def offload_path(self, key: str) -> str | None:
        """Where the front server serves the file itself (after the app's checks), or None."""
        ...

    def download_url(self, key: str, *, disposition: str, content_type: str) -> str | None:
        """A short-lived address the browser fetches the file from itself (issued after the
        app's checks), answered with this disposition and type; or None."""
        ...


def copy_chunks(source: BinaryIO, target: BinaryIO) -> int:
    """Copy in CHUNK-sized pieces (memory stays small); the bytes copied."""
    written = 0
    while chunk := source.read(CHUNK):
        target.write(chunk)
        written += len(chunk)
    return written


def check_key(key: str) -> tuple[str, str]:
    """The tenant part and the name of a generated key; ValueError for anything else (a key
    never reaches a path or an object name unchecked)."""
    tenant_part, _, name = key.partition("/")
    if not tenant_part.isdigit() or not name or not all(c in "0123456789abcdef" for c in name):
        raise ValueError("malformed storage key")
    return tenant_part, name


def _well_formed(key: str) -> bool:
    """A generated key, not a leftover such as a `.part` file."""
    try:
        check_key(key)
    except ValueError:
        return False
    return True


def new_key(tenant_id: int) -> str:
    return f"{tenant_id}/{secrets.token_hex(16)}"


class LocalStorage:
    """Files under STORAGE_DIR/<tenant id>/; writes go to a temp name, then an atomic rename."""

    def __init__(self, root: Path, offload: str = "") -> None:
        self.root = root
        self.offload = offload  # the front server's internal location for `root`, or ""

    def _path(self, key: str) -> Path:
        tenant_part, name = check_key(key)
        return self.root / tenant_part / name

    async def save(self, key: str, source: BinaryIO) -> int:
        """Store the file under `key`; bytes written. A failed save leaves nothing behind (not
        even the partial `.part` file: a full disk must not stay full); StorageFull if the
        disk or quota is full."""
        path = self._path(key)

        def write() -> int:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(".part")
            try:
                with temporary.open("wb") as target:
                    written = copy_chunks(source, target)
                    target.flush()
                    os.fsync(target.fileno())
                temporary.replace(path)
            except BaseException:
                temporary.unlink(missing_ok=True)
                raise
            return written

        try:
            return await anyio.to_thread.run_sync(write)
        except OSError as error:
            if disk_full(error):
                raise StorageFull(str(error)) from error
            raise

    async def open(self, key: str) -> AsyncIterator[bytes]:
        path = self._path(key)
        async with await anyio.open_file(path, "rb") as handle:
            while chunk := await handle.read(READ_CHUNK):
                yield chunk

    async def read(self, key: str) -> bytes:
        return await anyio.Path(self._path(key)).read_bytes()

    async def delete(self, key: str) -> None:
        path = self._path(key)
        await anyio.to_thread.run_sync(lambda: path.unlink(missing_ok=True))

    async def tenant_keys(self, tenant_id: int) -> list[str]:
        folder = self.root / str(tenant_id)

        def walk() -> list[str]:
            if not folder.is_dir():
                return []
            return sorted(f"{tenant_id}/{path.name}" for path in folder.iterdir() if path.is_file())

        return [key for key in await anyio.to_thread.run_sync(walk) if _well_formed(key)]

    def offload_path(self, key: str) -> str | None:
        if not self.offload:
            return None
        self._path(key)  # the same check of the key as for reading it here
        return self.offload + key

    def download_url(self, key: str, *, disposition: str, content_type: str) -> str | None:
        return None  # the app streams the file, or the front server does (offload_path)


def storage_for(settings: Settings) -> Storage:
    if settings.storage_backend == "s3":
        from tenant_app.files.s3 import S3Storage  # obstore loads only where it is used

        return S3Storage(settings)
    return LocalStorage(settings.storage_dir, settings.download_offload)
