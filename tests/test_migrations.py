"""The committed migrations match the models, and apply to an empty database."""

from __future__ import annotations

import uuid

from tortoise import Tortoise
from tortoise.migrations.autodetector import MigrationAutodetector

from tenant_app.db import tortoise_config
from tests.migrated import migrate, pg_admin


async def test_models_and_migrations_are_in_sync(settings) -> None:
    apps_config = tortoise_config(settings.database_url)["apps"]
    detector = MigrationAutodetector(Tortoise.apps, apps_config)
    pending = await detector.changes()
    described = [op.describe() for writer in pending for op in writer.operations]
    assert described == [], "models changed without a migration: run `tortoise makemigrations`"


def test_migrate_command_on_an_empty_database(tmp_path, migrated) -> None:
    """The operator's command on an empty database of the run's kind (SQLite, or PostgreSQL
    under DATABASE_URL), and again: nothing left to do. CI relies on this for both kinds."""
    if not migrated.pg_server:
        url = f"sqlite://{tmp_path / 'fresh.sqlite3'}"
    else:
        name = f"tapp_empty_{uuid.uuid4().hex[:10]}"
        pg_admin(migrated.pg_server, f'CREATE DATABASE "{name}"')
        url = f"{migrated.pg_server}/{name}"
    try:
        migrate(url)
        assert "up to date" in migrate(url).stdout
    finally:
        if migrated.pg_server:
            pg_admin(migrated.pg_server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
