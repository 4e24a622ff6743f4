"""Notifications in tests: who was told, and the mail job run at an injected time."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tenant_app.models.activity import Notification
from tenant_app.models.scoping import tenant_scope
from tenant_app.services import notification_mail
from tenant_app.services.notification_mail import DELAY


async def newest_notification() -> datetime:
    newest = await Notification.unscoped.all().order_by("-created_at").first()
    assert newest is not None
    return newest.created_at


async def mail_unread(settings: Any, *, after: timedelta = DELAY) -> int:
    """Run the mail job as the background loop would, `after` past the newest notification
    (by default when an unread one is due); how many mails it queued."""
    return await notification_mail.send_due(settings, now=await newest_notification() + after)


async def told(tenant: Any, kind: str) -> list[str]:
    """Who was notified of events of this kind (usernames, sorted)."""
    with tenant_scope(tenant.tenant.id):
        rows = await Notification.filter(event__kind=kind).values_list("user__username", flat=True)
    return sorted(str(username) for username in rows)
