"""The notification centre: what an account was told (events.record gives the notifications),
listed by day, read one by one or all at once, linked to what it is about, and when unread
ones are mailed (the account's choice).

Reading wakes the account's open pages (`live.publish`), so every bell agrees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tortoise.expressions import Subquery

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, ValidationFailed
from tenant_app.live.broker import publish
from tenant_app.models.accounts import User
from tenant_app.models.activity import Event, Notification
from tenant_app.models.scoping import current_tenant_id
from tenant_app.queries import notifications as reads
from tenant_app.queries.notifications import NotificationRow
from tenant_app.text.event_labels import sentence
from tenant_app.text.formatting import as_local, fmt_date
from tenant_app.text.i18n import addressed
from tenant_app.text.i18n import gettext as _

PAGE_SIZE = 30
# When unread notifications are mailed (User.notification_mail); "delayed": after 5 minutes.
MAIL_CHOICES = ("instant", "delayed", "daily", "never")


async def read_about(
    actor: CurrentUser, *, object_type: str, object_id: int, now: datetime | None = None
) -> None:
    """Opening an object reads the actor's unread notifications about it (a ticket page, a
    folder). Nothing in a staff member's view as the customer (that view changes nothing)."""
    if actor.read_only:
        return
    about = Event.filter(object_type=object_type, object_id=object_id).values("id")
    marked = await Notification.filter(
        user_id=actor.id, read_at__isnull=True, event_id__in=Subquery(about)
    ).update(read_at=now or datetime.now(UTC))
    if marked:
        await publish(current_tenant_id(), [actor.id])


# --- The list --------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    id: int
    text: str  # the event's sentence for this reader
    created_at: datetime
    time: str  # "14:05", Europe/Berlin
    unread: bool


@dataclass(frozen=True)
class Day:
    label: str  # "Today", "Yesterday" or the date
    day: date
    entries: list[Entry] = field(default_factory=list)


@dataclass(frozen=True)
class Listing:
    days: list[Day]
    page: int
    has_next: bool
    any_unread: bool  # on this page
    mail_choice: str


def _actor_name(row: NotificationRow, *, for_customer: bool, shows_staff_names: bool) -> str:
    """Who did it, as this reader is told: customers read the staff member's name only if the
    broker shows names; a system event names the portal."""
    if row.actor_kind == "system" or not row.actor_name:
        return addressed("Your broker's office") if for_customer else _("The portal")
    if for_customer and row.actor_kind == "staff" and not shows_staff_names:
        return addressed("Your broker's office")
    return row.actor_name


def _day_label(day: date, today: date) -> str:
    if day == today:
        return _("Today")
    if day == today - timedelta(days=1):
        return _("Yesterday")
    return fmt_date(day)


def _by_day(entries: list[Entry], now: datetime) -> list[Day]:
    today = as_local(now).date()
    days: list[Day] = []
    for entry in entries:
        day = as_local(entry.created_at).date()
        if not days or days[-1].day != day:
            days.append(Day(_day_label(day, today), day))
        days[-1].entries.append(entry)
    return days


