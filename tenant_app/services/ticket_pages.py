"""What the ticket pages read: lists, the thread pages, the new-ticket form, unread counts.

The writes (open, reply, forward, close, read) and `ticket_for` live in services/tickets.py;
the hand-written SQL in queries/tickets.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, PermissionDenied
from tenant_app.models.contacts import ContactResponsible
from tenant_app.permissions import can_handle_tickets, staff_may_edit_folder
from tenant_app.queries import tickets as ticket_reads
from tenant_app.queries.tickets import (
    CustomerTicketPage,
    StaffChoice,
    StaffTicketPage,
    TicketRow,
)
from tenant_app.services.tickets import own_contact_id, sees_all_tickets
from tenant_app.vocabulary import FOLDERS


@dataclass(frozen=True)
class NewTicketForm:
    """Whom a customer may write to, and whom the form proposes (their responsible member)."""

    staff: list[StaffChoice]
    preferred_staff_id: int | None


async def preferred_staff(contact_id: int) -> int | None:
    responsible = await ContactResponsible.filter(contact_id=contact_id).order_by("id").first()
    return responsible.user_id if responsible else None


async def ticket_staff(actor: CurrentUser) -> list[StaffChoice]:
    """Staff a customer may write to (and staff may forward to): active, handling tickets."""
    return await ticket_reads.ticket_staff()


async def new_ticket_form(actor: CurrentUser) -> NewTicketForm:
    """The customer's new-ticket form; NotFound while communication is off."""
    contact_id = await own_contact_id(actor)
    return NewTicketForm(await ticket_staff(actor), await preferred_staff(contact_id))


async def staff_ticket_page(actor: CurrentUser, ticket_id: int) -> StaffTicketPage:
    """The rights of `ticket_for`: admins and members who see all contacts open every ticket,
    others only those they are responsible for or take part in; else NotFound."""
    if not can_handle_tickets(actor):
        raise PermissionDenied
    page = await ticket_reads.staff_ticket_page(
        ticket_id,
        user_id=actor.id,
        sees_all=sees_all_tickets(actor),
        folders=[folder if staff_may_edit_folder(actor, folder) else None for folder in FOLDERS],
    )
    if page is None:
        raise NotFound
    return page


async def customer_ticket_page(actor: CurrentUser, ticket_id: int) -> CustomerTicketPage:
    """The customer's own ticket while communication is on (the session brought the rights)."""
    contact_id = await own_contact_id(actor)
    page = await ticket_reads.customer_ticket_page(ticket_id, contact_id=contact_id)
    if page is None:
        raise NotFound
    return page


async def staff_tickets(
    actor: CurrentUser,
    *,
    status: str = "open",
    scope: str = "own",
    newest_first: bool = True,
    search: str = "",
) -> list[TicketRow]:
    if not can_handle_tickets(actor):
        raise PermissionDenied
    return await ticket_reads.staff_tickets(
        user_id=actor.id,
        status="closed" if status == "closed" else "open",
        only_own=scope != "all" or not sees_all_tickets(actor),
        newest_first=newest_first,
        search=search,
    )


async def unread_count(actor: CurrentUser) -> int:
    """Staff: their open tickets, unread or awaiting an answer. Customer: their open tickets
    with an unread entry (the ones their open list marks as new)."""
    if actor.kind == "customer":
        if actor.contact_id is None:
            return 0
        return await ticket_reads.customer_unread(actor.id, actor.contact_id)
    if not can_handle_tickets(actor):
        return 0
    return await ticket_reads.staff_unread(actor.id)


async def customer_tickets(actor: CurrentUser, *, status: str = "open") -> list[TicketRow]:
    """The customer's own tickets; NotFound while communication is off."""
    contact_id = await own_contact_id(actor)
    return await ticket_reads.customer_tickets(
        user_id=actor.id,
        contact_id=contact_id,
        status="closed" if status == "closed" else "open",
    )
