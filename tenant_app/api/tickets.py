"""Tickets: list them, read one with its messages (and the office's internal notes), reply,
open one to a customer. A reply or a new ticket tells the customer, as one from the staff
pages does; its author is the token's account ("API <token name>")."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from tenant_app.api import paging
from tenant_app.api.documents_models import RowId, Storable
from tenant_app.api.operations import PREFIX, Call, Reply, operation
from tenant_app.api.paging import Page, PageQuery
from tenant_app.schemas.tickets import MAX_BODY, MAX_SUBJECT
from tenant_app.schemas.tickets import Body as BodyText
from tenant_app.schemas.tickets import Subject as SubjectText
from tenant_app.services import ticket_sync, tickets
from tenant_app.services.ticket_sync import Thread, TicketFilter

TAG = "Tickets"
ONE = "/tickets/{ticket_id:id}"


Subject = Annotated[SubjectText, Field(min_length=1, max_length=MAX_SUBJECT), Storable]
Body = Annotated[BodyText, Field(min_length=1, max_length=MAX_BODY), Storable]


class TicketOut(BaseModel):
    id: int
    contact_id: int
    subject: str
    status: Literal["open", "closed"]
    responsible_id: int | None = Field(description="The staff member who holds it.")
    message_count: int = Field(description="Messages written (internal notes not counted).")
    awaiting_reply: bool = Field(description="The customer wrote last.")
    created_at: datetime
    last_message_at: datetime | None
    closed_at: datetime | None
    updated_at: datetime = Field(description="The latest of created, written to and closed.")


class TicketMessage(BaseModel):
    id: int = Field(description="Unique per kind.")
    kind: Literal["message", "note"] = Field(
        description="`message`: written between customer and office; `note`: internal."
    )
    internal: bool = Field(description="Never shown to the customer.")
    by_customer: bool
    author_id: int | None
    author_name: str | None = Field(description="null: the account no longer exists.")
    body: str
    document_id: int | None = Field(
        description="The attachment: GET /documents/{document_id}/content."
    )
    created_at: datetime


class TicketDetail(TicketOut):
    messages: list[TicketMessage] = Field(description="Oldest first.")


class TicketQuery(PageQuery):
    """`updated_since` finds tickets created, written to or closed since then."""

    contact_id: RowId | None = None
    status: Literal["open", "closed"] | None = None


class NewMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: Body


class NewTicket(NewMessage):
    contact_id: RowId = Field(description="The contact, whose login receives the ticket.")
    subject: Subject


def _summary(ticket: object) -> dict[str, object]:
    times = [getattr(ticket, name) for name in ("created_at", "last_entry_at", "closed_at")]
    return {
        **{name: getattr(ticket, name) for name in ("id", "contact_id", "subject", "status")},
        "responsible_id": getattr(ticket, "responsible_id", None),
        "message_count": getattr(ticket, "entry_count", 0),
        "awaiting_reply": getattr(ticket, "last_entry_by_customer", False),
        "created_at": times[0],
        "last_message_at": times[1],
        "closed_at": times[2],
        "updated_at": max(time for time in times if time is not None),
    }


def _detail(thread: Thread) -> TicketDetail:
    messages = [TicketMessage.model_validate(m, from_attributes=True) for m in thread.messages]
    return TicketDetail.model_validate({**_summary(thread.ticket), "messages": messages})


def _context(call: Call) -> tickets.Context:
    state = call.request.app.state
    return tickets.Context(settings=state.settings, store=state.storage)


def _created(thread: Thread) -> Reply:
    location = f"{PREFIX}/tickets/{thread.ticket.id}"
    return Reply(_detail(thread), status=201, headers={"Location": location})


@operation(
    "GET",
    "/tickets",
    name="api_tickets_list",
    summary="List tickets (for sync: `updated_since`, in id order)",
    scope="tickets:read",
    tag=TAG,
    query=TicketQuery,
    response=Page[TicketOut],
)
async def tickets_list(call: Call) -> Page[TicketOut]:
    query: TicketQuery = call.query
    wanted = TicketFilter(
        after_id=paging.after_id(query.cursor),
        limit=query.limit,
        since=query.updated_since,
        contact_id=query.contact_id,
        status=query.status,
    )
    found = await ticket_sync.ticket_page(call.actor, wanted)
    items = [TicketOut.model_validate(_summary(ticket)) for ticket in found]
    return paging.page_of(items, [ticket.id for ticket in found], query.limit)


@operation(
    "GET",
    ONE,
    name="api_ticket_get",
    summary="A ticket with its messages and internal notes",
    scope="tickets:read",
    tag=TAG,
    response=TicketDetail,
)
async def ticket_get(call: Call) -> TicketDetail:
    return _detail(await ticket_sync.ticket_thread(call.actor, call.path["ticket_id"]))


@operation(
    "POST",
    ONE + "/messages",
    name="api_ticket_reply",
    summary="Reply to the customer",
    scope="tickets:write",
    tag=TAG,
    body=NewMessage,
    response=TicketDetail,
    status=201,
    description="As a reply on the staff pages: the customer is notified. The answer is the"
    " ticket with the new message.",
)
async def ticket_reply(call: Call) -> Reply:
    message: NewMessage = call.body
    thread = await ticket_sync.reply(
        _context(call), call.actor, call.path["ticket_id"], body=message.body
    )
    return _created(thread)


@operation(
    "POST",
    "/tickets",
    name="api_ticket_open",
    summary="Open a ticket to a customer",
    scope="tickets:write",
    tag=TAG,
    body=NewTicket,
    response=TicketDetail,
    status=201,
    description="The contact needs an active login with communication switched on.",
)
async def ticket_open(call: Call) -> Reply:
    new: NewTicket = call.body
    thread = await ticket_sync.open_ticket(
        _context(call), call.actor, contact_id=new.contact_id, subject=new.subject, body=new.body
    )
    return _created(thread)
