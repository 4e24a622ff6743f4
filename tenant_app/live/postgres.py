"""Each app process listens on one PostgreSQL connection of its own and hands every signal to
its broker, so a change made through any process reaches the pages open on all of them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import asyncpg

from tenant_app.live.broker import CHANNEL, Broker, decode

logger = logging.getLogger("tenant_app.live")

RETRY_SECONDS = (1, 2, 5, 10, 30)  # waits between reconnects; the last one repeats
PING_SECONDS = 30.0  # how often an idle listening connection is checked
PING_TIMEOUT_SECONDS = 5.0


def asyncpg_dsn(database_url: str) -> str:
    """Tortoise's `asyncpg://` scheme is not asyncpg's own."""
    scheme, rest = database_url.split("://", 1)
    return f"postgresql://{rest}" if scheme in ("asyncpg", "postgres") else database_url


async def _until_lost(connection: asyncpg.Connection, lost: asyncio.Event) -> None:
    """Return once the connection is gone. A half-open one (a partition, a firewall's idle
    drop) never says so by itself: a ping with a timeout every so often finds it out."""
    while True:
        try:
            await asyncio.wait_for(lost.wait(), PING_SECONDS)
            return
        except TimeoutError:
            pass
        try:
            await connection.fetchval("SELECT 1", timeout=PING_TIMEOUT_SECONDS)
        except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            return


def _setter(event: asyncio.Event) -> Callable[[object], None]:
    return lambda _connection: event.set()


async def listen(database_url: str, broker: Broker) -> None:
    """Run until cancelled: LISTEN, and after a lost connection, connect again. Signals sent
    while it was gone are lost, so every open stream is woken once it is back."""
    attempt = 0
    while True:
        lost = asyncio.Event()
        connection = None
        try:
            connection = await asyncpg.connect(asyncpg_dsn(database_url), timeout=10)
            connection.add_termination_listener(_setter(lost))

            def on_signal(_conn: object, _pid: int, _channel: str, payload: str) -> None:
                try:
                    tenant_id, user_ids = decode(payload)
                except (ValueError, KeyError, TypeError):
                    logger.warning("unreadable live signal", extra={"fields": {}})
                    return
                broker.deliver(tenant_id, user_ids)

            await connection.add_listener(CHANNEL, on_signal)
            if attempt:
                broker.deliver(None, None)
            attempt = 0
            await _until_lost(connection, lost)
            logger.warning("live connection lost, reconnecting", extra={"fields": {}})
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - the database may be away for a while
            fields = {"error": type(error).__name__}
            logger.warning("live connection failed", extra={"fields": fields})
        finally:
            if connection is not None and not connection.is_closed():
                connection.terminate()
        await asyncio.sleep(RETRY_SECONDS[min(attempt, len(RETRY_SECONDS) - 1)])
        attempt += 1
