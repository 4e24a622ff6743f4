"""Which SQL each measured page sends, counted and EXPLAINed on the benchmark's database.

capture.py records the statements (from Tortoise's debug log, with their parameters) while
the app serves each page once; each SELECT of the repeat mode's request is run again here
under `EXPLAIN (ANALYZE)` on PostgreSQL, so the plans are those of the real statements on
the real data.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg

SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")
SMALL_TABLES = {"tenant", "tenant_host"}  # a sequential scan of these is the cheap plan


@dataclass
class Statement:
    sql: str
    values: tuple[Any, ...]
    plan: str = ""
    ms: float = 0.0  # execution time from EXPLAIN ANALYZE (a plan for these values)
    generic_plan: str = ""
    generic_ms: float = 0.0  # the same with the generic plan PostgreSQL reuses under load

    @property
    def seq_scans(self) -> list[str]:
        found = SEQ_SCAN.findall(self.plan) + SEQ_SCAN.findall(self.generic_plan)
        return sorted({t for t in found if t not in SMALL_TABLES})


@dataclass
class PageQueries:
    name: str
    path: str
    status: int
    statements: list[Statement] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)


async def _literal(conn: asyncpg.Connection, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return str(
        await conn.fetchval(
            "SELECT quote_nullable($1::text)", None if value is None else str(value)
        )
    )


def _plan(rows: Sequence[Any]) -> tuple[str, float]:
    lines = [row[0] for row in rows]
    ms = next((float(x.split()[2]) for x in lines if x.startswith("Execution Time:")), 0.0)
    return "\n".join(lines), ms


async def explain(database_url: str, pages: Sequence[PageQueries]) -> None:
    """Fill in each SELECT's plans (EXPLAIN ANALYZE) and execution times.

    Twice: planned for the statement's values, and with the generic plan. asyncpg prepares
    every statement, and after five runs PostgreSQL may keep a generic plan that knows no
    values, so estimates the tenant as an average one: that is the plan that runs under load.
    """
    conn = await asyncpg.connect(database_url)
    options = "EXPLAIN (ANALYZE, COSTS OFF, BUFFERS OFF) "
    try:
        for number, statement in enumerate(s for page in pages for s in page.statements):
            if not statement.sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            statement.plan, statement.ms = _plan(
                await conn.fetch(options + statement.sql, *statement.values)
            )
            name = f"bench_stmt_{number}"
            await conn.execute(f"PREPARE {name} AS {statement.sql}")
            await conn.execute("SET plan_cache_mode = force_generic_plan")
            try:
                # EXECUTE takes no bound parameters: its arguments are quoted by the server
                arguments = ", ".join([await _literal(conn, v) for v in statement.values])
                call = f"EXECUTE {name}({arguments})" if arguments else f"EXECUTE {name}"
                statement.generic_plan, statement.generic_ms = _plan(
                    await conn.fetch(options + call)
                )
            finally:
                await conn.execute("RESET plan_cache_mode")
                await conn.execute(f"DEALLOCATE {name}")
    finally:
        await conn.close()
