"""Sending the pushes: new unread notifications go to every subscribed browser of their
account, as one short, neutral message (what happened, never a name, title or text) and
the address to open.

A periodic job (app.py) across the tenants that switched the `push` module on. Each
subscription remembers the creation time of the newest notification it was sent
(`last_sent_at`); what came later and is still unread is due. Claiming is a conditional
UPDATE of that time, so two processes never push the same news twice. The endpoint is
checked again before each send (https to a public host, as webhooks), and the POST goes to
the very address that was checked (no second DNS lookup), follows no redirect and ends
within TIMEOUT_SECONDS, all of it (services/webhooks_delivery.py sends the same way). The
message is encrypted (RFC 8291, aes128gcm) and signed (VAPID, RFC 8292) with pywebpush and
py_vapid. The push service answering 404 or 410 means the browser unsubscribed: the
subscription goes; other failures (a redirect too) are counted and the subscription goes
after MAX_FAILURES in a row.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from py_vapid import Vapid02
from pywebpush import WebPusher, WebPushException
from tortoise.functions import Max

from tenant_app.models.accounts import User
from tenant_app.models.activity import Notification
from tenant_app.models.push import PushSubscription
from tenant_app.models.tenancy import Tenant
from tenant_app.queries.sql import as_datetime
from tenant_app.services import push
from tenant_app.services.webhook_targets import Target, TargetRefused, check_target
from tenant_app.settings import Settings
from tenant_app.tenancy import TenantInfo, enter_tenant, leave_tenant, load_tenant_info
from tenant_app.text import i18n
from tenant_app.text.event_labels import short

log = logging.getLogger(__name__)
EVERY = 10  # seconds between runs of the background job
HORIZON = timedelta(days=1)  # older unread notifications are no news for a push
MAX_FAILURES = 5
TIMEOUT_SECONDS = 10.0
TTL_SECONDS = 24 * 3600
LIST_PATH = "/account/notifications"


async def send_due(settings: Settings, *, now: datetime | None = None) -> int:
    """The background job, across tenants with push on: how many pushes were sent."""
    at = now or datetime.now(UTC)
    tenant_ids = await (
        PushSubscription.unscoped.filter(tenant__is_active=True)
        .distinct()
        .values_list("tenant_id", flat=True)
    )
    sent = 0
    for tenant_id in sorted({int(value) for value in tenant_ids}):
        info = await load_tenant_info(tenant_id)
        if not info.has_module("push"):
            continue
        tokens = enter_tenant(info)
        try:
            sent += await _send_here(settings, info, at)
        finally:
            leave_tenant(tokens)
    return sent


async def _firm_name(tenant_id: int, fallback: str) -> str:
    row = await Tenant.filter(id=tenant_id).values("broker_firm_name")
    return str(row[0]["broker_firm_name"]) if row and row[0]["broker_firm_name"] else fallback


async def _newest_unread(user_ids: set[int], at: datetime) -> dict[int, datetime]:
    """Per account, when its newest recent unread notification came (one query)."""
    rows = await (
        Notification.filter(user_id__in=list(user_ids), read_at__isnull=True)
        .filter(created_at__gt=at - HORIZON)
        .annotate(newest=Max("created_at"))
        .group_by("user_id")
        .values("user_id", "newest")
    )
    return {int(row["user_id"]): as_datetime(row["newest"]) for row in rows}


async def _send_here(settings: Settings, info: TenantInfo, at: datetime) -> int:
    """Only subscriptions whose account has news since their last push cost more queries."""
    subscriptions = await PushSubscription.filter(user__is_active=True).order_by("id")
    newest = await _newest_unread({s.user_id for s in subscriptions}, at) if subscriptions else {}
    subscriptions = [
        s
        for s in subscriptions
        if s.user_id in newest and newest[s.user_id] > (s.last_sent_at or s.created_at)
    ]
    if not subscriptions:
        return 0
    sender = _Sender(settings, await push.vapid(settings))
    title = await _firm_name(info.id, info.name)
    sent = 0
    async with httpx.AsyncClient(
        timeout=httpx.Timeout(TIMEOUT_SECONDS), follow_redirects=False, trust_env=False
    ) as sender.client:
        for subscription in subscriptions:
            sent += await _send_one(sender, subscription, (title, info.address_form), at)
    return sent


async def _news(subscription: PushSubscription, at: datetime) -> list[dict[str, object]]:
    since = max(at - HORIZON, subscription.last_sent_at or subscription.created_at)
    return await (
        Notification.filter(
            user_id=subscription.user_id, read_at__isnull=True, created_at__gt=since
        )
        .order_by("-created_at", "-id")
        .limit(50)
        .values("id", "created_at", "event__kind")
    )


async def _claim(subscription: PushSubscription, newest: datetime) -> bool:
    query = PushSubscription.filter(id=subscription.id)
    if subscription.last_sent_at is None:
        query = query.filter(last_sent_at__isnull=True)
    else:
        query = query.filter(last_sent_at=subscription.last_sent_at)
    return bool(await query.update(last_sent_at=newest))


async def _message(
    subscription: PushSubscription, news: list[dict[str, object]], address_form: str
) -> dict[str, str]:
    user = await User.get(id=subscription.user_id)
    with i18n.using(user.language or i18n.DEFAULT_LOCALE, address_form):
        if len(news) == 1:
            text = short(str(news[0]["event__kind"]))
            url = f"{LIST_PATH}/{news[0]['id']}"
        else:
            text = i18n.ngettext("%(num)s new notification", "%(num)s new notifications", len(news))
            url = LIST_PATH
    return {"body": text, "url": url}


async def _send_one(
    sender: _Sender,
    subscription: PushSubscription,
    brand: tuple[str, str],  # the title (firm name) and the form of address
    at: datetime,
) -> int:
    news = await _news(subscription, at)
    if not news or not await _claim(subscription, news[0]["created_at"]):  # type: ignore[arg-type]
        return 0
    payload = {"title": brand[0], **await _message(subscription, news, brand[1])}
    return await _record(subscription, await sender.post(subscription, payload))


class _Sender:
    """One run's HTTP client (no redirects, no proxies from the environment) and key."""

    client: httpx.AsyncClient

    def __init__(self, settings: Settings, vapid: Vapid02) -> None:
        self.settings = settings
        self.vapid = vapid

    async def post(self, subscription: PushSubscription, payload: dict[str, str]) -> int:
        """The push service's status code, 0 for no answer (refused, unreachable, too slow)."""
        try:
            async with asyncio.timeout(TIMEOUT_SECONDS):
                target = await check_target(
                    subscription.endpoint, allow_private=self.settings.allows_private_webhooks
                )
                request = self._request(target, subscription, payload)
                response = await self.client.send(request, stream=True)
                await response.aclose()  # the body is not read: the code says it all
                return response.status_code
        except (
            TargetRefused,
            TimeoutError,
            httpx.HTTPError,
            OSError,
            ValueError,
            WebPushException,
        ):
            return 0

    def _request(
        self, target: Target, subscription: PushSubscription, payload: dict[str, str]
    ) -> httpx.Request:
        """The encrypted, signed POST, to the checked address under the endpoint's name."""
        keys = {"p256dh": subscription.p256dh, "auth": subscription.auth}
        pusher = WebPusher({"endpoint": subscription.endpoint, "keys": keys})
        body = pusher.encode(json.dumps(payload).encode(), content_encoding="aes128gcm")["body"]
        url = httpx.URL(target.url)
        audience = f"{url.scheme}://{url.netloc.decode('ascii')}"
        claims = {
            "sub": f"mailto:{self.settings.mail_from}",
            "aud": audience,
            "exp": int(time.time()) + 12 * 3600,
        }
        headers: dict[str, str] = {
            **self.vapid.sign(claims),
            "content-encoding": "aes128gcm",
            "content-type": "application/octet-stream",
            "ttl": str(TTL_SECONDS),
        }
        extensions: dict[str, Any] = {}
        if target.address is not None:  # connect to the address that was checked, nothing else
            headers["host"] = url.netloc.decode("ascii")
            url = url.copy_with(host=target.address)
            extensions["sni_hostname"] = target.host
        return self.client.build_request(
            "POST", url, content=body, headers=headers, extensions=extensions
        )


async def _record(subscription: PushSubscription, status: int) -> int:
    """What the push service answered: gone, failed once more, or delivered."""
    if status in (404, 410):
        await PushSubscription.filter(id=subscription.id).delete()
        return 0
    if not 200 <= status < 300:
        failures = subscription.failures + 1
        log.info("push to subscription %s failed (%s)", subscription.id, status or "no answer")
        if failures >= MAX_FAILURES:
            await PushSubscription.filter(id=subscription.id).delete()
        else:
            await PushSubscription.filter(id=subscription.id).update(failures=failures)
        return 0
    if subscription.failures:
        await PushSubscription.filter(id=subscription.id).update(failures=0)
    return 1
