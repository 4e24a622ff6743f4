"""The per-process PostgreSQL listener: what any process NOTIFYs reaches this process's open
streams; when its connection is killed it connects again and wakes every stream once (signals
sent meanwhile are lost, so each page reads its counts afresh)."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest

from tenant_app.live import postgres
from tenant_app.live.broker import CHANNEL, Broker, encode
from tenant_app.live.postgres import asyncpg_dsn, listen

WAIT = 15.0  # seconds: only ever reached when a wake-up that must come never does


def _dsn(settings: Any) -> str:
    url = str(settings.database_url)
    if not url.startswith(("postgres", "asyncpg")):
        pytest.skip("LISTEN/NOTIFY needs PostgreSQL")
    return url


async def _listening_pid(connection: asyncpg.Connection) -> int | None:
    return await connection.fetchval(
        "SELECT pid FROM pg_stat_activity WHERE query LIKE $1 AND pid <> pg_backend_pid()",
        f"LISTEN %{CHANNEL}%",
    )


async def _wait_for_listener(connection: asyncpg.Connection) -> int:
    for _ in range(int(WAIT * 10)):
        pid = await _listening_pid(connection)
        if pid:
            return int(pid)
        await asyncio.sleep(0.1)
    raise AssertionError("the listener never listened")


async def test_signals_reach_the_broker_and_a_killed_connection_comes_back(
    settings, monkeypatch
) -> None:
    url = _dsn(settings)
    monkeypatch.setattr(postgres, "RETRY_SECONDS", (0.1,))
    broker = Broker()
    admin = await asyncpg.connect(asyncpg_dsn(url))
    task = asyncio.create_task(listen(url, broker))
    try:
        with broker.subscribe(7, 1) as mine, broker.subscribe(7, 2) as other:
            first_pid = await _wait_for_listener(admin)
            await admin.execute("SELECT pg_notify($1, $2)", CHANNEL, encode(7, [1]))
            assert await asyncio.wait_for(mine.get(), WAIT) is False  # for account 1 only
            assert other.empty()

            await admin.execute("SELECT pg_terminate_backend($1)", first_pid)
            # back again: every stream is woken once, as a wake-up of all
            assert await asyncio.wait_for(mine.get(), WAIT) is True
            assert await asyncio.wait_for(other.get(), WAIT) is True
            assert await _wait_for_listener(admin) != first_pid
            await admin.execute("SELECT pg_notify($1, $2)", CHANNEL, encode(7, [2]))
            assert await asyncio.wait_for(other.get(), WAIT) is False
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await admin.close()
