"""Data migrations: rows written before a migration end up as if written after it."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path


def _migrate(database: Path, target: str | None = None) -> None:
    code = (
        "import asyncio, os\n"
        "from tortoise import Tortoise\n"
        "from tortoise.migrations.api import migrate\n"
        "from tenant_app.db import tortoise_config\n"
        "async def main():\n"
        "    try:\n"
        "        config = tortoise_config(os.environ['DATABASE_URL'])\n"
        f"        await migrate(config=config, target={target!r})\n"
        "    finally:\n"
        "        await Tortoise.close_connections()\n"
        "asyncio.run(main())\n"
    )
    env = {**os.environ, "DATABASE_URL": f"sqlite://{database}"}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr


def _insert(db: sqlite3.Connection, table: str, **values: object) -> None:
    """A row with the given values; every other required column gets a blank of its type."""
    for _cid, name, kind, notnull, default, pk in db.execute(f"PRAGMA table_info({table})"):
        if name not in values and notnull and default is None and not pk:
            values[name] = 0 if "INT" in kind.upper() or "BOOL" in kind.upper() else "x"
    columns = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    db.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(values.values()))


def test_old_forward_and_staff_read_events_become_internal(tmp_path) -> None:
    database = tmp_path / "old.sqlite3"
    _migrate(database, "models.0009_tenant_version")
    with sqlite3.connect(database) as db:
        _insert(db, "tenant", id=1, slug="alt")
        _insert(db, "user_account", id=1, tenant_id=1, kind="staff", username="anna", email="a")
        _insert(db, "user_account", id=2, tenant_id=1, kind="customer", username="kai", email="k")
        _insert(db, "contact", id=1, tenant_id=1)
        _insert(db, "conversation", id=1, tenant_id=1, contact_id=1)
        events = [(1, "created", 2), (2, "forwarded", 1), (3, "read", 1), (4, "read", 2)]
        for event_id, kind, actor in events:
            _insert(
                db,
                "conversation_event",
                id=event_id,
                tenant_id=1,
                conversation_id=1,
                kind=kind,
                actor_id=actor,
                internal=0,
            )
    _migrate(database)
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT kind, actor_id, internal FROM conversation_event ORDER BY id")
        assert list(rows) == [
            ("created", 2, 0),
            ("forwarded", 1, 1),
            ("read", 1, 1),
            ("read", 2, 0),
        ]
