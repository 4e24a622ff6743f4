"""Copying every stored file from the local directory to another store, verified and resumable.

Every file any tenant stored (documents, attachments, photos, exports, imports, ...) lives
under STORAGE_DIR/<tenant id>/<hex name>, and its key is that path: walking the directory
finds them all without asking the database. Each copy is read back and its sha256 compared
with the local file's; a key already in the target with the same bytes is skipped, so an
interrupted run is simply started again. The local files stay: they go once the app runs on
the new store and a backup exists.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import anyio

from tenant_app.files.storage import LocalStorage, Storage, check_key

PROGRESS_EVERY = 100  # files between progress lines


@dataclass
class Migration:
    copied: int = 0
    present: int = 0  # already in the target with the same bytes
    repaired: int = 0  # in the target with other bytes, copied again
    copied_bytes: int = 0
    failed: list[str] = field(default_factory=list)  # "key: why"

    @property
    def seen(self) -> int:
        return self.copied + self.present + self.repaired + len(self.failed)


def stored_keys(root: Path) -> Iterator[str]:
    """Every key under `root` in a stable order; `.part` leftovers and strangers skipped."""
    if not root.is_dir():
        return
    for tenant_dir in sorted(root.iterdir(), key=lambda p: p.name):
        if not tenant_dir.is_dir():
            continue
        for path in sorted(tenant_dir.iterdir()):
            key = f"{tenant_dir.name}/{path.name}"
            try:
                check_key(key)
            except ValueError:
                continue
            if path.is_file():
                yield key


async def _local_sha256(source: LocalStorage, key: str) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    async for chunk in source.open(key):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


async def _target_sha256(target: Storage, key: str) -> str | None:
    """The sha256 of the target's object, or None when it has none under `key`."""
    digest = hashlib.sha256()
    try:
        async for chunk in target.open(key):
            digest.update(chunk)
    except FileNotFoundError:
        return None
    return digest.hexdigest()


async def _copy(source: LocalStorage, target: Storage, key: str) -> None:
    handle = await anyio.to_thread.run_sync((source.root / key).open, "rb")
    try:
        await target.save(key, handle)
    finally:
        await anyio.to_thread.run_sync(handle.close)


async def migrate_files(
    source: LocalStorage, target: Storage, say: Callable[[str], None]
) -> Migration:
    """Copy what the target lacks (or holds differently), verify each copy; `say` gets the
    progress lines. A store that fails on the way stops the run (the next run resumes)."""
    done = Migration()
    for key in stored_keys(source.root):
        expected, size = await _local_sha256(source, key)
        found = await _target_sha256(target, key)
        if found == expected:
            done.present += 1
        else:
            await _copy(source, target, key)
            if await _target_sha256(target, key) != expected:
                done.failed.append(f"{key}: the copy reads back different bytes")
            elif found is None:
                done.copied += 1
                done.copied_bytes += size
            else:
                done.repaired += 1
                done.copied_bytes += size
                say(f"{key}: was in the target with other bytes, copied again")
        if done.seen % PROGRESS_EVERY == 0:
            say(f"{done.seen} files checked, {done.copied + done.repaired} copied ...")
    return done
