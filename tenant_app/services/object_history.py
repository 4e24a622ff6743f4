"""An object's history on its staff page (an advice case, a claim): what the event stream
holds about it, newest first, each edit with its fields' old and new values as shown."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tenant_app.models.activity import Event
from tenant_app.text import event_labels
from tenant_app.text.i18n import gettext as _

HISTORY_ENTRIES = 30  # the newest, on the object's page


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    at: datetime
    sentence: str
    changes: list[tuple[str, str, str]]  # (field, old, new)


async def object_history(
    *,
    contact_id: int,
    object_type: str,
    object_id: int,
    field_labels: Mapping[str, str],
    shown: Callable[[str, Any], str],
) -> list[HistoryEntry]:
    """One query. `shown(column, stored value)` says a value as the page shows it."""
    found = (
        await Event.filter(contact_id=contact_id, object_type=object_type, object_id=object_id)
        .order_by("-created_at", "-id")
        .limit(HISTORY_ENTRIES)
    )
    return [
        HistoryEntry(
            at=event.created_at,
            sentence=event_labels.sentence(
                event.kind, actor=event.actor_name, title=event.title, for_customer=False
            ),
            changes=[
                (_(field_labels.get(column, column)), shown(column, old), shown(column, new))
                for column, (old, new) in (event.changes or {}).items()
            ],
        )
        for event in found
    ]