async def listing(actor: CurrentUser, *, page: int = 1, now: datetime | None = None) -> Listing:
    """One page of the actor's notifications, newest first, grouped by day (Europe/Berlin)."""
    page = max(1, min(page, 10_000))
    rows = await reads.newest(user_id=actor.id, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    prefs = await reads.preferences(user_id=actor.id)
    for_customer = actor.is_customer
    entries = [
        Entry(
            id=row.id,
            text=sentence(
                row.kind,
                actor=_actor_name(
                    row, for_customer=for_customer, shows_staff_names=prefs.shows_staff_names
                ),
                title=row.title,
                for_customer=for_customer,
            ),
            created_at=row.created_at,
            time=as_local(row.created_at).strftime("%H:%M"),
            unread=row.read_at is None,
        )
        for row in rows[:PAGE_SIZE]
    ]
    return Listing(
        days=_by_day(entries, now or datetime.now(UTC)),
        page=page,
        has_next=len(rows) > PAGE_SIZE,
        any_unread=any(entry.unread for entry in entries),
        mail_choice=prefs.notification_mail,
    )


# --- Reading ---------------------------------------------------------------------------


async def mark_read(actor: CurrentUser, *, notification_id: int) -> None:
    """NotFound unless it is the actor's own notification (in this tenant)."""
    mine = Notification.filter(id=notification_id, user_id=actor.id)
    if not await mine.exists():
        raise NotFound
    if await mine.filter(read_at__isnull=True).update(read_at=datetime.now(UTC)):
        await publish(current_tenant_id(), [actor.id])


async def mark_all_read(actor: CurrentUser) -> None:
    unread = Notification.filter(user_id=actor.id, read_at__isnull=True)
    if await unread.update(read_at=datetime.now(UTC)):
        await publish(current_tenant_id(), [actor.id])


@dataclass(frozen=True)
class Target:
    """Where a notification leads its reader: a named route, and for a household login whose
    portal shows another contact, that contact to choose first (the household switch)."""

    route: str
    params: dict[str, Any] = field(default_factory=dict)
    choose_contact: int | None = None


def target_of(actor: CurrentUser, row: NotificationRow) -> Target:
    if actor.is_staff:
        return _staff_target(row)
    target = _portal_target(row)
    if row.contact_id is not None and row.contact_id != actor.contact_id:
        return Target(target.route, target.params, choose_contact=row.contact_id)
    return target


def _staff_target(row: NotificationRow) -> Target:
    if row.object_type == "ticket" and row.object_id is not None:
        return Target("staff_ticket_detail", {"ticket_id": row.object_id})
    if row.object_type == "lead" and row.object_id is not None:
        return Target("staff_lead_detail", {"lead_id": row.object_id})
    if row.object_type == "chat" and row.object_id is not None:
        return Target("staff_chat_detail", {"chat_id": row.object_id})
    if row.object_type == "tender" and row.object_id is not None:
        return Target("tender_detail", {"tender_id": row.object_id})
    if row.contact_id is None:
        return Target("notification_list")
    if row.object_type == "case" and row.object_id is not None:
        return Target("case_detail", {"case_id": row.object_id})
    if row.object_type == "claim" and row.object_id is not None:
        return Target("staff_claim_detail", {"claim_id": row.object_id})
    if row.object_type == "offer_request":
        return Target("staff_offer_requests", {})
    if row.object_type == "data_request" and row.object_id is not None:
        return Target("staff_data_request_detail", {"request_id": row.object_id})
    if row.object_type in ("contract", "document") and row.folder:
        return Target("folder_page", {"contact_id": row.contact_id, "folder": row.folder})
    return Target("contact_detail", {"contact_id": row.contact_id})


def _portal_target(row: NotificationRow) -> Target:
    if row.object_type == "ticket" and row.object_id is not None:
        return Target("portal_ticket_detail", {"ticket_id": row.object_id})
    if row.object_type == "claim" and row.object_id is not None:
        return Target("portal_claim_detail", {"claim_id": row.object_id})
    if row.object_type == "chat":  # one chat per contact: the portal's chat page shows it
        return Target("portal_chat")
    if row.object_type in ("contract", "document") and row.folder:
        return Target("portal_folder", {"folder": row.folder})
    if row.object_type == "contact":
        return Target("portal_profile")
    if row.object_type == "data_request":
        return Target("portal_data_requests")
    return Target("portal_home")


async def open_notification(actor: CurrentUser, *, notification_id: int) -> Target:
    """Following a notification reads it (not in a view as the customer) and says where to."""
    row = await reads.one(user_id=actor.id, notification_id=notification_id)
    if row is None:
        raise NotFound
    if row.read_at is None and not actor.read_only:
        await mark_read(actor, notification_id=notification_id)
    return target_of(actor, row)


# --- Mails -----------------------------------------------------------------------------


async def set_mail_choice(actor: CurrentUser, *, choice: str) -> None:
    """When the actor's unread notifications are mailed; anything else changes nothing."""
    if choice not in MAIL_CHOICES:
        message = addressed("Please choose one of the options.")
        raise ValidationFailed({"notification_mail": message})
    await User.filter(id=actor.id).update(notification_mail=choice)
