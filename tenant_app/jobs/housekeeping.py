"""Periodic clean-up across all tenants: expired sessions and old rate-limit windows."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from tenant_app.models.accounts import Session
from tenant_app.queries.sql import unscoped
from tenant_app.settings import Settings

RATE_WINDOW_MAX = 24 * 3600  # seconds: no limit counts over a longer window


async def purge_expired(settings: Settings) -> None:
    now = datetime.now(UTC)
    idle_before = now - timedelta(minutes=settings.session_idle_minutes)
    started_before = now - timedelta(hours=settings.session_max_hours)
    await Session.unscoped.filter(last_seen_at__lt=idle_before).delete()
    await Session.unscoped.filter(created_at__lt=started_before).delete()
    await unscoped.execute(
        "DELETE FROM rate_counter WHERE window_start < :before",
        before=int(time.time()) - RATE_WINDOW_MAX,
    )
