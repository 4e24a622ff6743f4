"""Tortoise configuration, shared by the app, the CLI and the tests."""

from __future__ import annotations

import asyncio
import os
import socket
from pathlib import Path
from typing import Any

import asyncpg
from tortoise import Tortoise
from tortoise.backends.asyncpg.client import AsyncpgDBClient
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.exceptions import (
    DBConnectionError,
    IntegrityError,
    OperationalError,
    TransactionManagementError,
)
from tortoise.migrations.api import migrate as _migrate

from tenant_app.models import MODEL_MODULES
from tenant_app.settings import Settings


async def _keep_session(connection: Any) -> None:
    """asyncpg's pool reset, minus its round trip (see `_connection`)."""


class _BoundedPool(asyncpg.Pool):  # type: ignore[misc]  # asyncpg is untyped
    """asyncpg's pool, waiting at most `acquire_timeout` for a free connection by default,
    and without asyncpg's two helper tasks per query when nothing needs waiting for.

    Tortoise acquires without a timeout: while the database does not answer, every request
    would queue behind the stuck connections for as long as the database stays frozen.

    Tortoise takes a connection from the pool for every statement. asyncpg bounds the wait
    for it with `wait_for` and returns it under `shield`: a task each, ~40 µs of CPU per
    statement, a third of a simple query's cost. A free connection nobody waits for needs no
    bounded wait, and a clean one (no transaction, not cancelling, not due to be closed)
    needs no work to go back: the reset is `_keep_session`, which does nothing. Every other
    case goes asyncpg's way; while tasks wait, they are served in turn.
    This leans on asyncpg's internals (the version is pinned); tests/test_db_pool.py holds
    both ways to what they must do.
    """

    acquire_timeout: float | None = None
    _handoffs = 0  # connections given back to a waiting task that has not taken them yet

    def acquire(self, *, timeout: float | None = None) -> Any:
        return super().acquire(timeout=self.acquire_timeout if timeout is None else timeout)

    async def _acquire(self, timeout: float | None) -> Any:  # noqa: ASYNC109 - asyncpg's
        if timeout is None or self._queue.empty() or self._handoffs or self._waiting():
            return await super()._acquire(timeout)  # in turn: its task runs after theirs
        proxy = await super()._acquire(None)  # a holder is free: taken without waiting
        proxy._holder._timeout = timeout  # what release() would have been bounded by
        return proxy

    async def release(self, connection: Any, *, timeout: float | None = None) -> None:  # noqa: ASYNC109
        holder = getattr(connection, "_holder", None)
        con = getattr(connection, "_con", None)
        if holder is None or con is None or holder._pool is not self or not _clean(con, holder):
            await super().release(connection, timeout=timeout)
            return
        handing_off = self._waiting()  # the release wakes the first of them
        con._on_release()  # what asyncpg's release does, in its order, minus the no-op reset
        holder._timeout = None
        holder._release()
        holder._setup_inactive_callback()
        if handing_off:
            # A turn of the loop, so the woken task takes it before this one (a page's next
            # statement) or any other asks again: overtaken, waiting pages starved (p99).
            self._handoffs += 1
            try:
                await asyncio.sleep(0)
            finally:
                self._handoffs -= 1

    def _waiting(self) -> bool:
        """Whether tasks wait for a connection (they are served in turn, not overtaken)."""
        return bool(getattr(self._queue, "_getters", None))


def _clean(con: Any, holder: Any) -> bool:
    """A connection that may go back to the pool as it is (see _BoundedPool)."""
    protocol = con._protocol
    return bool(
        holder._pool._reset is _keep_session
        and not con.is_closed()
        and not protocol.is_in_transaction()
        and con._top_xact is None
        and not protocol._is_cancelling()
        and protocol.queries_count < holder._max_queries
        and holder._generation == holder._pool._generation
        and not con._listeners
        and not con._log_listeners
    )


