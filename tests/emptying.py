"""Each test starts with empty tables: only the tables a test wrote to are emptied after it.

Tortoise's `truncate_all_models` truncates every table, ~0.4 s per test on PostgreSQL (a
TRUNCATE makes new files for each table and index) and ~130 DELETEs on SQLite. A test writes
to a few tables: one statement finds them, and their rows are deleted in one transaction.
On PostgreSQL the foreign keys' triggers are off for it (`session_replication_role`, which
needs a superuser, as the test server has one); elsewhere Tortoise's way is taken.
"""

from __future__ import annotations

from tortoise import Tortoise
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.contrib.test import truncate_all_models
from tortoise.exceptions import OperationalError


def _tables() -> list[str]:
    return sorted({model._meta.db_table for model in Tortoise.apps.get_models_iterable()})


def _client() -> BaseDBAsyncClient:
    return next(iter(Tortoise.apps.get_models_iterable()))._meta.db


async def written_tables() -> list[str]:
    """The tables that hold a row, in one statement."""
    probes = " UNION ALL ".join(
        f"SELECT '{table}' AS name WHERE EXISTS (SELECT 1 FROM \"{table}\")"  # noqa: S608
        for table in _tables()
    )
    _, rows = await _client().execute_query(probes)
    return [row["name"] for row in rows]


class _Emptier:
    superuser_refused = False

    async def empty(self) -> None:
        client = _client()
        dialect = client.capabilities.dialect
        if dialect not in ("postgres", "sqlite") or self.superuser_refused:
            await truncate_all_models()
            return
        tables = await written_tables()
        if not tables:
            return
        deletes = "".join(f'DELETE FROM "{table}";' for table in tables)
        if dialect == "sqlite":
            await client.execute_script("PRAGMA foreign_keys = OFF")
            try:
                await client.execute_script(deletes)
            finally:
                await client.execute_script("PRAGMA foreign_keys = ON")
            return
        try:
            await client.execute_script(
                f"BEGIN; SET LOCAL session_replication_role = replica; {deletes} COMMIT;"
            )
        except OperationalError:  # not a superuser: every table, Tortoise's way
            self.superuser_refused = True
            await truncate_all_models()


empty_all_tables = _Emptier().empty
