"""The portal home's overview of the contact the portal shows (the own one or a household
member's, Session.contact_id): what each folder holds, the newest documents from the broker,
the open offers (Angebote), the premiums of the running contracts per month and per year,
open tickets and open claims.

What the customer sees here is exactly what the folder pages show (services/folders.py
`customer_folder`): the same rule engine (permissions.customer_may) on the same rows, read
for all folders in one statement (queries/portal_home.py)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from tenant_app.actors import CurrentUser
from tenant_app.permissions import CustomerRights, FolderFlags, customer_may, folder_flags
from tenant_app.queries import portal_home as reads
from tenant_app.queries.portal_home import HomeContract, HomeDocument
from tenant_app.services.access import own_contact_id
from tenant_app.text.formatting import local_today
from tenant_app.vocabulary import FOLDERS

NEWEST_DOCUMENTS = 5
# Payments per year for each payment frequency; a single payment is no yearly premium.
PAYMENTS_PER_YEAR = {"monthly": 12, "quarterly": 4, "half_yearly": 2, "yearly": 1}
RUNNING_STATUSES = ("active", "start")  # the contracts whose premiums the customer pays
CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class FolderSummary:
    folder: str
    contracts: int
    documents: int


@dataclass(frozen=True, slots=True)
class PremiumTotals:
    """The running contracts' premiums (exact decimals; per month rounded to the cent)."""

    per_year: Decimal
    per_month: Decimal
    counted: int  # contracts in the totals
    single_count: int  # single payments: not in the totals, named beside them
    single_total: Decimal
    unknown_count: int  # a premium without a (known) payment frequency


@dataclass(frozen=True, slots=True)
class HomeOverview:
    folders: list[FolderSummary]  # the folders the customer may open, in their order
    offers: list[HomeContract]  # open offers, the soonest to expire first; [] module off
    documents: list[HomeDocument]  # the broker's newest shared documents
    premiums: PremiumTotals
    open_tickets: int | None  # None: communication is not shared with the customer
    open_claims: int | None  # None: the claims module is off


def premium_totals(contracts: list[HomeContract]) -> PremiumTotals:
    """Yearly premium = gross premium × payments per year, summed exactly; per month the
    yearly sum / 12, rounded half up to the cent."""
    per_year = single_total = Decimal(0)
    counted = single_count = unknown_count = 0
    for contract in contracts:
        premium = contract.gross_premium
        if contract.status not in RUNNING_STATUSES or premium is None:
            continue
        if contract.payment_frequency == "single":
            single_count, single_total = single_count + 1, single_total + premium
        elif (times := PAYMENTS_PER_YEAR.get(contract.payment_frequency)) is not None:
            counted, per_year = counted + 1, per_year + premium * times
        else:
            unknown_count += 1
    return PremiumTotals(
        per_year=per_year.quantize(CENT, ROUND_HALF_UP),
        per_month=(per_year / 12).quantize(CENT, ROUND_HALF_UP),
        counted=counted,
        single_count=single_count,
        single_total=single_total.quantize(CENT, ROUND_HALF_UP),
        unknown_count=unknown_count,
    )


def _document_visible(
    document: HomeDocument, flags: FolderFlags, visible_contracts: set[int]
) -> bool:
    """services/folders.py customer_folder's rule for a document."""
    if not (document.shared_with_customer or document.uploaded_by_customer):
        return False
    if document.contract_id is not None:
        return document.contract_id in visible_contracts
    return customer_may(flags, "view", made_by_customer=document.uploaded_by_customer)


def _open_offers(contracts: list[HomeContract]) -> list[HomeContract]:
    today = local_today()
    offers = [
        c
        for c in contracts
        if c.status == "offer" and (c.valid_until is None or c.valid_until >= today)
    ]
    return sorted(offers, key=lambda c: (c.valid_until is None, c.valid_until or today))


async def overview(
    actor: CurrentUser, rights: CustomerRights, *, modules: frozenset[str]
) -> HomeOverview:
    """The overview of the contact the portal shows (one query); `modules`: those on."""
    rows = await reads.home_rows(own_contact_id(actor))
    flags = {f: folder_flags(rights, f) for f in FOLDERS}
    shown = [f for f in FOLDERS if customer_may(flags[f], "view_folder")]
    contracts = [
        c
        for c in rows.contracts
        if c.folder in shown
        and customer_may(flags[c.folder], "view", made_by_customer=c.created_by_customer)
    ]
    contract_ids = {c.id for c in contracts}
    documents = [
        d
        for d in rows.documents
        if d.folder in shown and _document_visible(d, flags[d.folder], contract_ids)
    ]
    folders = [
        FolderSummary(
            folder,
            sum(1 for c in contracts if c.folder == folder),
            sum(1 for d in documents if d.folder == folder),
        )
        for folder in shown
    ]
    from_broker = [d for d in documents if not d.uploaded_by_customer]
    return HomeOverview(
        folders=folders,
        offers=_open_offers(contracts) if "offers" in modules else [],
        documents=from_broker[:NEWEST_DOCUMENTS],
        premiums=premium_totals(contracts),
        open_tickets=rows.open_tickets if rights.communication else None,
        open_claims=rows.open_claims if "claims" in modules else None,
    )
