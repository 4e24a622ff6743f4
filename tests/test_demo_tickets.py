"""The demo's tickets read like real ones: distinct subjects, and every message, history event,
read counter and time stamp agrees with the others; internal steps stay off the customer's page."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from tenant_app.demo.seed import CUSTOMER_PASSWORD, DEMO_SLUG, ensure_demo
from tenant_app.files.storage import LocalStorage
from tenant_app.models.accounts import User
from tenant_app.models.conversations import (
    Conversation,
    ConversationEntry,
    ConversationEvent,
    ConversationParticipant,
)
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant


async def _demo(passwords, settings) -> int:
    assert await ensure_demo(passwords, LocalStorage(settings.storage_dir), base_domain="localhost")
    return (await Tenant.get(slug=DEMO_SLUG)).id


def _check_ticket(
    ticket: Conversation,
    entries: list[ConversationEntry],
    events: list[ConversationEvent],
    seats: list[ConversationParticipant],
    kinds: dict[int, str],
) -> None:
    """One ticket's rows tell one story, in the order and at the times its history says."""
    times = [event.created_at for event in events]
    assert times == sorted(times) and times[-1] <= datetime.now(UTC)
    assert [e.created_at for e in entries] == sorted(e.created_at for e in entries)
    assert ticket.created_at == entries[0].created_at == events[0].created_at
    assert events[0].kind == "created"
    # Each message has its event (created, then replied) by its author at its moment.
    written = [e for e in events if e.kind in ("created", "replied")]
    assert [(e.actor_id, e.created_at) for e in written] == [
        (e.author_id, e.created_at) for e in entries
    ]
    assert ticket.entry_count == len(entries)
    assert ticket.last_entry_at == entries[-1].created_at
    assert ticket.last_entry_by_customer == entries[-1].by_customer
    if ticket.status == "closed":
        assert events[-1].kind == "closed" and ticket.closed_at == events[-1].created_at
    else:
        assert ticket.closed_at is None and "closed" not in {e.kind for e in events}
    # A seat has read what was written up to its holder's last read or message.
    for seat in seats:
        own = [e.created_at for e in events if e.actor_id == seat.user_id and e.kind != "note"]
        seen = max(own, default=None)
        expected = sum(1 for e in entries if seen is not None and e.created_at <= seen)
        assert seat.read_count == expected, (ticket.subject, kinds[seat.user_id])
    for event in events:
        staff_only = event.kind in ("forwarded", "note") or (
            event.kind == "read" and kinds[event.actor_id or 0] == "staff"
        )
        assert event.internal is staff_only, (ticket.subject, event.kind)


async def test_demo_tickets_have_distinct_subjects_and_consistent_times(
    passwords, settings
) -> None:
    tenant_id = await _demo(passwords, settings)
    with tenant_scope(tenant_id):
        tickets = await Conversation.filter(kind="ticket").order_by("id")  # chats: own test
        kinds = {user.id: user.kind for user in await User.all()}
        subjects = [ticket.subject for ticket in tickets]
        assert len(tickets) >= 6 and len(set(subjects)) == len(subjects)
        for ticket in tickets:
            entries = await ConversationEntry.filter(conversation_id=ticket.id).order_by("id")
            events = await ConversationEvent.filter(conversation_id=ticket.id).order_by("id")
            seats = await ConversationParticipant.filter(conversation_id=ticket.id)
            _check_ticket(ticket, entries, events, seats, kinds)
        assert await ConversationEvent.filter(kind="note").exists()
        assert await ConversationEvent.filter(kind="forwarded").exists()


async def test_demo_customer_sees_own_tickets_without_internal_steps(
    passwords, settings, client_for
) -> None:
    await _demo(passwords, settings)
    felix = client_for("demo.localhost")
    await felix.log_in("felix", CUSTOMER_PASSWORD)
    listing = (await felix.get("/portal/tickets")).text
    assert "Kündigung des Mobilfunkvertrags zum Jahresende" in listing
    assert "Paul Partner" in listing  # who answered him, not merely who holds the ticket
    ticket_id = re.findall(r'href="/portal/tickets/(\d+)"', listing)[0]
    page = (await felix.get(f"/portal/tickets/{ticket_id}")).text
    assert "übernimmst du" not in page and "weitergeleitet" not in page
