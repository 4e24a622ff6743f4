"""The tenant comes from the Host header alone; strangers get nothing of any tenant."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tenant_app.tenancy import TenantCache
from tests.conftest import count_queries


async def _get(app, host: str, path: str = "/login") -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as raw:
        return await raw.get(path, headers={"Host": host})


@pytest.mark.parametrize("host", ["alpha.localhost", "ALPHA.localhost", "alpha.LOCALHOST:8000"])
async def test_known_host_shows_the_tenants_login(app, tenant, host) -> None:
    response = await _get(app, host)
    assert response.status_code == 200
    assert "Alpha Versicherungsmakler GmbH" in response.text
    assert 'name="identifier"' in response.text


async def test_each_host_shows_its_own_tenant(app, tenant, other_tenant) -> None:
    beta = await _get(app, "beta.localhost")
    assert "Beta Finanz KG" in beta.text
    assert "Alpha" not in beta.text


@pytest.mark.parametrize(
    "host",
    ["gamma.localhost", "localhost", "localhost:8000", "alpha.example.com", "www.alpha.localhost"],
)
async def test_unknown_or_bare_host_is_a_plain_404(app, tenant, host) -> None:
    response = await _get(app, host)
    assert response.status_code == 404
    assert "Alpha" not in response.text
    assert "brand.css" not in response.text


@pytest.mark.parametrize(
    "host",
    [
        "alpha.localhost@evil.test",
        "alpha.localhost.",
        "alpha..localhost",
        "alpha.localhost:x",
        "<script>",
    ],
)
async def test_malformed_host_is_400(app, tenant, host) -> None:
    response = await _get(app, host)
    assert response.status_code == 400
    assert "Alpha" not in response.text


async def test_tenant_is_not_taken_from_the_url(app, tenant) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport) as raw:
        response = await raw.get(
            "http://alpha.localhost/login", headers={"Host": "gamma.localhost"}
        )
    assert response.status_code == 404


async def test_an_expired_host_is_looked_up_once_however_many_requests_wait(tenant) -> None:
    """Requests that find the entry expired wait for one lookup instead of each asking."""
    cache = TenantCache(ttl=0)  # every entry expired at once
    with count_queries() as counter:
        found = await asyncio.gather(*(cache.lookup(tenant.hostname) for _ in range(20)))
    assert counter.count == 1
    assert {info.id for info in found if info is not None} == {tenant.tenant.id}
    assert len(found) == 20 and None not in found
    with count_queries() as counter:
        missing = await asyncio.gather(*(cache.lookup("nobody.localhost") for _ in range(5)))
    assert counter.count == 1 and missing == [None] * 5
