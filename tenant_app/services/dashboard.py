"""The staff home: what needs the member's attention."""

from __future__ import annotations

from dataclasses import replace

from tenant_app.actors import CurrentUser
from tenant_app.errors import PermissionDenied
from tenant_app.permissions import can_use_staff_area
from tenant_app.queries import dashboard as dashboard_reads
from tenant_app.queries.activity import changes_of
from tenant_app.queries.dashboard import Card, Dashboard
from tenant_app.services import activity
from tenant_app.text import event_labels


async def for_staff(actor: CurrentUser, *, chat: bool = False) -> Dashboard:
    """The cards of the staff home, limited to the contacts and folders the actor may see
    (`chat`: the tenant's chat module is on)."""
    if not can_use_staff_area(actor):
        raise PermissionDenied
    board = await dashboard_reads.dashboard(actor, chat=chat)
    if "activity" not in board.cards:
        return board
    return replace(board, cards={**board.cards, "activity": _told(board.cards["activity"])})


def _told(card: Card) -> Card:
    """The customers' edits in words, each changed field old → new (as the feed shows them)."""
    items = [
        replace(
            item,
            sentence=event_labels.sentence(
                item.kind, actor=item.actor, title=item.title, for_customer=False
            ),
            changes=activity.changed_fields(item.kind, item.folder, changes_of(item.detail)),
        )
        for item in card.items
    ]
    return replace(card, items=items)
