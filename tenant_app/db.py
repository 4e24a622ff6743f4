"""Tortoise configuration, shared by the app, the CLI and the tests."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.migrations.api import migrate as _migrate

from tenant_app.models import MODEL_MODULES
from tenant_app.settings import Settings


async def _keep_session(connection: Any) -> None:
    """asyncpg's pool reset, minus its round trip (see `_connection`)."""


def _connection(database_url: str) -> str | dict[str, Any]:
    """The connection config. On PostgreSQL the pool skips asyncpg's reset query on release.

    By default asyncpg sends `RESET ALL; CLOSE ALL; UNLISTEN *; pg_advisory_unlock_all()`
    every time a connection goes back to the pool, i.e. after every ORM query: one more
    round trip and server work per query. The app never changes session state (no SET,
    LISTEN, cursors or advisory locks), and an open transaction is still rolled back by
    asyncpg before any custom reset runs, so there is nothing to reset.
    """
    if not database_url.startswith(("postgres://", "postgresql://", "asyncpg://")):
        return database_url
    config = expand_db_url(database_url)
    config["credentials"]["reset"] = _keep_session
    return config


def tortoise_config(database_url: str) -> dict[str, Any]:
    return {
        "connections": {"default": _connection(database_url)},
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
    await Tortoise.init(config=tortoise_config(settings.database_url), _enable_global_fallback=True)


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


async def ping() -> None:
    """One round trip to the database (health checks); raises when it does not answer."""
    await Tortoise.get_connection("default").execute_query("SELECT 1")
