"""What an open page's live stream re-reads on each wake-up: whether its session still holds,
the bell's count and the unread-ticket badges' (apart from services/notifications.py, which
the ticket use cases import: the ticket pages' counts import those use cases in turn)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from tenant_app.actors import CurrentUser
from tenant_app.permissions import can_handle_tickets
from tenant_app.queries import notifications as reads
from tenant_app.services import ticket_pages


@dataclass(frozen=True)
class Counts:
    """What an open page shows live: the bell's count and, where the page has them, the
    unread-ticket badges' (None: no badges)."""

    unread: int
    tickets: int | None
    unchecked: int | None = None  # staff: the activity feed's count in the sidebar


def has_ticket_badges(actor: CurrentUser) -> bool:
    if actor.is_staff:
        return can_handle_tickets(actor)
    return actor.access is not None and actor.access.communication


async def live_counts(
    actor: CurrentUser, *, idle: timedelta, absolute: timedelta, tickets: bool
) -> Counts | None:
    """The counts, or None once the actor's session has ended or expired (then the stream
    ends). `tickets`: also count unread tickets (only after a wake-up, not every heartbeat)."""
    state = await reads.live_state(session_id=actor.session_id, user_id=actor.id)
    if state is None:
        return None
    if state.now - state.last_seen_at > idle or state.now - state.created_at > absolute:
        return None
    ticket_count = None
    if tickets and has_ticket_badges(actor):
        ticket_count = await ticket_pages.unread_count(actor)
    return Counts(state.unread, ticket_count, state.unchecked if actor.is_staff else None)
