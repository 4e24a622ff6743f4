"""The PostgreSQL pool's short ways (tenant_app/db.py, _BoundedPool): a free connection is
taken and a clean one given back without asyncpg's helper tasks; everything else (a wait,
an open transaction, an expired or closed connection) still goes asyncpg's careful way."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest
from tortoise import Tortoise
from tortoise.exceptions import IntegrityError, OperationalError

from tests.conftest import count_queries


async def _backend(pg_pool: Any) -> int:
    connection = await pg_pool.acquire()
    try:
        return int(await connection.fetchval("SELECT pg_backend_pid()"))
    finally:
        await pg_pool.release(connection)


async def test_a_clean_connection_goes_back_and_is_taken_again(pg_pool: Any) -> None:
    first = await _backend(pg_pool)
    assert await _backend(pg_pool) == first  # the same connection, back in the pool
    connection = await pg_pool.acquire()
    release = pg_pool.release(connection)
    with pytest.raises(StopIteration):
        release.send(None)  # back at once: nothing to wait for, no task started
    assert pg_pool.get_idle_size() == pg_pool.get_size()


async def test_many_statements_at_once_share_the_few_connections(pg_pool: Any) -> None:
    client = Tortoise.get_connection("default")
    results = await asyncio.gather(
        *(client.execute_query_dict("SELECT $1::int AS n, pg_sleep(0.005)", [n]) for n in range(40))
    )
    assert [rows[0]["n"] for rows in results] == list(range(40))
    assert pg_pool.get_size() <= pg_pool._maxsize
    assert pg_pool.get_idle_size() == pg_pool.get_size()


async def test_a_connection_left_in_a_transaction_is_rolled_back(pg_pool: Any) -> None:
    connection = await pg_pool.acquire()
    pid = await connection.fetchval("SELECT pg_backend_pid()")
    await connection.execute("BEGIN")
    await connection.execute("CREATE TEMP TABLE left_open (n int)")
    await pg_pool.release(connection)
    again = await pg_pool.acquire()
    try:
        assert await again.fetchval("SELECT pg_backend_pid()") == pid
        assert not again.is_in_transaction()
        assert await again.fetchval("SELECT to_regclass('pg_temp.left_open')") is None
    finally:
        await pg_pool.release(again)


async def test_expired_connections_are_replaced(pg_pool: Any) -> None:
    before = await _backend(pg_pool)
    connection = await pg_pool.acquire()
    await pg_pool.expire_connections()
    await pg_pool.release(connection)  # an older generation: closed, not kept
    assert await _backend(pg_pool) != before


async def test_a_closed_connection_is_replaced(pg_pool: Any) -> None:
    connection = await pg_pool.acquire()
    before = await connection.fetchval("SELECT pg_backend_pid()")
    connection.terminate()
    await pg_pool.release(connection)
    assert await _backend(pg_pool) != before


async def test_waiting_for_a_connection_is_still_bounded(pg_pool: Any) -> None:
    taken = [await pg_pool.acquire() for _ in range(pg_pool._maxsize)]
    try:
        with pytest.raises(TimeoutError):
            await pg_pool.acquire(timeout=0.2)
        waiting = asyncio.ensure_future(pg_pool.acquire(timeout=5))
        await asyncio.sleep(0.05)
        await pg_pool.release(taken.pop())  # handed to the one waiting
        taken.append(await asyncio.wait_for(waiting, 2))
    finally:
        for connection in taken:
            await pg_pool.release(connection)
    assert pg_pool.get_idle_size() == pg_pool.get_size()


async def test_reads_fail_and_are_logged_as_the_orm_has_them(pg_pool: Any) -> None:
    client = Tortoise.get_connection("default")
    with count_queries() as counted:
        assert await client.execute_query_dict("SELECT $1::int AS n", [7]) == [{"n": 7}]
    assert counted.count == 1  # the ORM's log line, which the query-count tests read
    with pytest.raises(OperationalError):
        await client.execute_query_dict("SELECT no_such_column FROM tenant")
    with pytest.raises(OperationalError):
        await client.execute_query_dict("SELECT 1 / 0")
    with pytest.raises(IntegrityError):
        await client.execute_query_dict(
            "WITH made AS (INSERT INTO tenant (id) VALUES (NULL) RETURNING id) SELECT * FROM made"
        )
    assert pg_pool.get_idle_size() == pg_pool.get_size()  # every connection back after the failures


async def test_a_waiting_task_is_served_before_the_releaser_asks_again(pg_pool: Any) -> None:
    """A page's statements come one after another: giving a connection back and at once
    asking again must not overtake those already waiting, or they starve."""
    taken = [await pg_pool.acquire() for _ in range(pg_pool._maxsize)]
    waiting = asyncio.ensure_future(pg_pool.acquire(timeout=5))
    await asyncio.sleep(0.05)  # it waits now
    await pg_pool.release(taken.pop())
    with pytest.raises(TimeoutError):  # the waiter had it first; nobody gives one back
        await pg_pool.acquire(timeout=0.3)
    taken.append(await asyncio.wait_for(waiting, 2))
    for connection in taken:
        await pg_pool.release(connection)
    assert pg_pool.get_idle_size() == pg_pool.get_size()


async def test_waiting_tasks_are_served_in_the_order_they_came(pg_pool: Any) -> None:
    taken = [await pg_pool.acquire() for _ in range(pg_pool._maxsize)]
    served: list[int] = []

    async def wait(n: int) -> Any:
        connection = await pg_pool.acquire(timeout=5)
        served.append(n)
        return connection

    waiting = []
    for n in range(3):
        waiting.append(asyncio.ensure_future(wait(n)))
        await asyncio.sleep(0.02)  # each one waits before the next comes
    for _ in range(3):
        await pg_pool.release(taken.pop())
        fresh = asyncio.ensure_future(wait(99))  # comes after the release: behind the line
        await asyncio.sleep(0.02)
        fresh.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await fresh
    taken += [await asyncio.wait_for(task, 2) for task in waiting]
    assert served == [0, 1, 2]
    for connection in taken:
        await pg_pool.release(connection)
    assert pg_pool.get_idle_size() == pg_pool.get_size()


async def test_a_connection_handed_to_a_task_that_gives_up_goes_to_the_next(pg_pool: Any) -> None:
    taken = [await pg_pool.acquire() for _ in range(pg_pool._maxsize)]
    first = asyncio.ensure_future(pg_pool.acquire(timeout=5))
    await asyncio.sleep(0.02)
    second = asyncio.ensure_future(pg_pool.acquire(timeout=5))
    await asyncio.sleep(0.02)
    await pg_pool.release(taken.pop())  # handed to the first, which has not run yet
    first.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await first
    taken.append(await asyncio.wait_for(second, 2))
    for connection in taken:
        await pg_pool.release(connection)
    assert pg_pool.get_idle_size() == pg_pool.get_size()
