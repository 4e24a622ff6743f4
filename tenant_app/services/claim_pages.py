"""What the claim pages read: the tenant's list (sorted, filtered, paged), a contact's or the
customer's claims, one claim with its files, history and tickets. A few queries each, however
many claims there are. The writes live in services/claims.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from tenant_app.actors import CurrentUser
from tenant_app.models.claims import Claim, ClaimFile
from tenant_app.models.conversations import Conversation
from tenant_app.schemas.claims import KIND_LABELS, STATUS_LABELS
from tenant_app.services import claim_files
from tenant_app.services.case_pages import responsible_choices, staff_filter_choices
from tenant_app.services.cases import contract_title
from tenant_app.services.claims import FIELD_LABELS, can_edit_claims, visible_claims
from tenant_app.services.object_history import HistoryEntry, object_history
from tenant_app.text.i18n import gettext as _
from tenant_app.vocabulary import CLAIM_STATUSES, OPEN_CLAIM_STATUSES

PER_PAGE = 25
STATUS_FILTERS = ("all", "open", *CLAIM_STATUSES)  # "open": not yet settled, rejected, closed


@dataclass(frozen=True, slots=True)
class ClaimRow:
    id: int
    number: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    loss_date: date
    created_at: datetime
    contact_id: int
    contact_name: str
    responsible_name: str
    photos: int
    documents: int
    first_photo_id: int | None


@dataclass(frozen=True, slots=True)
class ClaimList:
    rows: list[ClaimRow]
    page: int
    pages: int
    total: int

    @property
    def page_numbers(self) -> list[int]:
        around = range(max(2, self.page - 2), min(self.pages - 1, self.page + 2) + 1)
        return sorted({1, *around, self.pages})


def _row(claim: Claim, files: list[ClaimFile]) -> ClaimRow:
    photos = [row for row in files if row.kind == "photo"]
    return ClaimRow(
        id=claim.id,
        number=claim.number,
        kind=claim.kind,
        kind_label=KIND_LABELS[claim.kind],
        status=claim.status,
        status_label=STATUS_LABELS[claim.status],
        loss_date=claim.loss_date,
        created_at=claim.created_at,
        contact_id=claim.contact_id,
        contact_name=f"{claim.contact.last_name}, {claim.contact.first_name}",
        responsible_name=claim.responsible.full_name if claim.responsible else "",
        photos=len(photos),
        documents=len(files) - len(photos),
        first_photo_id=photos[0].id if photos else None,
    )


async def _rows(actor: CurrentUser, claims: list[Claim]) -> list[ClaimRow]:
    ids = [claim.id for claim in claims]
    files = await claim_files.files_of(ids, for_customer=not actor.is_staff)
    return [_row(claim, files[claim.id]) for claim in claims]


def _filtered(actor: CurrentUser, status: str, responsible: str) -> Any:
    query = visible_claims(actor)
    if status == "open":
        query = query.filter(status__in=OPEN_CLAIM_STATUSES)
    elif status in CLAIM_STATUSES:
        query = query.filter(status=status)
    if responsible == "me":
        query = query.filter(responsible_id=actor.id)
    elif responsible == "none":
        query = query.filter(responsible_id=None)
    elif responsible.isascii() and responsible.isdigit() and len(responsible) <= 10:
        query = query.filter(responsible_id=int(responsible))
    return query


async def claim_list(
    actor: CurrentUser,
    *,
    status: str = "all",
    responsible: str = "",
    order: str = "desc",
    page: int = 1,
) -> ClaimList:
    """One page of the claims the actor sees, by report date (newest first unless `order`
    is "asc"); three queries."""
    query = _filtered(actor, status if status in STATUS_FILTERS else "all", responsible)
    total = await query.count()
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(page, 1), pages)
    sorting = ("created_at", "id") if order == "asc" else ("-created_at", "-id")
    claims = (
        await query.select_related("contact", "responsible")
        .order_by(*sorting)
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE)
    )
    return ClaimList(await _rows(actor, claims), page, pages, total)


async def contact_claims(actor: CurrentUser, *, contact_id: int) -> list[ClaimRow]:
    """The contact's claims, newest first (the caller checked the actor sees the contact, or
    it is the customer's own)."""
    claims = (
        await visible_claims(actor)
        .filter(contact_id=contact_id)
        .select_related("contact", "responsible")
        .order_by("-created_at", "-id")
    )
    return await _rows(actor, claims)


async def customer_claims(actor: CurrentUser) -> list[ClaimRow]:
    return await contact_claims(actor, contact_id=actor.contact_id or 0)


async def claim_page(actor: CurrentUser, claim: Claim) -> dict[str, Any]:
    """The claim's page parts (the claim loaded by `claims.claim_for`)."""
    files = (await claim_files.files_of([claim.id], for_customer=not actor.is_staff))[claim.id]
    context: dict[str, Any] = {
        "claim": claim,
        "kind_label": KIND_LABELS[claim.kind],
        "status_label": STATUS_LABELS[claim.status],
        "photos": [row for row in files if row.kind == "photo"],
        "documents": [row for row in files if row.kind == "document"],
        "contract_title": contract_title(claim.contract),
    }
    if actor.is_staff:
        editable = can_edit_claims(actor)
        context |= {
            "contact": claim.contact,
            "history": await history(claim),
            "tickets": await Conversation.filter(claim_id=claim.id).order_by("-created_at"),
            "can_edit": editable,
            "statuses": list(STATUS_LABELS),
            "staff": await responsible_choices(claim.contact_id) if editable else [],
        }
    return context


async def history(claim: Claim) -> list[HistoryEntry]:
    """What happened to the claim, newest first: from the event stream (one query)."""
    return await object_history(
        contact_id=claim.contact_id,
        object_type="claim",
        object_id=claim.id,
        field_labels=FIELD_LABELS,
        shown=_shown,
    )


def _shown(column: str, value: Any) -> str:
    if value in (None, ""):
        return "–"
    if column == "status":
        return STATUS_LABELS[str(value)]
    return str(value)


async def filter_choices() -> dict[str, Any]:
    return {
        "staff": await staff_filter_choices(),
        "status_filters": [
            (key, _("All") if key == "all" else _("Open") if key == "open" else STATUS_LABELS[key])
            for key in STATUS_FILTERS
        ],
    }
