"""Expired sessions and stale rate-limit rows are removed; live ones stay."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from tenant_app.jobs.housekeeping import purge_expired
from tenant_app.models.accounts import Session
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.security import RateCounter
from tenant_app.security import sessions


async def test_purge_removes_only_what_expired(tenant, other_tenant, settings) -> None:
    live = await sessions.start_session(tenant.tenant.id, tenant.admin.id)
    idle = await sessions.start_session(other_tenant.tenant.id, other_tenant.admin.id)
    with tenant_scope(other_tenant.tenant.id):
        await Session.all().update(last_seen_at=datetime.now(UTC) - timedelta(hours=3))
    await RateCounter.create(key="old", count=3, window_start=int(time.time()) - 3 * 24 * 3600)
    await RateCounter.create(key="new", count=3, window_start=int(time.time()))
    await purge_expired(settings)
    remaining = await Session.unscoped.all().values_list("tenant_id", flat=True)
    assert remaining == [tenant.tenant.id]
    assert await RateCounter.all().values_list("key", flat=True) == ["new"]
    assert live and idle
