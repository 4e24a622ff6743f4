"""One storage suite, run against each backend: the local directory and a real S3 server."""

from __future__ import annotations

import hashlib
import io
import os
import re
import threading
import time
from pathlib import Path

import pytest

from tenant_app.files.storage import Storage, new_key

BIG_BYTES = 96 * 1024 * 1024
MEMORY_SLACK_MB = 40  # what a store may hold meanwhile (S3: a few 5 MB parts), not the file


class Zeros(io.RawIOBase):
    """A readable file of `size` bytes that exists nowhere: memory stays the reader's own."""

    def __init__(self, size: int) -> None:
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        step = min(len(buffer), self.left)
        buffer[:step] = b"\0" * step
        self.left -= step
        return step


def _rss_mb() -> float:
    found = re.search(r"VmRSS:\s+(\d+)", Path("/proc/self/status").read_text())
    return int(found.group(1)) / 1024 if found else 0.0


class PeakMemory(threading.Thread):
    """Samples this process's resident memory every 5 ms until stopped."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.before = _rss_mb()
        self.peak = self.before
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.peak = max(self.peak, _rss_mb())
            time.sleep(0.005)

    def growth(self) -> float:
        self.done.set()
        self.join()
        return self.peak - self.before


async def test_a_saved_file_reads_back_and_is_gone_after_delete(store: Storage) -> None:
    key = new_key(7)
    data = os.urandom(200_000)
    assert await store.save(key, io.BytesIO(data)) == len(data)
    assert await store.read(key) == data
    assert b"".join([chunk async for chunk in store.open(key)]) == data
    await store.delete(key)
    with pytest.raises(FileNotFoundError):
        await store.read(key)


async def test_an_empty_file_and_a_file_of_exactly_one_part(store: Storage) -> None:
    for size in (0, 5 * 1024 * 1024):
        key = new_key(7)
        data = os.urandom(size)
        assert await store.save(key, io.BytesIO(data)) == size
        assert await store.read(key) == data


async def test_a_large_file_streams_both_ways_with_flat_memory(store: Storage) -> None:
    key = new_key(7)
    watch = PeakMemory()
    watch.start()
    assert await store.save(key, io.BufferedReader(Zeros(BIG_BYTES))) == BIG_BYTES
    assert watch.growth() < MEMORY_SLACK_MB

    watch = PeakMemory()
    watch.start()
    digest, size = hashlib.sha256(), 0
    async for chunk in store.open(key):
        digest.update(chunk)
        size += len(chunk)
    assert watch.growth() < MEMORY_SLACK_MB
    assert size == BIG_BYTES
    assert digest.hexdigest() == hashlib.sha256(b"\0" * BIG_BYTES).hexdigest()
    await store.delete(key)


async def test_a_missing_key_is_file_not_found_and_deleting_it_is_no_error(
    store: Storage,
) -> None:
    key = new_key(7)
    with pytest.raises(FileNotFoundError):
        await store.read(key)
    with pytest.raises(FileNotFoundError):
        [chunk async for chunk in store.open(key)]
    await store.delete(key)  # already gone: nothing to do


@pytest.mark.parametrize(
    "key", ["../etc/passwd", "7/../../x", "7/ABCDEF", "x/abc", "7/", "/abc", "7/ab/cd", "7"]
)
async def test_a_malformed_key_is_refused_before_anything_happens(store: Storage, key: str) -> None:
    with pytest.raises(ValueError, match="malformed"):
        await store.save(key, io.BytesIO(b"x"))
    with pytest.raises(ValueError, match="malformed"):
        await store.read(key)
    with pytest.raises(ValueError, match="malformed"):
        [chunk async for chunk in store.open(key)]
    with pytest.raises(ValueError, match="malformed"):
        await store.delete(key)


async def test_keys_of_two_tenants_do_not_meet(store: Storage) -> None:
    mine, theirs = new_key(7), new_key(8)
    await store.save(mine, io.BytesIO(b"mine"))
    await store.save(theirs, io.BytesIO(b"theirs"))
    assert await store.read(mine) == b"mine"
    assert await store.read(theirs) == b"theirs"
    # A firm's deletion lists its keys: its own only (7 is no prefix of 70's). The store is
    # shared with the other tests of this module, so other keys of 7 may be there too.
    other = new_key(70)
    await store.save(other, io.BytesIO(b"seventy"))
    sevens, seventies = await store.tenant_keys(7), await store.tenant_keys(70)
    assert mine in sevens and theirs not in sevens and other not in sevens
    assert other in seventies and mine not in seventies
    assert all(key.startswith("7/") for key in sevens)
    assert await store.tenant_keys(999_999) == []
