"""Empty databases with the schema already migrated: the session's, and one each for tests
that start the CLI or a server process of their own.

Migrating from empty costs ~14 s of CPU per database (Tortoise re-renders the model state for
each operation of each migration), and a test about a command's output or a second process
does not test the migrations: those run from empty in tests/test_migrations.py, and once per
run into a template, with the operator's command. Each database of the run is a copy of it,
the session's own (conftest.py) too: a file for SQLite, a template database for PostgreSQL
(`CREATE DATABASE … TEMPLATE`). The copies are real databases of the same schema; the process
under test still runs its own `migrate` step, which finds them up to date.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import pytest

MIGRATE_TIMEOUT = 300  # seconds: the migrations from empty on a slow machine


def migrate(url: str) -> subprocess.CompletedProcess[str]:
    """`tenant-app migrate` on `url`, as an operator runs it; fails the test unless it did."""
    done = subprocess.run(
        [sys.executable, "-m", "tenant_app.cli", "migrate"],
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=MIGRATE_TIMEOUT,
    )
    assert done.returncode == 0, done.stderr
    return done


def pg_admin(server: str, statement: str) -> None:
    """One statement on the server's maintenance database, from a sync fixture (its own
    loop, so the test's loop is left alone)."""

    async def run() -> None:
        connection = await asyncpg.connect(f"{server}/postgres")
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(run())
    finally:
        loop.close()


@dataclass
class MigratedDatabases:
    """Hands out migrated empty databases; each template is made on first use."""

    scratch: Path
    pg_server: str = ""  # postgres://user@host:port when the run is on PostgreSQL
    _sqlite: Path | None = None
    _pg_template: str = ""
    _pg_made: list[str] = field(default_factory=list)

    def sqlite(self, path: Path) -> str:
        """A migrated SQLite file at `path`; its URL."""
        if self._sqlite is None:
            template = self.scratch / "template.sqlite3"
            migrate(f"sqlite://{template}")
            self._sqlite = template
        shutil.copyfile(self._sqlite, path)
        return f"sqlite://{path}"

    def postgres(self, name: str = "") -> str:
        """A new migrated PostgreSQL database (dropped at the end of the run unless `name`
        is given: then the caller drops it); its URL."""
        if not self._pg_template:
            template = f"tapp_template_{uuid.uuid4().hex[:10]}"
            pg_admin(self.pg_server, f'CREATE DATABASE "{template}"')
            self._pg_made.append(template)
            migrate(f"{self.pg_server}/{template}")
            self._pg_template = template
        if not name:
            name = f"tapp_cli_{uuid.uuid4().hex[:10]}"
            self._pg_made.append(name)
        pg_admin(self.pg_server, f'CREATE DATABASE "{name}" TEMPLATE "{self._pg_template}"')
        return f"{self.pg_server}/{name}"

    def of_this_run(self, path: Path) -> str:
        """On the run's database system (DATABASE_URL): PostgreSQL or a SQLite file at `path`."""
        return self.postgres() if self.pg_server else self.sqlite(path)

    def drop_all(self) -> None:
        for name in reversed(self._pg_made):
            pg_admin(self.pg_server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MigratedDatabases]:
    base = os.environ.get("DATABASE_URL", "")
    server = base.rsplit("/", 1)[0] if base.startswith(("postgres://", "postgresql://")) else ""
    databases = MigratedDatabases(tmp_path_factory.mktemp("migrated"), server)
    yield databases
    databases.drop_all()
