"""The backup procedure of the README: scripts/backup.sh, then scripts/restore.sh elsewhere."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from tenant_app.files.storage import LocalStorage, new_key
from tenant_app.models.contacts import Contact
from tenant_app.models.scoping import tenant_scope
from tenant_app.settings import Settings

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
        reason="backups are pg_dump's: PostgreSQL only (DATABASE_URL=postgres://...)",
    ),
    pytest.mark.skipif(not shutil.which("pg_dump"), reason="pg_dump is not installed"),
]


async def _row_counts(url: str) -> dict[str, int]:
    connection = await asyncpg.connect(url)
    try:
        tables = await connection.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
        return {
            row["tablename"]: await connection.fetchval(f'SELECT count(*) FROM "{row[0]}"')
            for row in tables
        }
    finally:
        await connection.close()


def _run(script: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHON": sys.executable, "STORAGE_BACKEND": "local", **env}
    return subprocess.run(
        ["sh", str(SCRIPTS / script), *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_backup_restores_rows_and_files(
    tenant: Any, settings: Settings, tmp_path: Path
) -> None:
    with tenant_scope(tenant.tenant.id):
        await Contact.create(
            first_name="Jana", last_name="Jäger", email="j@k.example", birthdate=date(1979, 1, 2)
        )
    key = new_key(tenant.tenant.id)
    payload = b"%PDF-1.4 Police " + uuid.uuid4().bytes
    await LocalStorage(settings.storage_dir).save(key, io.BytesIO(payload))
    exports = Path(settings.storage_dir).parent / "exports"  # a deleted firm's archive
    exports.mkdir(exist_ok=True)
    (exports / "gone-20260101-000000.zip").write_bytes(b"PK archive")

    made = _run(
        "backup.sh",
        str(tmp_path / "backups"),
        DATABASE_URL=settings.database_url,
        STORAGE_DIR=str(settings.storage_dir),
    )
    assert made.returncode == 0, made.stderr
    backup = Path(made.stdout.strip().splitlines()[-1])
    assert backup.parent == tmp_path / "backups" and (backup / "database.dump").is_file()

    server = settings.database_url.rsplit("/", 1)[0]
    target = f"restore_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(f"{server}/postgres")
    await admin.execute(f'CREATE DATABASE "{target}"')
    try:
        restored_files = tmp_path / "restored" / "files"
        env = {"DATABASE_URL": f"{server}/{target}", "STORAGE_DIR": str(restored_files)}
        done = _run("restore.sh", str(backup), **env)
        assert done.returncode == 0, done.stderr
        source_counts = await _row_counts(settings.database_url)
        assert source_counts["contact"] == 1 and source_counts["tenant"] >= 1
        assert await _row_counts(f"{server}/{target}") == source_counts
        assert (restored_files / key).read_bytes() == payload
        restored_export = tmp_path / "restored" / "exports" / "gone-20260101-000000.zip"
        assert restored_export.read_bytes() == b"PK archive"

        again = _run("restore.sh", str(backup), **env)  # never over a database in use
        assert again.returncode != 0 and "already has tables" in again.stderr
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        await admin.close()


def test_a_damaged_backup_is_refused(tmp_path: Path) -> None:
    backup = tmp_path / "20260101T000000Z"
    (backup / "files").mkdir(parents=True)
    (backup / "database.dump").write_bytes(b"dump")
    (backup / "SHA256SUMS").write_text("0" * 64 + "  database.dump\n")
    done = _run("restore.sh", str(backup), DATABASE_URL="postgres://nobody@127.0.0.1:1/x")
    assert done.returncode != 0 and "FAILED" in done.stderr + done.stdout
