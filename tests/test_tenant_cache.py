"""The per-process host cache reloads an entry in the background before it expires, so no
request waits for the database, and stays stale for at most its time."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import pytest

from tenant_app import tenancy
from tenant_app.models.tenancy import Tenant
from tenant_app.tenancy import TenantCache, current_tenant, enter_tenant, leave_tenant
from tests.conftest import count_queries


async def _past_half(cache: TenantCache, hostname: str) -> None:
    """Wait until the entry is past half its time (and not yet expired)."""
    loaded_at = cache._entries[hostname][0]
    await asyncio.sleep(max(0.0, loaded_at + cache.ttl / 2 - time.monotonic()) + 0.01)


async def test_an_ageing_entry_is_served_at_once_and_reloaded_behind(tenant) -> None:
    cache = TenantCache(ttl=2.0)
    first = await cache.lookup(tenant.hostname)
    await Tenant.filter(id=tenant.tenant.id).update(primary_color="#aa3300")
    await _past_half(cache, tenant.hostname)
    with count_queries() as queries:
        served = await cache.lookup(tenant.hostname)
    assert served is first and queries.count == 0  # the request did not wait
    await cache.reloaded()
    with count_queries() as queries:
        fresh = await cache.lookup(tenant.hostname)
    assert queries.count == 0 and fresh is not None and fresh.primary_color == "#aa3300"


async def test_one_reload_however_many_requests_find_the_entry_ageing(tenant) -> None:
    cache = TenantCache(ttl=2.0)
    await cache.lookup(tenant.hostname)
    await _past_half(cache, tenant.hostname)
    with count_queries() as queries:
        found = [await cache.lookup(tenant.hostname) for _ in range(10)]
        await cache.reloaded()
    assert queries.count == 1 and len({id(info) for info in found}) == 1


async def test_the_reload_runs_outside_the_request_s_tenant(tenant, other_tenant) -> None:
    cache = TenantCache(ttl=2.0)
    await cache.lookup(tenant.hostname)
    await _past_half(cache, tenant.hostname)
    seen: list[Any] = []
    real_load = cache._load

    async def load(hostname: str) -> Any:
        seen.append(tenancy._current_tenant.get())
        return await real_load(hostname)

    cache._load = load  # type: ignore[method-assign]
    other = await tenancy.load_tenant_info(other_tenant.tenant.id)
    tokens = enter_tenant(other)
    try:
        await cache.lookup(tenant.hostname)
        await cache.reloaded()
        assert current_tenant() is other  # the request's scope is as it was
    finally:
        leave_tenant(tokens)
    assert seen == [None]


async def test_a_failed_reload_keeps_the_entry_until_it_expires(
    tenant, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    cache = TenantCache(ttl=2.0)
    first = await cache.lookup(tenant.hostname)
    await _past_half(cache, tenant.hostname)

    async def down(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("database restarting")

    monkeypatch.setattr(tenancy.unscoped, "fetch_one", down)
    with caplog.at_level(logging.WARNING, logger="tenant_app.request"):
        assert await cache.lookup(tenant.hostname) is first
        await cache.reloaded()
    assert "reloading host" in caplog.text and "database restarting" in caplog.text
    assert await cache.lookup(tenant.hostname) is first  # still within its time
    monkeypatch.undo()
    cache.ttl = 0  # expired: the request loads it itself
    assert (await cache.lookup(tenant.hostname)) is not first


async def test_a_load_begun_before_an_invalidation_is_not_kept(
    tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The saving process sees its own change at once, even with a load under way."""
    cache = TenantCache(ttl=60.0)
    read, gate = asyncio.Event(), asyncio.Event()
    real_fetch = tenancy.unscoped.fetch_one

    async def held(sql: str, **params: Any) -> Any:
        row = await real_fetch(sql, **params)
        read.set()
        await gate.wait()  # the row is read; the change lands before it is kept
        return row

    monkeypatch.setattr(tenancy.unscoped, "fetch_one", held)
    under_way = asyncio.create_task(cache.lookup(tenant.hostname))
    await read.wait()
    await Tenant.filter(id=tenant.tenant.id).update(primary_color="#003366")
    cache.invalidate()
    gate.set()
    old = await under_way
    assert old is not None and old.primary_color is None  # its own waiters get what it read
    monkeypatch.undo()
    fresh = await cache.lookup(tenant.hostname)
    assert fresh is not None and fresh.primary_color == "#003366"
