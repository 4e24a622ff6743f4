"""The mail about notifications left unread: one per account and batch, as the account chose.

`User.notification_mail`:
- `instant`: due at once (the background loop runs this every few seconds);
- `delayed` (the default): due once unread for `DELAY` after it was created;
- `daily`: one digest a day at or after 07:00 Europe/Berlin, of what came before 07:00
  (`User.notification_digest_at` remembers the last one, so a day never gets two);
- `never`.

A notification read before it is due is never mailed. The mail lists only what happened
(`event_labels.short`, with counts) and links to the notification list: never a message, a
title or anyone's data. Marking the notifications mailed is the claim: a conditional UPDATE
(`mailed_at IS NULL`) in the transaction that queues the mail, so two processes running
this job at once never mail one notification twice (on PostgreSQL the second waits for the
first's row locks, then finds them taken). Time comes in as `now` (tests move it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta
from itertools import groupby
from zoneinfo import ZoneInfo

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from tenant_app.mail.notify import notify
from tenant_app.models.accounts import User
from tenant_app.models.activity import Notification
from tenant_app.settings import Settings
from tenant_app.tenancy import enter_tenant, leave_tenant, load_tenant_info
from tenant_app.text import i18n
from tenant_app.text.event_labels import short

TEMPLATE = "unread_notifications"
LIST_PATH = "/account/notifications"  # the notification list, on the tenant's host
DELAY = timedelta(minutes=5)  # 'delayed': unread this long after it was created
DIGEST_HOUR = 7  # 'daily': the digest goes out at or after 07:00 office time
OFFICE_TZ = ZoneInfo("Europe/Berlin")
# Older unread notifications are no news any more: an account that switches from 'never'
# (or a worker down for days) gets no mail about last month.
HORIZON = timedelta(days=7)
EVERY = 15  # seconds between runs of the background job


class _Changed(Exception):
    """Some of an account's notifications were read or mailed meanwhile: leave them for the
    next round, which sees what is left."""


def digest_cutoff(now: datetime) -> datetime:
    """The last 07:00 in Berlin at or before `now`: a daily digest covers what came before."""
    local = now.astimezone(OFFICE_TZ)
    day = local.date() if local.time() >= time(DIGEST_HOUR) else local.date() - timedelta(days=1)
    return datetime.combine(day, time(DIGEST_HOUR), tzinfo=OFFICE_TZ).astimezone(UTC)


def _due(now: datetime) -> Q:
    """Unread, unmailed notifications of active accounts that are due as of `now`."""
    cutoff = digest_cutoff(now)
    no_digest_since = Q(user__notification_digest_at__isnull=True) | Q(
        user__notification_digest_at__lt=cutoff
    )
    return Q(
        read_at__isnull=True,
        mailed_at__isnull=True,
        created_at__gt=now - HORIZON,
        user__is_active=True,
    ) & (
        Q(user__notification_mail="instant", created_at__lte=now)
        | Q(user__notification_mail="delayed", created_at__lte=now - DELAY)
        | (Q(user__notification_mail="daily", created_at__lte=cutoff) & no_digest_since)
    )


async def send_due(settings: Settings, *, now: datetime | None = None) -> int:
    """The background job, across tenants: queue the mails now due; returns how many."""
    at = now or datetime.now(UTC)
    tenants = (
        Notification.unscoped.filter(_due(at), tenant__is_active=True)
        .distinct()
        .values_list("tenant_id", flat=True)
    )
    queued = 0
    for tenant_id in sorted({int(tenant_id) for tenant_id in await tenants}):
        tokens = enter_tenant(await load_tenant_info(tenant_id))
        try:
            queued += await _send_due_here(settings, at)
        finally:
            leave_tenant(tokens)
    return queued


async def _send_due_here(settings: Settings, at: datetime) -> int:
    """The current tenant's due notifications: one mail per account."""
    rows = (
        await Notification.filter(_due(at))
        .order_by("user_id", "id")
        .values("id", "user_id", "event__kind")
    )
    users = {user.id: user for user in await User.filter(id__in={row["user_id"] for row in rows})}
    queued = 0
    for user_id, batch in groupby(rows, key=lambda row: int(row["user_id"])):
        kinds = {int(row["id"]): str(row["event__kind"]) for row in batch}
        try:
            queued += await _mail(settings, users[user_id], kinds, at)
        except _Changed:
            continue
    return queued


async def _mail(settings: Settings, user: User, kinds: dict[int, str], at: datetime) -> int:
    """Claim the account's due notifications (and, for a digest, the day) and queue the mail,
    in one transaction; `_Changed` rolls both back."""
    async with in_transaction():
        if user.notification_mail == "daily":
            cutoff = digest_cutoff(at)
            day = User.filter(
                Q(notification_digest_at__isnull=True) | Q(notification_digest_at__lt=cutoff)
            )
            if not await day.filter(id=user.id).update(notification_digest_at=at):
                return 0  # another process sent today's digest
        unclaimed = Notification.filter(
            id__in=list(kinds), mailed_at__isnull=True, read_at__isnull=True
        )
        if await unclaimed.update(mailed_at=at) != len(kinds):
            raise _Changed
        await notify(
            settings,
            to=user.email,
            language=user.language,
            template=TEMPLATE,
            context={"recipient": user, **_what_happened(user, kinds.values())},
            links={"link": LIST_PATH},
            contact_id=user.contact_id,  # a customer's own contact (a bounce tells staff)
            user_id=user.id,
        )
    return 1


def _what_happened(user: User, kinds: Iterable[str]) -> dict[str, object]:
    """What the mail may say: each kind of event in the recipient's language, with its count
    (most frequent first), and the total. No names, no titles."""
    counts = Counter(kinds)
    with i18n.using(user.language or i18n.DEFAULT_LOCALE):
        happened = [(short(kind), count) for kind, count in counts.most_common()]
    return {"happened": happened, "total": sum(counts.values())}
