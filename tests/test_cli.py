"""The operator's `tenant-app` command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.migrated import MigratedDatabases


@pytest.fixture(autouse=True)
def _schema(tmp_path: Path, migrated: MigratedDatabases) -> None:
    """The command's database, migrated (the command's own `migrate` step finds it so)."""
    migrated.sqlite(tmp_path / "cli.sqlite3")


def _run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite://{tmp_path / 'cli.sqlite3'}",
        "ARGON2_PROFILE": "fast",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "tenant_app.cli", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_tenant_create_prints_how_the_admin_gets_in(tmp_path) -> None:
    result = _run(
        tmp_path,
        "tenant",
        "create",
        "--slug",
        "mueller",
        "--name",
        "Müller Makler",
        "--admin-email",
        "chef@mueller.example",
        "--admin-first-name",
        "Jörg",
        "--admin-last-name",
        "Müller",
    )
    assert result.returncode == 0, result.stderr
    assert "http://mueller.localhost:8000/login" in result.stdout
    assert "Admin login: joerg.mueller" in result.stdout
    assert "Initial password: " in result.stdout


@pytest.mark.parametrize("slug", ["www", "admin", "api", "-bad", "Bad_Slug", "a" * 64])
def test_bad_slugs_are_refused_with_a_clear_error(tmp_path, slug) -> None:
    result = _run(
        tmp_path,
        "tenant",
        "create",
        f"--slug={slug}",
        "--name",
        "X",
        "--admin-email",
        "x@x.example",
    )
    assert result.returncode == 2
    assert "error: slug:" in result.stderr


def test_duplicate_slug_is_refused(tmp_path) -> None:
    args = ("tenant", "create", "--slug", "dup", "--name", "Dup", "--admin-email", "a@dup.example")
    assert _run(tmp_path, *args).returncode == 0
    again = _run(tmp_path, *args)
    assert again.returncode == 2 and "already exists" in again.stderr


def test_production_refuses_to_start_without_secret(tmp_path) -> None:
    result = _run(tmp_path, "migrate", APP_ENV="production", SECRET_KEY="")
    assert result.returncode == 2
    assert "SECRET_KEY" in result.stderr


def test_demo_is_created_once(tmp_path) -> None:
    first = _run(tmp_path, "demo", "--no-serve")
    assert first.returncode == 0, first.stderr
    assert "http://demo.localhost:8000/login" in first.stdout
    second = _run(tmp_path, "demo", "--no-serve")
    assert second.returncode == 0, second.stderr
