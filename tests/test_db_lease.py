"""One connection per request (tenant_app/db_pool.py, Lease): a request's statements and
transactions share the connection its first statement took; it goes back to the pool when
the answer starts, while a body streams in, and whenever it is not clean."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from tortoise import Tortoise
from tortoise.exceptions import OperationalError
from tortoise.transactions import in_transaction

from tenant_app.db_pool import Lease
from tenant_app.models.tenancy import Tenant
from tests.conftest import CUSTOMER_PASSWORD, make_customer


@pytest.fixture
async def lease(pg_pool: Any) -> AsyncIterator[Lease]:
    lease, token = Lease.begin()
    try:
        yield lease
    finally:
        await lease.end()
        Lease.forget(token)
    assert pg_pool.get_idle_size() == pg_pool.get_size()  # nothing left taken


async def _backend() -> int:
    rows = await Tortoise.get_connection("default").execute_query_dict(
        "SELECT pg_backend_pid() AS pid"
    )
    return int(rows[0]["pid"])


def _in_use(pg_pool: Any) -> int:
    return int(pg_pool.get_size() - pg_pool.get_idle_size())


async def test_statements_of_a_request_share_one_connection(pg_pool: Any, lease: Lease) -> None:
    first = await _backend()
    assert _in_use(pg_pool) == 1  # kept between statements
    assert {await _backend() for _ in range(5)} == {first}
    assert await Tenant.all().count() == 0  # the ORM's way too
    assert _in_use(pg_pool) == 1
    await lease.end()
    assert _in_use(pg_pool) == 0
    await _backend()  # after the end: per statement again
    assert _in_use(pg_pool) == 0


async def test_without_a_lease_each_statement_gives_its_connection_back(pg_pool: Any) -> None:
    await _backend()
    assert _in_use(pg_pool) == 0


async def test_a_transaction_runs_on_the_request_connection(pg_pool: Any, lease: Lease) -> None:
    first = await _backend()
    async with in_transaction() as connection:
        rows = await connection.execute_query_dict("SELECT pg_backend_pid() AS pid")
        assert rows[0]["pid"] == first
        await connection.execute_query("CREATE TEMP TABLE lease_probe (n int)")
        await connection.execute_query("INSERT INTO lease_probe VALUES (1)")
    assert await _backend() == first
    rows = await Tortoise.get_connection("default").execute_query_dict(
        "SELECT count(*) AS n FROM lease_probe"  # committed, on the same session
    )
    assert rows[0]["n"] == 1
    await Tortoise.get_connection("default").execute_query("DROP TABLE lease_probe")


async def test_a_failed_transaction_is_rolled_back_and_the_connection_kept(
    pg_pool: Any, lease: Lease
) -> None:
    first = await _backend()
    with pytest.raises(OperationalError):
        async with in_transaction() as connection:
            await connection.execute_query("CREATE TEMP TABLE lease_rollback (n int)")
            await connection.execute_query("SELECT no_such_column FROM lease_rollback")
    assert await _backend() == first
    rows = await Tortoise.get_connection("default").execute_query_dict(
        "SELECT to_regclass('pg_temp.lease_rollback') AS t"
    )
    assert rows[0]["t"] is None  # nothing of the failed transaction is left


async def test_a_failed_statement_leaves_the_connection_usable(pg_pool: Any, lease: Lease) -> None:
    first = await _backend()
    with pytest.raises(OperationalError):
        await Tortoise.get_connection("default").execute_query_dict("SELECT 1 / 0")
    assert await _backend() == first


async def test_statements_side_by_side_each_get_a_connection(pg_pool: Any, lease: Lease) -> None:
    client = Tortoise.get_connection("default")
    results = await asyncio.gather(
        *(client.execute_query_dict("SELECT $1::int AS n, pg_sleep(0.01)", [n]) for n in range(8))
    )
    assert [rows[0]["n"] for rows in results] == list(range(8))
    assert _in_use(pg_pool) == 1  # the lease's; the others went back


async def test_a_connection_closed_under_the_lease_is_replaced(pg_pool: Any, lease: Lease) -> None:
    first = await _backend()
    lease.proxy._con.terminate()  # as if the server had closed it between two statements
    second = await _backend()
    assert second != first
    assert await _backend() == second


async def test_a_request_takes_the_pool_once(
    pg_pool: Any, client: Any, tenant: Any, passwords: Any
):
    """A logged-in page sends several statements through one connection taken once."""
    await make_customer(tenant, passwords, insurance_unlock=True)
    await client.log_in("kai", CUSTOMER_PASSWORD)
    taken = 0
    take = pg_pool._take

    async def counting(timeout: float | None) -> Any:  # noqa: ASYNC109 - the pool's
        nonlocal taken
        taken += 1
        return await take(timeout)

    pg_pool._take = counting
    try:
        response = await client.get("/portal/folders/insurance")
    finally:
        del pg_pool._take
    assert response.status_code == 200
    assert taken == 1
    assert _in_use(pg_pool) == 0  # given back when the answer started


async def test_an_upload_holds_no_connection_while_its_body_streams(
    pg_pool: Any, client: Any, tenant: Any, passwords: Any
) -> None:
    await make_customer(tenant, passwords, insurance_unlock=True)
    await client.log_in("kai", CUSTOMER_PASSWORD)
    held: list[int] = []

    async def body() -> AsyncIterator[bytes]:
        for _ in range(3):
            await asyncio.sleep(0)
            held.append(_in_use(pg_pool))
            yield b"x" * 1000

    token = await client.csrf("/portal/folders/insurance")
    response = await client.post(
        "/portal/documents",
        content=body(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-CSRF-Token": token,
            "Origin": f"http://{client.host}",
        },
    )
    assert response.status_code < 500
    assert held and max(held) == 0
    assert _in_use(pg_pool) == 0
