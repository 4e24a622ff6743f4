"""What one folder of one contact holds, read for display in two hand-written queries.

Rows come back as small frozen records instead of ORM objects: the folder pages are hot
(every customer opens them), and building models for 20 contracts and their documents cost
more than the database work. Writes stay on the ORM (services/contracts.py, documents.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from tenant_app.db_queries import fetch_all


@dataclass(frozen=True, slots=True)
class ContractRow:
    id: int
    status: str
    product_line: str
    insurer_name: str
    insurance_number: str
    payment_frequency: str
    gross_premium: Decimal | None
    note: str
    created_by_customer: bool


@dataclass(frozen=True, slots=True)
class DocumentRow:
    id: int
    contract_id: int | None
    title: str
    category: str
    document_date: date | None
    size: int
    shared_with_customer: bool
    uploaded_by_customer: bool


_CONTRACTS_SQL = (
    "SELECT id, status, product_line, insurer_name, insurance_number, payment_frequency,"
    " gross_premium, note, created_by_customer FROM contract"
    " WHERE tenant_id = {0} AND contact_id = {1} AND folder = {2} AND deleted_at IS NULL"
    " ORDER BY created_at DESC, id DESC"
)
_DOCUMENTS_SQL = (
    "SELECT id, contract_id, title, category, document_date, size, shared_with_customer,"
    " uploaded_by_customer FROM document"
    " WHERE tenant_id = {0} AND contact_id = {1} AND folder = {2}"
    " ORDER BY created_at DESC, id DESC"
)


def _money(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))  # SQLite answers text or float


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


async def folder_contracts(tenant_id: int, contact_id: int, folder: str) -> list[ContractRow]:
    """The folder's contracts that are not deleted, newest first."""
    rows = await fetch_all(_CONTRACTS_SQL, tenant_id, contact_id, folder)
    return [
        ContractRow(
            id=row["id"],
            status=row["status"],
            product_line=row["product_line"],
            insurer_name=row["insurer_name"],
            insurance_number=row["insurance_number"],
            payment_frequency=row["payment_frequency"],
            gross_premium=_money(row["gross_premium"]),
            note=row["note"],
            created_by_customer=bool(row["created_by_customer"]),
        )
        for row in rows
    ]


async def folder_documents(tenant_id: int, contact_id: int, folder: str) -> list[DocumentRow]:
    """Every document filed in the folder (on a contract or on the folder), newest first."""
    rows = await fetch_all(_DOCUMENTS_SQL, tenant_id, contact_id, folder)
    return [
        DocumentRow(
            id=row["id"],
            contract_id=row["contract_id"],
            title=row["title"],
            category=row["category"],
            document_date=_day(row["document_date"]),
            size=int(row["size"]),
            shared_with_customer=bool(row["shared_with_customer"]),
            uploaded_by_customer=bool(row["uploaded_by_customer"]),
        )
        for row in rows
    ]
