"""What the backoffice's pages do with one tender, each inside `backoffice_tender` (so only
for a tender of an engaging tenant, in its scope, and audited there as `backoffice_<action>`):
the page with the frozen risk, messages and offers, taking and handing over, writing, a
document the tender hands over, entering, releasing and counting offers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tenant_app.actors import CurrentUser
from tenant_app.models.accounts import User
from tenant_app.models.folders import Document
from tenant_app.models.tenancy import Tenant
from tenant_app.models.tenders import BackofficeMember, CaseOffer, Tender
from tenant_app.schemas.product_lines import line_label
from tenant_app.services import tender_messages, tender_offers
from tenant_app.services.tender_access import backoffice_tender, handed_over_document
from tenant_app.services.tickets import Context
from tenant_app.services.upload_checks import Upload
from tenant_app.text.tender_snapshot import SnapshotView, snapshot_view
from tenant_app.vocabulary import CLOSED_TENDER_STATUSES


@dataclass(frozen=True)
class Colleague:
    id: int
    full_name: str


@dataclass(frozen=True)
class TenderPage:
    tender: Tender
    broker_name: str  # the tenant's (firm's) name
    case_title: str
    customer_name: str
    line_label: str
    snapshot: SnapshotView
    messages: list[tender_messages.Message]
    offers: list[CaseOffer]
    insurers: tender_offers.InsurerCount
    assignee_name: str
    colleagues: list[Colleague]  # whom the tender may be handed to
    is_mine: bool
    is_closed: bool
    is_overdue: bool


async def _people(backoffice_id: int) -> dict[int, str]:
    """The active people of the backoffice (platform logins), by id."""
    user_ids = await BackofficeMember.filter(backoffice_id=backoffice_id).values_list(
        "user_id", flat=True
    )
    users = await User.unscoped.filter(id__in=list(user_ids), is_active=True).order_by(
        "last_name", "first_name"
    )
    return {user.id: user.full_name for user in users}


def _frozen_name(snapshot: dict[str, object]) -> str:
    customer = snapshot.get("customer")
    return str(customer.get("name") or "") if isinstance(customer, dict) else ""


async def tender_page(actor: CurrentUser, tender_id: int) -> TenderPage:
    """The tender as handed over, its messages (read from now on) and offers."""
    async with backoffice_tender(actor, tender_id, action="viewed") as tender:
        await tender_messages.mark_read(actor, tender)
        messages = await tender_messages.messages(tender)
        offers = await tender_offers.offers_of(tender)
        insurers = tender_offers.insurer_count(tender, offers)
    broker_name = await Tenant.filter(id=tender.tenant_id).values_list("name", flat=True)
    people = await _people(tender.backoffice_id)
    return TenderPage(
        tender=tender,
        broker_name=str(broker_name[0]),
        # As handed over: a later rename at the broker's is not the backoffice's business.
        case_title=str(tender.snapshot.get("case_title") or tender.case.title),
        customer_name=_frozen_name(tender.snapshot) or tender.case.contact.full_name,
        line_label=line_label(tender.product_line),
        snapshot=snapshot_view(tender.snapshot, tender.product_line),
        messages=messages,
        offers=offers,
        insurers=insurers,
        assignee_name=people.get(tender.assignee_id or 0, ""),
        colleagues=[
            Colleague(id=user_id, full_name=name)
            for user_id, name in people.items()
            if user_id not in (actor.id, tender.assignee_id)
        ],
        is_mine=tender.assignee_id == actor.id,
        is_closed=tender.status in CLOSED_TENDER_STATUSES,
        is_overdue=tender.due_at < datetime.now(UTC) and tender.status in ("new", "open"),
    )


async def take_tender(actor: CurrentUser, tender_id: int) -> None:
    async with backoffice_tender(actor, tender_id, action="took") as tender:
        await tender_offers.take(actor, tender)


async def hand_over_tender(actor: CurrentUser, tender_id: int, user_id: int) -> None:
    async with backoffice_tender(actor, tender_id, action="handed_over") as tender:
        await tender_offers.hand_over(actor, tender, user_id)


async def write_message(
    ctx: Context, actor: CurrentUser, tender_id: int, *, body: str, upload: Upload | None
) -> None:
    """A message (a question to the broker), with a file if given."""
    async with backoffice_tender(actor, tender_id, action="wrote") as tender:
        await tender_messages.post(ctx, actor, tender, body=body, upload=upload)


async def document(actor: CurrentUser, tender_id: int, document_id: int) -> Document:
    """A document the tender hands over (NotFound for any other of the tenant)."""
    async with backoffice_tender(actor, tender_id, action="document") as tender:
        return await handed_over_document(tender, document_id)


async def create_offer(
    ctx: Context, actor: CurrentUser, tender_id: int, values: dict[str, str], upload: Upload | None
) -> CaseOffer:
    async with backoffice_tender(actor, tender_id, action="offer_added") as tender:
        return await tender_offers.add_offer(ctx, actor, tender, values, upload)


async def release_offer(actor: CurrentUser, tender_id: int, offer_id: int) -> CaseOffer:
    async with backoffice_tender(actor, tender_id, action="offer_released") as tender:
        return await tender_offers.release(actor, tender, offer_id)


async def set_insurers(actor: CurrentUser, tender_id: int, count: str) -> None:
    async with backoffice_tender(actor, tender_id, action="insurers") as tender:
        await tender_offers.set_insurers_asked(actor, tender, count)
