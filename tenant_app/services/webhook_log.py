"""What the webhook pages show: the endpoints with their newest delivery, and one endpoint's
delivery log (newest first, paged, each delivery with the answers of its tries).

Both read a fixed number of statements however many endpoints, deliveries or tries there are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tenant_app.actors import CurrentUser
from tenant_app.models.integration import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tenant_app.queries import webhooks as reads
from tenant_app.queries.webhooks import PARKED
from tenant_app.services.webhooks import endpoint_for, endpoints

PAGE_SIZE = 25  # deliveries per page of the log
MAX_PAGE = 1_000  # further back nobody pages; the page number is clamped


def state_of(endpoint: WebhookEndpoint) -> str:
    """active | failing (active, but no 2xx lately) | paused (switched off by hand) |
    disabled (switched off by the loop after failing too long)."""
    if endpoint.is_active:
        return "failing" if endpoint.failing_since is not None else "active"
    return "disabled" if endpoint.disabled_at is not None else "paused"


@dataclass(frozen=True)
class EndpointSummary:
    endpoint: WebhookEndpoint
    state: str
    last: dict[str, Any] | None  # the newest delivery: status, last_status_code, created_at


async def endpoint_list(actor: CurrentUser) -> list[EndpointSummary]:
    found = await endpoints(actor)
    newest = await reads.newest_deliveries() if found else {}
    return [
        EndpointSummary(endpoint, state_of(endpoint), newest.get(endpoint.id)) for endpoint in found
    ]


@dataclass(frozen=True)
class Try:
    status_code: int | None
    error: str
    at: datetime


@dataclass(frozen=True)
class LogRow:
    id: int
    event_type: str
    message_id: str
    status: str  # pending | waiting (for the endpoint to be on) | delivered | failed
    attempts: int
    last_status_code: int | None
    last_error: str
    created_at: datetime
    delivered_at: datetime | None
    next_try: datetime | None  # while pending: when it is tried (None: at once)
    tries: list[Try]


@dataclass(frozen=True)
class DeliveryLog:
    endpoint: WebhookEndpoint
    state: str
    rows: list[LogRow]
    page: int
    has_next: bool


def _next_try(delivery: WebhookDelivery) -> datetime | None:
    if _status(delivery) != "pending" or delivery.next_attempt_at <= 0:
        return None
    return datetime.fromtimestamp(delivery.next_attempt_at, UTC)


def _status(delivery: WebhookDelivery) -> str:
    if delivery.status == "pending" and delivery.next_attempt_at >= PARKED:
        return "waiting"
    return str(delivery.status)


async def delivery_log(actor: CurrentUser, endpoint_id: int, *, page: int = 1) -> DeliveryLog:
    endpoint = await endpoint_for(actor, endpoint_id)
    page = max(1, min(page, MAX_PAGE))
    deliveries = (
        await WebhookDelivery.filter(endpoint_id=endpoint.id)
        .order_by("-id")
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    )
    shown = deliveries[:PAGE_SIZE]
    tries: dict[int, list[Try]] = {delivery.id: [] for delivery in shown}
    if shown:
        attempts = WebhookAttempt.filter(delivery_id__in=list(tries)).order_by("id")
        for attempt in await attempts:
            tries[attempt.delivery_id].append(
                Try(attempt.status_code, attempt.error, attempt.created_at)
            )
    rows = [
        LogRow(
            id=delivery.id,
            event_type=delivery.event_type,
            message_id=delivery.message_id,
            status=_status(delivery),
            attempts=delivery.attempts,
            last_status_code=delivery.last_status_code,
            last_error=delivery.last_error,
            created_at=delivery.created_at,
            delivered_at=delivery.delivered_at,
            next_try=_next_try(delivery),
            tries=tries[delivery.id],
        )
        for delivery in shown
    ]
    has_next = len(deliveries) > PAGE_SIZE
    return DeliveryLog(endpoint, state_of(endpoint), rows, page, has_next)
