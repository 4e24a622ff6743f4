"""Tortoise configuration, shared by the app, the CLI and the tests."""

from __future__ import annotations

import asyncio
import os
import socket
from pathlib import Path
from typing import Any

import asyncpg
from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.exceptions import DBConnectionError
from tortoise.migrations.api import migrate as _migrate

from tenant_app.db_pool import PostgresClient, keep_session
from tenant_app.models import MODEL_MODULES
from tenant_app.settings import Settings

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
    config["credentials"]["reset"] = keep_session
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
