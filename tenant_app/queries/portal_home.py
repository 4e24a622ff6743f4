"""What the portal home's overview reads of one contact, in one statement however much the
contact has: every contract that is not deleted and every document (all folders, newest
first), the open tickets and the open claims. What of it the customer may see decides the
service (services/portal_home.py) with the folder pages' rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from tenant_app.queries.sql import as_date, as_datetime, fetch_all
from tenant_app.vocabulary import OPEN_CLAIM_STATUSES


@dataclass(frozen=True, slots=True)
class HomeContract:
    id: int
    folder: str
    status: str
    product_line: str
    insurer_name: str
    insurance_number: str
    payment_frequency: str
    gross_premium: Decimal | None
    valid_until: date | None
    created_by_customer: bool


@dataclass(frozen=True, slots=True)
class HomeDocument:
    id: int
    folder: str
    contract_id: int | None
    title: str
    category: str
    shared_with_customer: bool
    uploaded_by_customer: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class HomeRows:
    contracts: list[HomeContract]  # newest first
    documents: list[HomeDocument]  # newest first
    open_tickets: int
    open_claims: int


_OPEN_CLAIMS = "('reported', 'in_progress', 'at_insurer')"  # vocabulary.OPEN_CLAIM_STATUSES
assert _OPEN_CLAIMS == "(" + ", ".join(f"'{s}'" for s in OPEN_CLAIM_STATUSES) + ")"

_HOME_SQL = (
    "SELECT 'c' AS kind, id, folder, NULL AS contract_id, status, product_line, insurer_name,"
    " insurance_number, payment_frequency, gross_premium, valid_until,"
    " created_by_customer AS by_customer, NULL AS title, NULL AS category, NULL AS shared,"
    " created_at FROM contract"
    " WHERE tenant_id = :tenant_id AND contact_id = :contact_id AND deleted_at IS NULL"
    " UNION ALL"
    " SELECT 'd', id, folder, contract_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
    " uploaded_by_customer, title, category, shared_with_customer, created_at FROM document"
    " WHERE tenant_id = :tenant_id AND contact_id = :contact_id AND folder <> ''"
    " UNION ALL"
    " SELECT 't', COUNT(*), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
    " NULL, NULL, NULL FROM conversation"
    " WHERE tenant_id = :tenant_id AND contact_id = :contact_id AND kind = 'ticket'"
    " AND status = 'open'"
    " UNION ALL"
    " SELECT 'l', COUNT(*), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
    " NULL, NULL, NULL FROM claim"
    " WHERE tenant_id = :tenant_id AND contact_id = :contact_id"
    " AND status IN ('reported', 'in_progress', 'at_insurer')"  # _OPEN_CLAIMS
    " ORDER BY kind, created_at DESC, id DESC"
)
assert _OPEN_CLAIMS in _HOME_SQL  # the statement spells out the vocabulary's open statuses


def _money(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))  # SQLite answers text or float


def _contract(row: dict[str, Any]) -> HomeContract:
    return HomeContract(
        id=int(row["id"]),
        folder=row["folder"],
        status=row["status"],
        product_line=row["product_line"] or "",
        insurer_name=row["insurer_name"] or "",
        insurance_number=row["insurance_number"] or "",
        payment_frequency=row["payment_frequency"] or "",
        gross_premium=_money(row["gross_premium"]),
        valid_until=as_date(row["valid_until"]),
        created_by_customer=bool(row["by_customer"]),
    )


def _document(row: dict[str, Any]) -> HomeDocument:
    return HomeDocument(
        id=int(row["id"]),
        folder=row["folder"],
        contract_id=row["contract_id"],
        title=row["title"],
        category=row["category"],
        shared_with_customer=bool(row["shared"]),
        uploaded_by_customer=bool(row["by_customer"]),
        created_at=as_datetime(row["created_at"]),
    )


async def home_rows(contact_id: int) -> HomeRows:
    """The contact's contracts and folder documents, open tickets and open claims."""
    rows = await fetch_all(_HOME_SQL, contact_id=contact_id)
    counts = {row["kind"]: int(row["id"]) for row in rows if row["kind"] in ("t", "l")}
    return HomeRows(
        contracts=[_contract(row) for row in rows if row["kind"] == "c"],
        documents=[_document(row) for row in rows if row["kind"] == "d"],
        open_tickets=counts.get("t", 0),
        open_claims=counts.get("l", 0),
    )
