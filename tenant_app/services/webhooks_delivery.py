"""Sending webhooks: the background loop's job (registered in app.PERIODIC_USE_CASES).

Each round claims due deliveries of every tenant (queries/webhooks.py), checks each
endpoint's address again (services/webhook_targets.py: it connects to the address it
checked), signs the body the Standard Webhooks way (`webhook-id`, `webhook-timestamp`,
`webhook-signature`, with the endpoint's secret) and POSTs it with a hard deadline. Every
try is logged (`WebhookAttempt`). A 2xx answer delivers; anything else (another status, a
refusal, a timeout, an address that is not allowed) is retried after `SCHEDULE` until
`MAX_ATTEMPTS` tries (about four days), then the delivery has failed.

An endpoint that has answered no try with 2xx for `DISABLE_AFTER` is switched off, and the
tenant's administrators (who manage settings) are told by mail; its pending deliveries wait
until someone switches it on again. Time comes from the database's clock (every host agrees
on it), or from `clock` in tests; the signature's timestamp is this host's, as receivers
check it against theirs.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from standardwebhooks.webhooks import Webhook
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from tenant_app.logs import log
from tenant_app.mail.notify import notify
from tenant_app.models.accounts import User
from tenant_app.models.folders import AuditEntry
from tenant_app.models.integration import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tenant_app.queries.sql import database_time
from tenant_app.queries.webhooks import PARKED, claim_due, endpoints_of
from tenant_app.services.webhook_targets import (
    Resolver,
    Target,
    TargetRefused,
    check_target,
    system_resolver,
)
from tenant_app.services.webhooks import park
from tenant_app.settings import Settings
from tenant_app.tenancy import enter_tenant, leave_tenant, load_tenant_info
from tenant_app.text.i18n import gettext as _

logger = logging.getLogger("tenant_app.webhooks")

# Seconds to wait after the 1st, 2nd, ... failed try; the last wait repeats.
SCHEDULE = (30, 120, 600, 3600, 6 * 3600, 12 * 3600)
# Tries in all: with SCHEDULE the last comes about 91 hours after the first, so an endpoint
# failing throughout is switched off (after DISABLE_AFTER) while its deliveries still wait.
MAX_ATTEMPTS = 13
DISABLE_AFTER = 3 * 24 * 3600  # seconds an endpoint may fail without one 2xx answer
TIMEOUT = 10.0  # seconds per try, resolving and connecting included
BATCH = 10  # deliveries claimed at once
BATCHES = 5  # claimed per run at most; the rest waits for the next run
RUN_SECONDS = 20  # no further batch is claimed after this long in one run
EVERY = 5  # seconds between runs of the job
RETENTION_DAYS = 30  # delivered and failed deliveries (with their log) are kept this long
DISABLED_FAILING = "failing"  # WebhookEndpoint.disabled_reason: switched off by the loop
DISABLED_AUDIT = "webhook_disabled"  # AuditEntry.action
MAIL_TEMPLATE = "webhook_disabled"
USER_AGENT = "tenant-app-webhooks/1"

Clock = Callable[[], Awaitable[float]]  # unix seconds


async def database_clock() -> float:
    return (await database_time()).timestamp()


def backoff(attempts: int, schedule: tuple[int, ...] = SCHEDULE) -> int:
    """Seconds to wait after the `attempts`-th failed try."""
    return schedule[min(max(attempts, 1), len(schedule)) - 1]


@dataclass(frozen=True)
class Outcome:
    status_code: int | None  # None: no answer
    error: str
    duration_ms: int

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class WebhookSender:
    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock = database_clock,
        schedule: tuple[int, ...] = SCHEDULE,
        max_attempts: int = MAX_ATTEMPTS,
        disable_after: int = DISABLE_AFTER,
        batch: int = BATCH,
        timeout: float = TIMEOUT,
        resolver: Resolver = system_resolver,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.schedule = schedule
        self.max_attempts = max_attempts
        self.disable_after = disable_after
        self.batch = batch
        self.timeout = timeout
        self.resolver = resolver
        # A claim outlasts its whole batch, each try at its deadline plus the writes after it.
        self.claim_seconds = math.ceil(batch * (timeout + 5))
        self._base = (0.0, 0.0)  # (clock, monotonic) at the batch's start

    async def run_once(self) -> int:
        """Send what is due; returns how many deliveries arrived. Claims no further batch
        once `RUN_SECONDS` have passed: the loop's other jobs (the mail) wait meanwhile."""
        delivered = 0
        started = time.monotonic()
        for _round in range(BATCHES):
            now = await self.clock()
            self._base = (now, time.monotonic())
            until = int(now) + self.claim_seconds  # the claim's token
            claimed = await claim_due(now=int(now), until=until, batch=self.batch)
            if not claimed:
                break
            delivered += await self._send_all(claimed, until)
            if time.monotonic() - started > RUN_SECONDS:
                break
        return delivered

    def _now(self) -> float:
        """The clock now, without asking it again: its value at the batch's start, moved on."""
        base, started = self._base
        return base + (time.monotonic() - started)

    async def _send_all(self, claimed: list[dict[str, Any]], until: int) -> int:
        """The endpoints side by side, each one's deliveries in turn."""
        endpoints = await endpoints_of({int(row["endpoint_id"]) for row in claimed})
        groups: dict[int, list[dict[str, Any]]] = {}
        for row in claimed:
            groups.setdefault(int(row["endpoint_id"]), []).append(row)
        async with httpx.AsyncClient(
            timeout=self.timeout, follow_redirects=False, trust_env=False
        ) as client:
            counts = await asyncio.gather(
                *(
                    self._send_group(client, endpoints.get(endpoint_id), rows, until)
                    for endpoint_id, rows in groups.items()
                )
            )
        return sum(counts)

    async def _send_group(
        self,
        client: httpx.AsyncClient,
        endpoint: dict[str, Any] | None,
        rows: list[dict[str, Any]],
        until: int,
    ) -> int:
        """One endpoint's claimed deliveries. After it gave no answer at all (refused, timed
        out), the rest is given back untried for a while: each would wait for the deadline."""
        delivered = 0
        unreachable = False
        for row in rows:
            if endpoint is None:  # deleted meanwhile, and its deliveries with it
                return delivered
            if not endpoint["is_active"]:
                await _release(row, until, next_attempt_at=PARKED)
            elif unreachable:
                await _release(row, until, next_attempt_at=int(self._now()) + self.schedule[0])
            else:
                outcome = await self._post(client, row, endpoint)
                if await self._record(row, endpoint, outcome, until):
                    delivered += int(outcome.delivered)
                unreachable = outcome.status_code is None
        return delivered

    async def _post(
        self, client: httpx.AsyncClient, row: dict[str, Any], endpoint: dict[str, Any]
    ) -> Outcome:
        started = time.monotonic()
        status: int | None = None
        error = ""
        try:
            async with asyncio.timeout(self.timeout):
                target = await check_target(
                    str(endpoint["url"]),
                    allow_private=self.settings.allows_private_webhooks,
                    resolver=self.resolver,
                )
                request = signed_request(client, target, row, str(endpoint["secret"]))
                response = await client.send(request, stream=True)
                await response.aclose()  # the answer's body is not read: its code says it all
                status = response.status_code
        except TargetRefused as refused:
            error = str(refused)
        except TimeoutError:
            error = _("No answer within %(n)s seconds.", n=int(self.timeout))
        except (httpx.HTTPError, OSError) as failure:
            error = f"{type(failure).__name__}: {failure}".strip(": ")
        except Exception as failure:  # noqa: BLE001 - any failure is a failed try, retried
            error = type(failure).__name__
            logger.exception("webhook try failed", extra={"fields": {"delivery_id": row["id"]}})
        duration = int((time.monotonic() - started) * 1000)
        return Outcome(status_code=status, error=error[:500], duration_ms=duration)

    async def _record(
        self, row: dict[str, Any], endpoint: dict[str, Any], outcome: Outcome, until: int
    ) -> bool:
        """Log the try and decide what comes next; False if the claim was lost meanwhile."""
        now = self._now()
        moment = datetime.fromtimestamp(now, UTC)
        attempts = int(row["attempts"]) + 1
        changes: dict[str, Any] = {
            "attempts": attempts,
            "last_status_code": outcome.status_code,
            "last_error": outcome.error,
            "locked_until": 0,
        }
        if outcome.delivered:
            changes |= {"status": "delivered", "delivered_at": moment}
        elif attempts >= self.max_attempts:
            changes |= {"status": "failed"}
        else:
            changes |= {"next_attempt_at": int(now) + backoff(attempts, self.schedule)}
        async with in_transaction():
            ours = WebhookDelivery.unscoped.filter(id=row["id"], locked_until=until)
            if not await ours.update(**changes):
                log(logger, logging.WARNING, "webhook claim ran out", delivery_id=row["id"])
                return False
            await WebhookAttempt(
                tenant_id=row["tenant_id"],
                delivery_id=row["id"],
                status_code=outcome.status_code,
                error=outcome.error,
                duration_ms=outcome.duration_ms,
            ).save()
            await self._endpoint_after(endpoint, outcome, moment)
        if self._failing_too_long(endpoint, moment):
            await self._disable(endpoint, moment)
        return True

    async def _endpoint_after(
        self, endpoint: dict[str, Any], outcome: Outcome, moment: datetime
    ) -> None:
        """A 2xx ends the endpoint's failing; the first failure since one starts it."""
        same = WebhookEndpoint.unscoped.filter(id=endpoint["id"])
        if outcome.delivered:
            if endpoint["failing_since"] is not None:
                await same.filter(failing_since__not_isnull=True).update(failing_since=None)
                endpoint["failing_since"] = None
        elif endpoint["failing_since"] is None:
            await same.filter(failing_since__isnull=True).update(failing_since=moment)
            endpoint["failing_since"] = moment

    def _failing_too_long(self, endpoint: dict[str, Any], moment: datetime) -> bool:
        since: datetime | None = endpoint["failing_since"]
        return since is not None and moment - since >= timedelta(seconds=self.disable_after)

    async def _disable(self, endpoint: dict[str, Any], moment: datetime) -> None:
        """Switch the endpoint off and tell the administrators, once (whoever wins the update)."""
        tokens = enter_tenant(await load_tenant_info(int(endpoint["tenant_id"])))
        try:
            async with in_transaction():
                switched = await WebhookEndpoint.filter(id=endpoint["id"], is_active=True).update(
                    is_active=False, disabled_at=moment, disabled_reason=DISABLED_FAILING
                )
                if not switched:
                    return
                await park(int(endpoint["id"]))
                await AuditEntry.create(action=DISABLED_AUDIT, subject_id=endpoint["id"])
                await _tell_admins(self.settings, endpoint)
        finally:
            leave_tenant(tokens)
        endpoint["is_active"] = False
        log(logger, logging.WARNING, "webhook endpoint switched off", endpoint_id=endpoint["id"])


