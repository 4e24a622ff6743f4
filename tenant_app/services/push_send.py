"""Sending the pushes: new unread notifications go to every subscribed browser of their
account, as one short, neutral message (what happened, never a name, title or text) and
the address to open.

A periodic job (app.py) across the tenants that switched the `push` module on. Each
subscription remembers the creation time of the newest notification it was sent
(`last_sent_at`); what came later and is still unread is due. Claiming is a conditional
UPDATE of that time, so two processes never push the same news twice. The endpoint is
checked again before each send (https to a public host, as webhooks). The push service
answering 404 or 410 means the browser unsubscribed: the subscription goes; other failures
are counted and the subscription goes after MAX_FAILURES in a row.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime, timedelta

from py_vapid import Vapid02
from pywebpush import WebPushException, webpush
from requests import RequestException
from tortoise.functions import Max

from tenant_app.models.accounts import User
from tenant_app.models.activity import Notification
from tenant_app.models.push import PushSubscription
from tenant_app.models.tenancy import Tenant
from tenant_app.queries.sql import as_datetime
from tenant_app.services import push
from tenant_app.services.webhook_targets import TargetRefused, check_target
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
    vapid = await push.vapid(settings)
    title = await _firm_name(info.id, info.name)
    sent = 0
    for subscription in subscriptions:
        sent += await _send_one(settings, vapid, subscription, (title, info.address_form), at)
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
    settings: Settings,
    vapid: Vapid02,
    subscription: PushSubscription,
    brand: tuple[str, str],  # the title (firm name) and the form of address
    at: datetime,
) -> int:
    news = await _news(subscription, at)
    if not news or not await _claim(subscription, news[0]["created_at"]):  # type: ignore[arg-type]
        return 0
    payload = {"title": brand[0], **await _message(subscription, news, brand[1])}
    try:
        await check_target(subscription.endpoint, allow_private=settings.allows_private_webhooks)
        status = await asyncio.wait_for(
            asyncio.to_thread(_post, settings, vapid, subscription, payload),
            TIMEOUT_SECONDS + 2,
        )
    except (TargetRefused, TimeoutError, RequestException):
        status = 0
    return await _record(subscription, status)


def _post(
    settings: Settings, vapid: Vapid02, subscription: PushSubscription, payload: dict[str, str]
) -> int:
    """The encrypted POST to the push service (pywebpush, blocking: run in a thread)."""
    info = {
        "endpoint": subscription.endpoint,
        "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
    }
    try:
        response = webpush(
            info,
            data=json.dumps(payload),
            vapid_private_key=vapid,
            vapid_claims={"sub": f"mailto:{settings.mail_from}"},
            timeout=TIMEOUT_SECONDS,
            ttl=TTL_SECONDS,
        )
    except WebPushException as refused:
        return refused.response.status_code if refused.response is not None else 0
    return int(getattr(response, "status_code", 0))


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