class PostgresClient(AsyncpgDBClient):
    """Tortoise's asyncpg client on a `_BoundedPool` (credential `acquire_timeout`, seconds)."""

    def __init__(self, *, acquire_timeout: float | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.acquire_timeout = acquire_timeout

    async def execute_query_dict(
        self, query: str, values: list[Any] | None = None
    ) -> list[dict[str, Any]]:
        """Tortoise's, minus its two wrapper coroutines and its connection wrapper (a sixth of
        a short query's CPU): the same log line, the same exceptions, the same pool."""
        pool = self._pool
        if pool is None:  # not connected yet: Tortoise's way connects
            return list(await super().execute_query_dict(query, values))
        self.log.debug("%s: %s", query, values)
        try:
            connection = await pool.acquire()
            try:
                rows = await connection.fetch(query, *(values or ()))
            finally:
                await pool.release(connection)
        except (asyncpg.SyntaxOrAccessError, asyncpg.exceptions.DataError) as exc:
            raise OperationalError(exc) from exc
        except asyncpg.IntegrityConstraintViolationError as exc:
            raise IntegrityError(exc) from exc
        except asyncpg.InvalidTransactionStateError as exc:
            raise TransactionManagementError(exc) from exc
        return [dict(row) for row in rows]

    async def create_pool(self, **kwargs: Any) -> asyncpg.Pool:
        # asyncpg.create_pool's defaults, which the Pool constructor itself does not have
        pool = _BoundedPool(
            None,
            **{"max_queries": 50_000, "max_inactive_connection_lifetime": 300.0, **kwargs},
            record_class=asyncpg.Record,
        )
        pool.acquire_timeout = self.acquire_timeout
        return await pool


# This module is also the Tortoise engine (`"engine": "tenant_app.db"`) of `PostgresClient`.
client_class = PostgresClient


def is_postgres(database_url: str) -> bool:
    return database_url.startswith(("postgres://", "postgresql://", "asyncpg://"))


def _connection(database_url: str, settings: Settings | None) -> str | dict[str, Any]:
    """The connection config. On PostgreSQL the pool skips asyncpg's reset query on release.

    By default asyncpg sends `RESET ALL; CLOSE ALL; UNLISTEN *; pg_advisory_unlock_all()`
    every time a connection goes back to the pool, i.e. after every ORM query: one more
    round trip and server work per query. The app never changes session state (no SET,
    LISTEN, cursors or advisory locks), and an open transaction is still rolled back by
    asyncpg before any custom reset runs, so there is nothing to reset.

    With `settings`, connecting, each statement (and its cancellation) and the wait for a
    pooled connection are bounded, so a database that stops answering (a stopped process, a
    network partition) fails requests within seconds instead of holding them. Without
    (migrations: an index on a large table may take long) nothing is bounded.
    """
    if not is_postgres(database_url):
        return database_url
    config = expand_db_url(database_url)
    config["credentials"]["reset"] = _keep_session
    if settings is not None:
        config["engine"] = __name__
        config["credentials"].update(
            timeout=float(settings.db_connect_timeout_seconds),
            command_timeout=float(settings.db_query_timeout_seconds),
            acquire_timeout=float(settings.db_pool_timeout_seconds),
        )
    return config


def tortoise_config(database_url: str, settings: Settings | None = None) -> dict[str, Any]:
    return {
        "connections": {"default": _connection(database_url, settings)},
        "apps": {
            "models": {
                "models": MODEL_MODULES,
                "migrations": "migrations",
                "default_connection": "default",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


# Read by `tortoise makemigrations` through [tool.tortoise] in pyproject.toml.
TORTOISE_ORM = tortoise_config(os.environ.get("DATABASE_URL", Settings().database_url))


def _ensure_sqlite_dir(database_url: str) -> None:
    if database_url.startswith("sqlite://") and ":memory:" not in database_url:
        Path(database_url.removeprefix("sqlite://")).parent.mkdir(parents=True, exist_ok=True)


async def init_db(settings: Settings) -> None:
    _ensure_sqlite_dir(settings.database_url)
    # The global fallback makes the ORM visible to request tasks, not only the lifespan task.
    await Tortoise.init(
        config=tortoise_config(settings.database_url, settings), _enable_global_fallback=True
    )


async def close_db() -> None:
    await Tortoise.close_connections()


async def apply_migrations(settings: Settings) -> None:
    """Bring the database schema up to date, safe to run at every start."""
    _ensure_sqlite_dir(settings.database_url)
    try:
        await _migrate(config=tortoise_config(settings.database_url))
    finally:
        # aiosqlite's worker thread would keep the process alive after a failure
        await Tortoise.close_connections()


_UNAVAILABLE = (
    TimeoutError,  # connect, statement or pool wait ran out (asyncpg and asyncio)
    ConnectionError,  # refused, reset, broken pipe
    socket.gaierror,  # the database host name does not resolve
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,  # e.g. the connection was closed under a running query
    asyncpg.CannotConnectNowError,  # starting up or shutting down
    asyncpg.AdminShutdownError,
    DBConnectionError,
)


def is_unavailable(error: BaseException) -> bool:
    """Whether `error` (or what caused it) says the database did not answer in time."""
    seen: BaseException | None = error
    for _ in range(5):  # a cause chain is short; a cycle must not loop for ever
        if seen is None:
            return False
        if isinstance(seen, _UNAVAILABLE):
            return True
        seen = seen.__cause__ or (None if seen.__suppress_context__ else seen.__context__)
    return False


_pings: set[asyncio.Task[Any]] = set()  # referenced until done, as asyncio requires


def _forget(task: asyncio.Task[Any]) -> None:
    _pings.discard(task)
    if not task.cancelled():
        task.exception()  # retrieved, so asyncio does not log it as lost


async def ping(*, within: float) -> None:
    """One round trip to the database (health checks); raises when it does not answer.

    Answers within `within` seconds even when the database is frozen: the round trip is left to
    finish in the background (within the pool's own timeouts) instead of being waited for;
    cancelling it would orphan asyncpg's shielded release of the connection.
    """
    task = asyncio.ensure_future(Tortoise.get_connection("default").execute_query("SELECT 1"))
    _pings.add(task)
    task.add_done_callback(_forget)
    done, _ = await asyncio.wait({task}, timeout=within)
    if not done:
        raise TimeoutError("the database did not answer the health check")
    task.result()
