"""Hand-written SQL, portable between SQLite and PostgreSQL, with the tenant bound for you.

Statements name their parameters (`:contact_id`) and are turned into `?` or `$n` once per
dialect; values are always bound, never formatted into the SQL. A scoped statement must
name `:tenant_id`, and the helper binds it from the current tenant scope, the same scope
the ORM's manager reads: outside a tenant scope it raises `ScopeError`, and a caller cannot
pass a tenant of its own. `:tenant_literal` is the same tenant written into the SQL as an
integer, for the few statements whose plans must see the tenant's own statistics.
Statements that truly span tenants (host lookup, outbox, housekeeping) say so with
`unscoped`.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any, TypeVar

from tortoise import connections
from tortoise.models import Model

from tenant_app.models.scoping import current_tenant_id

_NAME = re.compile(r"(?<![:\w]):([a-z_][a-z0-9_]*)")
_TENANT_NAMES = ("tenant_id", "tenant_literal")


class UnscopedStatement(ValueError):
    """A scoped statement that does not filter by the tenant."""


def _client() -> Any:
    return connections.get("default")


@lru_cache(maxsize=1024)
def _compile(sql: str, dialect: str) -> tuple[str, tuple[str, ...]]:
    """`:name` -> `$n` (one number per name) on PostgreSQL, `?` per occurrence on SQLite."""
    order: list[str] = []

    def mark(match: re.Match[str]) -> str:
        name = match.group(1)
        if dialect == "postgres":
            if name not in order:
                order.append(name)
            return f"${order.index(name) + 1}"
        order.append(name)
        return "?"

    return _NAME.sub(mark, sql), tuple(order)


def _prepare(sql: str, params: dict[str, Any], client: Any) -> tuple[str, list[Any]]:
    compiled, order = _compile(sql, str(client.capabilities.dialect))
    try:
        return compiled, [params[name] for name in order]
    except KeyError as missing:
        raise TypeError(f"no value for :{missing.args[0]}") from None


def _scoped(sql: str, params: dict[str, Any], client: Any) -> tuple[str, list[Any]]:
    if any(name in params for name in _TENANT_NAMES):
        raise TypeError("the tenant is bound from the scope, never passed in")
    tenant_id = current_tenant_id()  # raises ScopeError outside a tenant scope
    if ":tenant_literal" in sql:
        sql = sql.replace(":tenant_literal", str(int(tenant_id)))
    elif ":tenant_id" not in sql:
        raise UnscopedStatement("a scoped statement must filter by :tenant_id")
    return _prepare(sql, {**params, "tenant_id": tenant_id}, client)


async def fetch_all(sql: str, **params: Any) -> list[dict[str, Any]]:
    """Rows of a statement about the current tenant's data."""
    client = _client()  # looked up once: the lookup costs as much as the rest around a query
    compiled, values = _scoped(sql, params, client)
    return list(await client.execute_query_dict(compiled, values))


async def fetch_one(sql: str, **params: Any) -> dict[str, Any] | None:
    rows = await fetch_all(sql, **params)
    return rows[0] if rows else None


async def execute(sql: str, **params: Any) -> None:
    client = _client()
    compiled, values = _scoped(sql, params, client)
    await client.execute_query(compiled, values)


class _Unscoped:
    """Statements across tenants, or on tables no tenant owns. Named at every use."""

    @staticmethod
    async def fetch_all(sql: str, **params: Any) -> list[dict[str, Any]]:
        client = _client()
        compiled, values = _prepare(sql, params, client)
        return list(await client.execute_query_dict(compiled, values))

    async def fetch_one(self, sql: str, **params: Any) -> dict[str, Any] | None:
        rows = await self.fetch_all(sql, **params)
        return rows[0] if rows else None

    @staticmethod
    async def execute(sql: str, **params: Any) -> None:
        client = _client()
        compiled, values = _prepare(sql, params, client)
        await client.execute_query(compiled, values)


unscoped = _Unscoped()


M = TypeVar("M", bound=Model)


def as_model(model: type[M], row: dict[str, Any]) -> M:
    """A model object from a row of all its table's columns (`SELECT *`), as the ORM makes
    it from its own queries (values converted, saved state), for reads too hot to have their
    SQL built by the ORM on every request."""
    return model._init_from_db(**row)


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


# The database's clock in whole unix seconds. Several hosts share claims, rate windows and
# sessions, so whatever they decide together is timed by this one clock, never by a host's:
# a host whose clock runs ahead would otherwise see live claims, windows or sessions as
# expired. PostgreSQL's clock_timestamp() is the real time even late in a long transaction;
# SQLite's 'now' is fixed for one statement.
_DB_NOW = {
    "postgres": "CAST(FLOOR(EXTRACT(EPOCH FROM clock_timestamp())) AS BIGINT)",
    "sqlite": "CAST(strftime('%s', 'now') AS INTEGER)",
}


def db_now() -> str:
    """SQL for the database's clock (whole unix seconds) in the current dialect."""
    return _DB_NOW["postgres" if dialect_name() == "postgres" else "sqlite"]


async def database_time() -> datetime:
    """The database's clock, for a timestamp that another host will compare with it."""
    rows = await unscoped.fetch_all(f"SELECT {db_now()} AS now")  # noqa: S608 - a constant
    return datetime.fromtimestamp(int(rows[0]["now"]), UTC)
