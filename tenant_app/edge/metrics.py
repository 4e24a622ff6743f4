"""Count every request by its route template, and answer Prometheus at `/metrics`.

`/metrics` answers on any host (also the platform's and an unknown one) before a tenant,
session or CSRF token is looked at, but only to `Authorization: Bearer <METRICS_TOKEN>`.
Without a token configured, or with a missing or wrong one, the request goes on like any
other and meets the same 404 as an unknown path, so nobody learns that metrics exist.

The queue figures are read from the database at scrape time (a few indexed counts), so they
are the platform's, whichever process answers; the request and business figures are the
process's own (tenant_app/metrics.py says how several processes are summed).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from collections.abc import Iterable, Sequence

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tenant_app import metrics
from tenant_app.logs import log
from tenant_app.queries import platform_health
from tenant_app.settings import Settings

logger = logging.getLogger("tenant_app.metrics")

METRICS_PATH = "/metrics"
UNMATCHED = "unmatched"  # no route took the request (unknown path or host, redirects)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
CLIENT_GONE = 499  # no answer was sent: the client left first (as the access log says)
POOL_EVERY = 1.0  # seconds: the pool gauge is refreshed at most this often per process
QUEUE_TIMEOUT = 5.0  # seconds for the queue reads; a scrape must not hang on the database


class MetricsMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        token = settings.metrics_token
        self.expected = f"Bearer {token}".encode() if token else b""
        self.pool_read = 0.0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.expected:  # no scraper: nothing to measure for
            await self.app(scope, receive, send)
            return
        if scope["path"] == METRICS_PATH and scope["method"] == "GET" and self.authorized(scope):
            await answer_scrape(scope, receive, send)
            return
        started = time.perf_counter()
        status = CLIENT_GONE

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        except Exception:
            status = 500
            raise
        finally:
            method = scope["method"] if scope["method"] in METHODS else "other"
            elapsed = time.perf_counter() - started
            metrics.observe_request(route_template(scope), method, status, elapsed)
            if started - self.pool_read >= POOL_EVERY:
                self.pool_read = started
                metrics.refresh_pool()

    def authorized(self, scope: Scope) -> bool:
        if not self.expected:
            return False
        supplied = next((v for k, v in scope["headers"] if k == b"authorization"), b"")
        return hmac.compare_digest(supplied, self.expected)  # in constant time


def route_template(scope: Scope) -> str:
    """The matched route's path with its parameters' names (`/staff/contacts/{contact_id}`)."""
    return str(getattr(scope.get("route"), "path_format", "") or UNMATCHED)


async def answer_scrape(scope: Scope, receive: Receive, send: Send) -> None:
    metrics.refresh_pool()
    body = generate_latest(metrics.process_registry()) + await _platform_figures()
    headers = {"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"}
    await Response(body, headers=headers)(scope, receive, send)


class _Snapshot(Collector):
    """Figures read once for this scrape, handed to the exposition as they are."""

    def __init__(self, families: Sequence[Metric]) -> None:
        self.families = families

    def collect(self) -> Iterable[Metric]:
        return self.families


async def _platform_figures() -> bytes:
    try:
        mail, webhooks, jobs = await asyncio.wait_for(
            asyncio.gather(
                platform_health.mail_queue(),
                platform_health.webhook_queue(),
                platform_health.job_queue(),
            ),
            QUEUE_TIMEOUT,
        )
    except Exception as error:  # noqa: BLE001 - a scrape still shows the process's figures
        log(logger, logging.WARNING, "queue figures unavailable", error=repr(error)[:200])
        families = [_gauge("database_up", "1 if the queue figures could be read.", 0)]
    else:
        families = [
            _gauge("database_up", "1 if the queue figures could be read.", 1),
            _gauge("mail_queue_pending", "Mails waiting to be sent.", mail.waiting),
            _gauge(
                "mail_queue_oldest_seconds",
                "Age of the oldest mail waiting to be sent (0: none waits).",
                mail.oldest_seconds,
            ),
            _gauge("mail_failed", "Mails given up (kept until their retention ends).", mail.failed),
            _gauge("webhook_queue_pending", "Webhook deliveries waiting.", webhooks.waiting),
            _gauge(
                "webhook_queue_oldest_seconds",
                "Age of the oldest webhook delivery waiting (0: none waits).",
                webhooks.oldest_seconds,
            ),
            _gauge(
                "webhook_failed", "Webhook deliveries given up (kept 30 days).", webhooks.failed
            ),
            _gauge("job_queue_pending", "CSV imports and invitation batches queued.", jobs.waiting),
            _gauge(
                "job_queue_oldest_seconds",
                "Age of the oldest queued import or invitation batch (0: none waits).",
                jobs.oldest_seconds,
            ),
        ]
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Snapshot(families))
    return generate_latest(registry)


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(f"tenant_app_{name}", documentation, value=value)
