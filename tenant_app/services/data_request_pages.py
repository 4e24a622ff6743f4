"""What the data-request pages read: staff's list (open ones first by their deadline, then
the latest handled), a request's page, and the customer's "Meine Daten". A few queries each,
however many requests there are. The writes: services/data_requests.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound
from tenant_app.models.legal import DataRequest
from tenant_app.services import erasure
from tenant_app.services.data_requests import is_person_concerned, visible_requests
from tenant_app.text.formatting import local_today
from tenant_app.text.labels import N_

HANDLED_SHOWN = 50  # the latest handled requests staff's list shows below the open ones
DUE_SOON_DAYS = 7  # an open request due within this many days is marked

KIND_LABELS = {
    "export": N_("Copy of the data (Art. 15 GDPR)"),
    "erasure": N_("Erasure (Art. 17 GDPR)"),
}
STATUS_LABELS = {"open": N_("Open"), "done": N_("Done"), "refused": N_("Refused")}
LABELS = {"kind_labels": KIND_LABELS, "status_labels": STATUS_LABELS}


@dataclass(frozen=True, slots=True)
class RequestRow:
    id: int
    kind: str
    status: str
    contact_id: int
    contact_name: str
    asked_by: str
    created_at: datetime
    due_on: date
    handled_at: datetime | None
    deadline: str  # "overdue", "soon" or "" (handled ones: "")
    restricted: bool  # the contact is erased but retained for legal reasons (admins only)


def deadline_of(request: DataRequest, today: date) -> str:
    if request.status != "open":
        return ""
    if request.due_on < today:
        return "overdue"
    return "soon" if (request.due_on - today).days <= DUE_SOON_DAYS else ""


def _row(request: DataRequest, today: date) -> RequestRow:
    contact = request.contact
    return RequestRow(
        id=request.id,
        kind=request.kind,
        status=request.status,
        contact_id=request.contact_id,
        contact_name=f"{contact.last_name}, {contact.first_name}",
        asked_by=request.requested_by.full_name if request.requested_by else "",
        created_at=request.created_at,
        due_on=request.due_on,
        handled_at=request.handled_at,
        deadline=deadline_of(request, today),
        restricted=contact.restricted_at is not None,
    )


async def staff_list(actor: CurrentUser) -> dict[str, Any]:
    """Open requests by deadline (all: each is due within a month), then the latest handled;
    two queries."""
    rows = visible_requests(actor).select_related("contact", "requested_by")
    today = local_today()
    still_open = await rows.filter(status="open").order_by("due_on", "id")
    handled = await rows.exclude(status="open").order_by("-handled_at", "-id").limit(HANDLED_SHOWN)
    return {
        "open_rows": [_row(request, today) for request in still_open],
        "handled_rows": [_row(request, today) for request in handled],
        **LABELS,
    }


async def staff_page(actor: CurrentUser, request: DataRequest) -> dict[str, Any]:
    """The request's page parts (loaded by `data_requests.request_for`); for an open erasure,
    what it would delete at once and what it would keep until when."""
    preview = None
    if request.kind == "erasure" and request.status == "open":
        preview = await erasure.preview_erasure(actor, request.contact)
    return {
        "data_request": request,
        "contact": request.contact,
        "deadline": deadline_of(request, local_today()),
        "asked_by": request.requested_by.full_name if request.requested_by else "",
        "handled_by": request.handled_by.full_name if request.handled_by else "",
        "export_ready": _offered(request),
        "erasure_preview": preview.text() if preview is not None else "",
        **LABELS,
    }


def _offered(request: DataRequest) -> bool:
    expires = request.export_expires_at
    return bool(request.export_key) and expires is not None and expires > datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class CustomerRow:
    id: int
    kind: str
    status: str
    message: str
    created_at: datetime
    due_on: date
    handled_at: datetime | None
    outcome: str  # the refusal's reason (an export's outcome is its download)
    download: bool
    expires_at: datetime | None


async def customer_page(actor: CurrentUser) -> dict[str, Any]:
    """The customer's requests for the contact the portal shows, newest first (one query),
    and what he may ask for."""
    if actor.contact_id is None:
        raise NotFound
    if not is_person_concerned(actor):  # a household login: the person's own matter
        return {"requests": [], "open_kinds": set(), "concerned": False, **LABELS}
    found = await DataRequest.filter(contact_id=actor.contact_id).order_by("-created_at", "-id")
    rows = [
        CustomerRow(
            id=request.id,
            kind=request.kind,
            status=request.status,
            message=request.message,
            created_at=request.created_at,
            due_on=request.due_on,
            handled_at=request.handled_at,
            outcome=request.outcome if request.status == "refused" else "",
            download=_offered(request),
            expires_at=request.export_expires_at,
        )
        for request in found
    ]
    return {
        "requests": rows,
        "open_kinds": {row.kind for row in rows if row.status == "open"},
        "concerned": True,
        **LABELS,
    }
