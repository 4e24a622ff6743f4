"""`tenant-app storage migrate --to s3`: every tenant's files from STORAGE_DIR into the bucket,
verified, resumable; run as a real process against SeaweedFS."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tenant_app.files.migrate import migrate_files
from tenant_app.files.s3 import S3Storage
from tenant_app.files.storage import LocalStorage, new_key
from tests.s3_server import S3Server


def _run(root: Path, s3_server: S3Server, bucket: str) -> subprocess.CompletedProcess[str]:
    values = s3_server.settings(bucket)
    env = {
        **os.environ,
        "STORAGE_DIR": str(root),
        "S3_ENDPOINT": str(values["s3_endpoint"]),
        "S3_BUCKET": bucket,
        "S3_ACCESS_KEY_ID": str(values["s3_access_key_id"]),
        "S3_SECRET_ACCESS_KEY": str(values["s3_secret_access_key"]),
        "S3_REGION": str(values["s3_region"]),
        "S3_PATH_STYLE": "true",
    }
    return subprocess.run(
        [sys.executable, "-m", "tenant_app.cli", "storage", "migrate", "--to", "s3"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


async def _files(root: Path) -> dict[str, bytes]:
    """Files of two tenants, one large enough for a multipart upload, and a `.part` leftover."""
    local = LocalStorage(root)
    files = {
        new_key(tenant): os.urandom(size) for tenant, size in ((3, 1000), (3, 0), (4, 7_000_000))
    }
    for key, data in files.items():
        await local.save(key, io.BytesIO(data))
    (root / "4" / "abc.part").write_bytes(b"half")  # an interrupted local write: not a file
    return files


async def test_migrate_copies_every_file_verified_and_a_second_run_copies_nothing(
    tmp_path, s3_settings, s3_server
) -> None:
    root = tmp_path / "files"
    files = await _files(root)
    first = _run(root, s3_server, s3_settings.s3_bucket)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Done: 3 copied (6.7 MB), 0 already there, 0 copied again" in first.stdout

    store = S3Storage(s3_settings)
    for key, data in files.items():
        assert await store.read(key) == data
    assert sorted(s3_server.keys(s3_settings.s3_bucket)) == sorted(files)  # no .part

    again = _run(root, s3_server, s3_settings.s3_bucket)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Done: 0 copied (0.0 MB), 3 already there, 0 copied again" in again.stdout


async def test_an_interrupted_or_corrupted_copy_is_completed_by_the_next_run(
    tmp_path, s3_settings, s3_server
) -> None:
    root = tmp_path / "files"
    files = await _files(root)
    store = S3Storage(s3_settings)
    keys = sorted(files)
    await store.save(keys[0], io.BytesIO(files[keys[0]]))  # copied before an interruption
    await store.save(keys[1], io.BytesIO(b"not the same bytes"))  # a damaged object

    run = _run(root, s3_server, s3_settings.s3_bucket)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 already there, 1 copied again" in run.stdout
    assert f"{keys[1]}: was in the target with other bytes, copied again" in run.stdout
    for key, data in files.items():
        assert await store.read(key) == data


async def test_a_copy_that_reads_back_different_is_reported_and_fails_the_run(
    tmp_path, s3_settings
) -> None:
    root = tmp_path / "files"
    files = await _files(root)

    class Garbling(S3Storage):
        async def save(self, key: str, source: Any) -> int:
            source.read(1)  # one byte lost on the way
            return await super().save(key, source)

    lines: list[str] = []
    done = await migrate_files(LocalStorage(root), Garbling(s3_settings), lines.append)
    # the empty file loses nothing; the others are reported
    assert sorted(f.split(":")[0] for f in done.failed) == sorted(k for k, v in files.items() if v)
    assert done.copied == 1


def test_migrate_needs_the_bucket_settings(tmp_path) -> None:
    env = {**os.environ, "STORAGE_DIR": str(tmp_path), "S3_ENDPOINT": "", "S3_BUCKET": ""}
    run = subprocess.run(
        [sys.executable, "-m", "tenant_app.cli", "storage", "migrate", "--to", "s3"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2 and "S3_ENDPOINT" in run.stderr
