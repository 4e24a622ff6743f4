"""The committed migrations match the models, and apply to an empty database."""

from __future__ import annotations

import os
import subprocess
import sys

from tortoise import Tortoise
from tortoise.migrations.autodetector import MigrationAutodetector

from tenant_app.db import tortoise_config


async def test_models_and_migrations_are_in_sync(settings) -> None:
    apps_config = tortoise_config(settings.database_url)["apps"]
    detector = MigrationAutodetector(Tortoise.apps, apps_config)
    pending = await detector.changes()
    described = [op.describe() for writer in pending for op in writer.operations]
    assert described == [], "models changed without a migration: run `tortoise makemigrations`"


def test_migrate_command_on_an_empty_database(tmp_path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite://{tmp_path / 'fresh.sqlite3'}"}
    first = subprocess.run(
        [sys.executable, "-m", "tenant_app.cli", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert first.returncode == 0, first.stderr
    again = subprocess.run(
        [sys.executable, "-m", "tenant_app.cli", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert again.returncode == 0 and "up to date" in again.stdout
