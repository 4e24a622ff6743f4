"""A contact's events and notifications in its data export and its erasure
(services/erasure.py).

The events about a contact go with it (the foreign key cascades), and with them every
notification they gave; its logins' notifications go with the logins. What stays is where
one of its logins acted on another contact's data (a household login managing someone
else's folders): that event is the other contact's history, so it stays, without the name.
A staff member's name in a customer's trail is the staff member's own, and stays.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from tenant_app.models.accounts import User
from tenant_app.models.activity import Event, Notification

EVENT_EXPORT_FIELDS = (
    "created_at",
    "kind",
    "actor_kind",
    "actor_name",
    "object_type",
    "object_id",
    "folder",
    "title",
    "changes",
    "checked_at",
)


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _event_row(event: Event) -> dict[str, Any]:
    row = {name: getattr(event, name) for name in EVENT_EXPORT_FIELDS}
    return row | {"created_at": _when(event.created_at), "checked_at": _when(event.checked_at)}


async def export_of(contact_id: int, accounts: Iterable[User]) -> dict[str, list[dict[str, Any]]]:
    """For the contact's export: what happened about it (who did what, when, old → new), and
    what its logins were told and when they read it."""
    events = await Event.filter(contact_id=contact_id).order_by("created_at", "id")
    logins = {account.id: account.username for account in accounts}
    told = (
        await Notification.filter(user_id__in=list(logins))
        .prefetch_related("event")
        .order_by("created_at", "id")
    )
    return {
        "events": [_event_row(event) for event in events],
        "notifications": [
            {
                "login": logins[notification.user_id],
                "kind": notification.event.kind,
                "about": notification.event.title,
                "created_at": _when(notification.created_at),
                "read_at": _when(notification.read_at),
                "mailed_at": _when(notification.mailed_at),
            }
            for notification in told
        ],
    }


async def forget_actor(account_ids: list[int]) -> None:
    """Erasing a person: events where their logins acted on another contact's data keep what
    happened, not who did it (the link to the login goes with the login by itself; their own
    contact's events go with the contact)."""
    if account_ids:
        await Event.filter(actor_id__in=account_ids).update(actor_name="")
