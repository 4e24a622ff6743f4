"""A database that stops answering (not down: frozen, as a stopped process or a network
partition leaves it) fails every request fast with a 503 page, and the app recovers by
itself when the database answers again."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import httpx
import pytest

from tests.conftest import ADMIN_PASSWORD, free_port
from tests.live import live_server, log_in, wait_for

BOUND = 15.0  # seconds: far above the 1 s timeouts configured below, far below "hanging"


class FreezableProxy:
    """A TCP relay to PostgreSQL, in its own thread. Frozen, it keeps every connection open
    (and accepts new ones) but passes nothing on, in either direction, not even a close."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = free_port()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.tasks: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._listen(), self.loop).result(10)

    async def _listen(self) -> None:
        self.flowing = asyncio.Event()
        self.flowing.set()
        self.server = await asyncio.start_server(self._relay, "127.0.0.1", self.port)

    def freeze(self) -> None:
        self.loop.call_soon_threadsafe(self.flowing.clear)

    def thaw(self) -> None:
        self.loop.call_soon_threadsafe(self.flowing.set)

    async def _relay(self, client: asyncio.StreamReader, to_client: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.tasks.add(task)
        try:
            upstream, to_upstream = await asyncio.open_connection(*self.target)
        except OSError:
            to_client.close()
            return
        try:
            await asyncio.gather(self._pipe(client, to_upstream), self._pipe(upstream, to_client))
        except asyncio.CancelledError:
            pass  # stopped: asyncio would log a cancelled connection task as an error
        finally:
            for writer in (to_client, to_upstream):
                writer.close()
            self.tasks.discard(task)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                await self.flowing.wait()
                writer.write(data)
                await writer.drain()
            await self.flowing.wait()
        except ConnectionError:
            pass
        finally:
            writer.close()

    def stop(self) -> None:
        async def shut() -> None:
            self.flowing.set()
            self.server.close()
            for task in list(self.tasks):
                task.cancel()
            await asyncio.gather(*self.tasks, return_exceptions=True)
            await self.server.wait_closed()

        asyncio.run_coroutine_threadsafe(shut(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@pytest.fixture
def proxy(settings) -> Iterator[FreezableProxy]:
    if not settings.database_url.startswith("postgres"):
        pytest.skip("a frozen database server is a PostgreSQL case (SQLite is a file in-process)")
    target = urlsplit(settings.database_url)
    relay = FreezableProxy(target.hostname or "127.0.0.1", target.port or 5432)
    relay.start()
    yield relay
    relay.stop()


def _through(database_url: str, proxy: FreezableProxy) -> str:
    parts = urlsplit(database_url)
    credentials = parts.netloc.rpartition("@")[0]
    netloc = f"{credentials}@127.0.0.1:{proxy.port}" if credentials else f"127.0.0.1:{proxy.port}"
    return parts._replace(netloc=netloc).geturl()


def test_frozen_database_gives_fast_503_pages_and_recovers(
    settings, tenant, proxy, tmp_path
) -> None:
    timeouts = {
        "DB_CONNECT_TIMEOUT_SECONDS": "1",
        "DB_QUERY_TIMEOUT_SECONDS": "1",
        "DB_POOL_TIMEOUT_SECONDS": "1",
    }
    database_url = _through(settings.database_url, proxy)
    with (
        live_server(settings, tmp_path, DATABASE_URL=database_url, **timeouts) as server,
        server.browser("alpha.localhost") as browser,
    ):
        log_in(browser, "alpha-admin", ADMIN_PASSWORD)
        assert browser.get("/staff").status_code == 200
        health_url = f"http://127.0.0.1:{server.port}/healthz"

        proxy.freeze()
        health = httpx.get(health_url, timeout=BOUND)
        assert health.status_code == 503
        assert health.json()["database"] == "down"

        def staff_page(_: int) -> httpx.Response:
            with server.browser("alpha.localhost") as tab:
                tab.cookies = browser.cookies
                return tab.get("/staff", timeout=BOUND)

        # Several at once, as a browser's tabs would: more than the pool has connections.
        with ThreadPoolExecutor(8) as pool:
            pages = list(pool.map(staff_page, range(8)))
        assert [page.status_code for page in pages] == [503] * 8
        assert "nicht erreichbar" in pages[0].text
        assert pages[0].headers["retry-after"]

        proxy.thaw()
        wait_for(
            lambda: browser.get("/staff", timeout=BOUND).status_code == 200,
            within=30,
            what="the app did not recover after the database answered again",
        )
        assert httpx.get(health_url, timeout=BOUND).status_code == 200
    unhandled = ("Exception in ASGI application", "unhandled error", "was never retrieved")
    assert not [line for line in server.log.splitlines() if any(u in line for u in unhandled)]
