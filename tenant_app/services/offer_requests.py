"""Offers a customer asks for (Angebotsanfragen): a product line and a short description,
carried by a ticket (with its attachment) to their advisor; staff answer with an offer.

The request's staff see it in a list (/staff/offer-requests) and on the contact's page; the
answer is a contract with the status "offer" made in the contract form, which links it and
marks the request answered (the customer hears of the new contract in their folder).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, PermissionDenied, ValidationFailed
from tenant_app.models.contacts import Contact
from tenant_app.models.engagement import OfferRequest
from tenant_app.models.folders import Contract
from tenant_app.permissions import can_use_staff_area, staff_may_edit_folder
from tenant_app.schemas.base import checked
from tenant_app.schemas.offers import OfferRequestInput
from tenant_app.schemas.product_lines import line_label
from tenant_app.services import contracts, events, offers, tickets
from tenant_app.services.contacts import of_visible_contacts
from tenant_app.services.documents import Upload
from tenant_app.text.i18n import addressed as _a
from tenant_app.text.i18n import gettext as _
from tenant_app.vocabulary import PRODUCT_LINES

STATUS_FILTERS = ("open", "answered", "all")
ANSWER_FOLDER = "insurance"  # offers answer insurance needs
LIST_LIMIT = 200  # newest first; older ones are on the contacts' pages


@dataclass(frozen=True)
class OfferRequestRow:
    id: int
    contact_id: int
    contact_name: str
    line: str  # the product line's label
    description: str
    status: str
    created_at: datetime
    conversation_id: int | None
    offer_id: int | None
    offer_folder: str


def product_line_choices() -> list[tuple[str, str]]:
    return [(key, line_label(key)) for key in PRODUCT_LINES]


async def request_offer(
    ctx: tickets.Context,
    actor: CurrentUser,
    *,
    values: dict[str, str],
    staff_id: int | None = None,
    upload: Upload | None = None,
) -> OfferRequest:
    """The request and its ticket (to `staff_id`, else the contact's advisor), in one go."""
    clean, errors = checked(OfferRequestInput, values)
    if clean is None:
        raise ValidationFailed(errors)
    recipient = staff_id or await offers.advisor_id(actor)  # NotFound: communication off
    line = line_label(clean.product_line)
    async with in_transaction():
        conversation = await tickets.open_ticket(
            ctx,
            actor,
            contact_id=actor.contact_id or 0,
            staff_id=recipient,
            subject=_a("Request for an offer: %(line)s", line=line)[:200],
            body=clean.description,
            upload=upload,
        )
        offer_request = await OfferRequest.create(
            contact_id=conversation.contact_id,
            requested_by_id=actor.id,
            product_line=clean.product_line,
            description=clean.description,
            conversation_id=conversation.id,
        )
        await events.record(
            actor,
            events.OFFER_REQUESTED,
            contact_id=conversation.contact_id,
            object_type="offer_request",
            object_id=offer_request.id,
            title=line,
        )
    return offer_request


def _visible(actor: CurrentUser) -> QuerySet[OfferRequest]:
    if not can_use_staff_area(actor):
        raise NotFound
    return of_visible_contacts(actor, OfferRequest.all())


def _row(found: OfferRequest) -> OfferRequestRow:
    contact: Contact = found.contact
    offer: Contract | None = found.offer
    return OfferRequestRow(
        id=found.id,
        contact_id=found.contact_id,
        contact_name=f"{contact.first_name} {contact.last_name}".strip(),
        line=line_label(found.product_line),
        description=found.description,
        status=found.status,
        created_at=found.created_at,
        conversation_id=found.conversation_id,
        offer_id=found.offer_id,
        offer_folder=offer.folder if offer else "",
    )


async def request_list(
    actor: CurrentUser, *, status: str = "open", contact_id: int | None = None
) -> list[OfferRequestRow]:
    """The requests on contacts the actor sees, newest first (one query)."""
    query = _visible(actor)
    if status in ("open", "answered"):
        query = query.filter(status=status)
    if contact_id is not None:
        query = query.filter(contact_id=contact_id)
    found = (
        await query.select_related("contact", "offer")
        .order_by("-created_at", "-id")
        .limit(LIST_LIMIT)
    )
    return [_row(item) for item in found]


async def request_for(actor: CurrentUser, request_id: int) -> OfferRequest:
    """An open request staff may answer with an offer (NotFound: not theirs or answered)."""
    found = await _visible(actor).filter(id=request_id).select_related("contact").first()
    if found is None or found.status != "open":
        raise NotFound
    if not staff_may_edit_folder(actor, ANSWER_FOLDER):
        raise PermissionDenied
    return found


def answer_values(found: OfferRequest) -> dict[str, Any]:
    """The contract form, prefilled: an offer for the product line asked for."""
    line = "" if found.product_line == "sonstige" else line_label(found.product_line)
    return {"status": "offer", "product_line": line, "note": found.description[:2000]}


async def answer_request(
    actor: CurrentUser, found: OfferRequest, *, values: dict[str, str]
) -> Contract:
    """Save the offer and link it; a request answered meanwhile (another tab) is refused."""
    async with in_transaction():
        offer = await contracts.create_contract(
            actor, contact_id=found.contact_id, folder=ANSWER_FOLDER, values=values
        )
        linked = await OfferRequest.filter(id=found.id, status="open").update(
            status="answered", offer_id=offer.id
        )
        if not linked:
            raise ValidationFailed({"form": _("This request has already been answered.")})
    return offer