def signed_request(
    client: httpx.AsyncClient, target: Target, row: dict[str, Any], secret: str
) -> httpx.Request:
    """The POST of one try: signed now, sent to the checked address under the URL's name."""
    sent_at = datetime.now(UTC)
    body = str(row["payload"])
    message_id = str(row["message_id"])
    headers = {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, sent_at, body),
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }
    url = httpx.URL(target.url)
    extensions: dict[str, Any] = {}
    if target.address is not None:  # connect to the address that was checked, nothing else
        headers["host"] = url.netloc.decode("ascii")
        url = url.copy_with(host=target.address)
        extensions["sni_hostname"] = target.host
    return client.build_request(
        "POST", url, content=body.encode(), headers=headers, extensions=extensions
    )


async def _release(row: dict[str, Any], until: int, *, next_attempt_at: int) -> None:
    """Give a claimed delivery back without a try, due again at `next_attempt_at`."""
    ours = WebhookDelivery.unscoped.filter(id=row["id"], locked_until=until)
    await ours.update(locked_until=0, next_attempt_at=next_attempt_at)


async def _tell_admins(settings: Settings, endpoint: dict[str, Any]) -> None:
    """Mail each active administrator (who alone may open the endpoint: permissions.
    can_link_systems), in the caller's transaction."""
    admins = User.filter(kind="staff", is_active=True, role="admin")
    for admin in await admins.order_by("id"):
        await notify(
            settings,
            to=admin.email,
            language=admin.language,
            template=MAIL_TEMPLATE,
            context={
                "recipient": admin,
                "url": endpoint["url"],
                "since": endpoint["failing_since"],
            },
            links={"link": f"/staff/settings/webhooks/{int(endpoint['id'])}"},
            user_id=admin.id,
        )


async def send_due(settings: Settings) -> int:
    """The background job: send what is due, across tenants."""
    return await WebhookSender(settings).run_once()


async def purge_old(settings: Settings, *, now: datetime | None = None) -> int:
    """Deliveries older than `RETENTION_DAYS` go with their log: delivered and failed ones,
    and those still waiting for an endpoint that stayed switched off all that time."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=RETENTION_DAYS)
    done = Q(status__in=("delivered", "failed")) | Q(status="pending", next_attempt_at=PARKED)
    old = WebhookDelivery.unscoped.filter(done, created_at__lt=cutoff)
    return int(await old.delete())
