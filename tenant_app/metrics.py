"""The process's Prometheus metrics: requests by route template, business counters, pool.

Every app process keeps its own registry. When several processes answer on one port (uvicorn
`--workers`), `PROMETHEUS_MULTIPROC_DIR` (prometheus-client's own switch, read when the
library is imported) makes them write their values to files in that directory, and a scrape
of any process sums all of them; the directory must be emptied before the server starts
(the Dockerfile does). Without it, scrape every process on its own port.

Label values are bounded: a route is its template (`/staff/contacts/{contact_id}`, never a
raw path; "unmatched" when no route matched), a status its class (2xx ... 5xx), an event its
kind from `services/events.KINDS`, and a tenant its slug for the first `MAX_TENANT_LABELS`
tenants this process counts (later ones count as "other"): never a user or a contact.
"""

from __future__ import annotations

import atexit
import os
import threading
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, multiprocess
from prometheus_client.gc_collector import GCCollector
from prometheus_client.process_collector import ProcessCollector
from tortoise import Tortoise

from tenant_app.models.scoping import ScopeError
from tenant_app.tenancy import current_tenant

MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
if MULTIPROCESS:  # a process that only counts (the worker) must not fail on a missing directory
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)
MAX_TENANT_LABELS = 200  # distinct tenant slugs per process; the rest count as "other"
OTHER = "other"

REGISTRY = CollectorRegistry(auto_describe=True)
if not MULTIPROCESS:  # per-process figures that the multi-process mode cannot sum
    ProcessCollector(registry=REGISTRY)
    GCCollector(registry=REGISTRY)

REQUESTS = Counter(
    "tenant_app_http_requests",
    "HTTP requests answered, by route template, method and status class.",
    ("route", "method", "status"),
    registry=REGISTRY,
)
LATENCY = Histogram(
    "tenant_app_http_request_duration_seconds",
    "Time from a request's arrival to its last byte (a live-update stream: its whole life).",
    ("route", "method"),
    registry=REGISTRY,
)
EVENTS = Counter(
    "tenant_app_events",
    "Events recorded (contracts, documents, tickets ...), by kind.",
    ("kind",),
    registry=REGISTRY,
)
TENANT_EVENTS = Counter(
    "tenant_app_tenant_events",
    "Events recorded, by tenant.",
    ("tenant",),
    registry=REGISTRY,
)
LOGINS = Counter(
    "tenant_app_logins",
    "Logins by tenant and outcome (ok, failed, throttled).",
    ("tenant", "outcome"),
    registry=REGISTRY,
)
POOL = Gauge(
    "tenant_app_db_pool_connections",
    "Database connections of the app processes: open, idle and max (SQLite: one connection).",
    ("state",),
    registry=REGISTRY,
    multiprocess_mode="livesum",  # the live processes' pools together
)

_known_tenants: set[str] = set()
_tenant_lock = threading.Lock()


def tenant_label() -> str:
    """The current tenant's slug while fewer than MAX_TENANT_LABELS are known, else "other"."""
    try:
        slug = current_tenant().slug
    except ScopeError:  # a job that entered only the ORM scope
        return OTHER
    if slug in _known_tenants:
        return slug
    with _tenant_lock:
        if len(_known_tenants) >= MAX_TENANT_LABELS:
            return OTHER
        _known_tenants.add(slug)
    return slug


def count_event(kind: str) -> None:
    """One recorded event (counted when written: a transaction rolled back later still
    counts, which a rate does not notice; the event table is the record)."""
    EVENTS.labels(kind).inc()
    TENANT_EVENTS.labels(tenant_label()).inc()


def count_login(outcome: str) -> None:
    LOGINS.labels(tenant_label(), outcome).inc()


def observe_request(route: str, method: str, status: int, seconds: float) -> None:
    REQUESTS.labels(route, method, f"{status // 100}xx").inc()
    LATENCY.labels(route, method).observe(seconds)


def refresh_pool() -> None:
    """This process's pool: asyncpg's counters on PostgreSQL, one connection on SQLite."""
    try:
        client: Any = Tortoise.get_connection("default")
    except Exception:  # noqa: BLE001 - the ORM is not (or no longer) set up: nothing to show
        return
    pool = getattr(client, "_pool", None)  # Tortoise's asyncpg client keeps it there
    if pool is not None:
        POOL.labels("open").set(pool.get_size())
        POOL.labels("idle").set(pool.get_idle_size())
        POOL.labels("max").set(pool.get_max_size())
    elif getattr(client, "capabilities", None) and client.capabilities.dialect == "sqlite":
        for state in ("open", "max"):
            POOL.labels(state).set(1)


def process_registry() -> CollectorRegistry:
    """What a scrape reports of the processes: this one, or all of them from their files."""
    if not MULTIPROCESS:
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


if MULTIPROCESS:
    # A live gauge of a process that ended must not count any more (a crashed process's
    # file stays until the directory is emptied at the next start).
    atexit.register(multiprocess.mark_process_dead, os.getpid())
