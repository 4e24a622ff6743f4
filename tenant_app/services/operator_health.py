"""The platform's health for the operator: is the database there and how fast, can files be
written and read back, how long the oldest mail waits, what failed in the last day, which
migration the schema is on. Each check says ok, warn or fail; a check that breaks says fail
itself and never takes the page down.
"""

from __future__ import annotations

import importlib.util
import io
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tenant_app.actors import CurrentUser
from tenant_app.files.storage import Storage, new_key
from tenant_app.logs import log
from tenant_app.queries import operator_health as reads
from tenant_app.queries import platform_health
from tenant_app.services import operator_audit
from tenant_app.text.labels import N_

logger = logging.getLogger("tenant_app.operator")

OK, WARN, FAIL = "ok", "warn", "fail"
DAY = timedelta(hours=24)
# Thresholds: (warn from, fail from)
DATABASE_MS = (200.0, 2000.0)
STORAGE_MS = (1000.0, 10_000.0)
MAIL_AGE_MINUTES = (10.0, 60.0)  # the worker sends within seconds; retries wait minutes
FAILED_MAILS = (1, 10)
FAILED_WEBHOOK_TRIES = (1, 50)  # mostly a broker's own endpoint: many only is the platform's
PROBE_TENANT = 0  # no tenant has id 0: the probe's key is nobody's file


@dataclass(frozen=True)
class Check:
    """One line of the health page. `label` and `summary` are msgids; `summary` is filled
    with `values`."""

    key: str
    label: str
    state: str
    summary: str
    values: dict[str, Any] = field(default_factory=dict)
    moment: datetime | None = None  # when it happened (the migration's application)


def _graded(value: float, limits: tuple[float, float]) -> str:
    warn, fail = limits
    return FAIL if value >= fail else WARN if value >= warn else OK


def _elapsed_ms(start: float) -> int:
    return round((time.perf_counter() - start) * 1000)


async def _database() -> Check:
    start = time.perf_counter()
    await reads.ping()
    ms = _elapsed_ms(start)
    return Check(
        "database",
        N_("Database"),
        _graded(ms, DATABASE_MS),
        N_("Answers in %(ms)s ms."),
        {"ms": ms},
    )


async def _storage(store: Storage) -> Check:
    """Write a probe object through the storage interface, read it back, remove it."""
    key = new_key(PROBE_TENANT)
    payload = secrets.token_bytes(32)
    start = time.perf_counter()
    try:
        await store.save(key, io.BytesIO(payload))
        same = await store.read(key) == payload
    finally:
        await store.delete(key)
    ms = _elapsed_ms(start)
    if not same:
        return Check("storage", N_("File storage"), FAIL, N_("A file read back differs."))
    return Check(
        "storage",
        N_("File storage"),
        _graded(ms, STORAGE_MS),
        N_("Written, read back and removed in %(ms)s ms."),
        {"ms": ms},
    )


async def _mail_queue() -> Check:
    queue = await platform_health.mail_queue()
    label = N_("Mail queue")
    if not queue.waiting:
        return Check("mail_queue", label, OK, N_("No mail is waiting."))
    minutes = round(queue.oldest_seconds / 60)
    return Check(
        "mail_queue",
        label,
        _graded(minutes, MAIL_AGE_MINUTES),
        N_("The oldest waiting mail is %(minutes)s minutes old."),
        {"minutes": minutes},
    )


async def _failed_mails() -> Check:
    count = await reads.failed_mails(since=datetime.now(UTC) - DAY)
    return Check(
        "failed_mails",
        N_("Failed mails"),
        _graded(count, FAILED_MAILS),
        N_("%(count)s mails given up in the last 24 hours."),
        {"count": count},
    )


async def _webhook_failures() -> Check:
    count = await reads.failed_webhook_tries(since=datetime.now(UTC) - DAY)
    return Check(
        "webhooks",
        N_("Webhook failures"),
        _graded(count, FAILED_WEBHOOK_TRIES),
        N_("%(count)s failed webhook calls in the last 24 hours."),
        {"count": count},
    )


def newest_migration_file() -> str:
    """The newest migration this code ships ("" if the package is not found)."""
    spec = importlib.util.find_spec("migrations")
    folders = list(spec.submodule_search_locations or []) if spec else []
    names = sorted(
        path.stem for folder in folders for path in Path(folder).glob("[0-9][0-9][0-9][0-9]_*.py")
    )
    return names[-1] if names else ""


async def _migration() -> Check:
    label = N_("Database schema")
    applied = await reads.newest_migration()
    if applied is None:
        return Check("migration", label, FAIL, N_("No migration has been applied."))
    shipped = newest_migration_file()
    state = OK if not shipped or applied["name"] == shipped else WARN
    summary = (
        N_("Newest migration: %(name)s.")
        if state == OK
        else N_("Newest migration: %(name)s; this version ships %(shipped)s.")
    )
    values = {"name": applied["name"], "shipped": shipped}
    return Check("migration", label, state, summary, values, applied["applied_at"])


_FAILED_LABELS = {
    "database": N_("Database"),
    "storage": N_("File storage"),
    "mail_queue": N_("Mail queue"),
    "failed_mails": N_("Failed mails"),
    "webhooks": N_("Webhook failures"),
    "migration": N_("Database schema"),
}


async def _guarded(key: str, check: Callable[[], Awaitable[Check]]) -> Check:
    try:
        return await check()
    except Exception as error:  # noqa: BLE001 - a broken check is a finding, not a crash
        log(logger, logging.ERROR, "health check failed", check=key, error=repr(error)[:300])
        values = {"error": type(error).__name__}
        return Check(key, _FAILED_LABELS[key], FAIL, N_("Not reachable: %(error)s"), values)


async def health(actor: CurrentUser, store: Storage) -> list[Check]:
    """Every check, in the page's order."""
    operator_audit.check_operator(actor)
    return [
        await _guarded("database", _database),
        await _guarded("storage", lambda: _storage(store)),
        await _guarded("mail_queue", _mail_queue),
        await _guarded("failed_mails", _failed_mails),
        await _guarded("webhooks", _webhook_failures),
        await _guarded("migration", _migration),
    ]
