"""Which SQL each measured page sends, counted and EXPLAINed on the benchmark's database.

The app runs in this process (same settings as the servers, no mail worker) and serves one
request per page through httpx's ASGI transport; Tortoise's debug log names every statement
and its parameters. Each SELECT is then run again under `EXPLAIN (ANALYZE)` on PostgreSQL,
so the plans are those of the real statements on the real data.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx

SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")
SMALL_TABLES = {"tenant", "tenant_host"}  # a sequential scan of these is the cheap plan


@dataclass
class Statement:
    sql: str
    values: tuple[Any, ...]
    plan: str = ""
    ms: float = 0.0  # execution time from EXPLAIN ANALYZE

    @property
    def seq_scans(self) -> list[str]:
        return [t for t in SEQ_SCAN.findall(self.plan) if t not in SMALL_TABLES]


@dataclass
class PageQueries:
    name: str
    path: str
    status: int
    statements: list[Statement] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[Statement] = []

    def emit(self, record: logging.LogRecord) -> None:
        args = record.args if isinstance(record.args, tuple) else ()
        if len(args) == 2 and isinstance(args[0], str):
            self.statements.append(Statement(args[0], tuple(args[1] or ())))
        elif not record.getMessage().startswith(("Created connection", "Closed connection")):
            self.statements.append(Statement(record.getMessage(), ()))


async def capture(app: Any, pages: Sequence[tuple[str, str, str, str | None]]) -> list[PageQueries]:
    """One GET per (name, path, host, cookie); the statements each one sent."""
    logger = logging.getLogger("tortoise.db_client")
    results = []
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for name, path, host, cookie in pages:
                headers = {"Host": host}
                if cookie:
                    headers["Cookie"] = cookie
                await client.get(path, headers=headers)  # warm caches (tenant, templates)
                handler = _Capture()
                previous = logger.level, logger.propagate
                logger.setLevel(logging.DEBUG)
                logger.propagate = False  # into our handler only, not the app's log output
                logger.addHandler(handler)
                try:
                    response = await client.get(path, headers=headers)
                finally:
                    logger.removeHandler(handler)
                    logger.setLevel(previous[0])
                    logger.propagate = previous[1]
                results.append(PageQueries(name, path, response.status_code, handler.statements))
    return results


async def explain(database_url: str, pages: Sequence[PageQueries]) -> None:
    """Fill in each SELECT's plan (EXPLAIN ANALYZE) and execution time."""
    conn = await asyncpg.connect(database_url)
    try:
        for page in pages:
            for statement in page.statements:
                if not statement.sql.lstrip().upper().startswith(("SELECT", "WITH")):
                    continue
                rows = await conn.fetch(
                    "EXPLAIN (ANALYZE, COSTS OFF, BUFFERS OFF) " + statement.sql,
                    *statement.values,
                )
                lines = [row[0] for row in rows]
                statement.plan = "\n".join(lines)
                for line in lines:
                    if line.startswith("Execution Time:"):
                        statement.ms = float(line.split()[2])
    finally:
        await conn.close()
