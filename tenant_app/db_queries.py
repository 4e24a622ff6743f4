"""Hand-written SQL for hot paths, portable between SQLite and PostgreSQL.

Queries are written with `{0}`, `{1}`... placeholders and turned into `?` or `$n`
once per dialect; values are always bound, never formatted into the SQL.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from tortoise import connections


def _client() -> Any:
    return connections.get("default")


@lru_cache(maxsize=256)
def _compile(sql: str, dialect: str) -> str:
    count = sql.count("{")
    marks = [f"${i + 1}" if dialect == "postgres" else "?" for i in range(count)]
    return sql.format(*marks)


def as_datetime(value: Any) -> datetime:
    """A timezone-aware datetime from a raw row (SQLite returns text, PostgreSQL datetimes)."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def as_date(value: Any) -> date | None:
    """A date from a raw row (SQLite returns text, PostgreSQL dates), None for NULL."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def dialect_name() -> str:
    return str(_client().capabilities.dialect)


def compiled(sql: str) -> str:
    return _compile(sql, _client().capabilities.dialect)


async def fetch_all(sql: str, *values: Any) -> list[dict[str, Any]]:
    client = _client()
    return list(await client.execute_query_dict(compiled(sql), list(values)))


async def fetch_one(sql: str, *values: Any) -> dict[str, Any] | None:
    rows = await fetch_all(sql, *values)
    return rows[0] if rows else None


async def execute(sql: str, *values: Any) -> None:
    await _client().execute_query(compiled(sql), list(values))
