"""What one folder of one contact holds, read for display in one hand-written query.

Rows come back as small frozen records instead of ORM objects: the folder pages are hot
(every customer opens them), and building models for 20 contracts and their documents cost
more than the database work. Writes stay on the ORM (services/contracts.py, documents.py).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from tenant_app.queries.sql import as_date, fetch_all


class ContractRow(NamedTuple):  # named tuples: keys of the kept folder (fragments.py)
    id: int
    status: str
    product_line: str
    insurer_name: str
    insurance_number: str
    payment_frequency: str
    gross_premium: Decimal | None
    note: str
    created_by_customer: bool
    valid_until: date | None = None  # an offer's last day to accept it
    insured_object: str = ""  # the name of the insured object it insures (an e-bike), if any


class DocumentRow(NamedTuple):
    id: int
    contract_id: int | None
    title: str
    category: str
    document_date: date | None
    size: int
    shared_with_customer: bool
    uploaded_by_customer: bool
    content_type: str  # decides thumbnail and preview in the list


# Contracts (with the insured object each insures) and documents of one folder in one
# statement: hot pages need few round trips.
_FOLDER_SQL = (
    "SELECT 'c' AS kind, id, NULL AS contract_id, status, product_line, insurer_name,"
    " insurance_number, payment_frequency, gross_premium, note,"
    " created_by_customer AS by_customer, NULL AS title, NULL AS category,"
    " NULL AS document_date, NULL AS size, NULL AS shared, NULL AS content_type, created_at,"
    " valid_until,"
    " (SELECT MIN(o.label) FROM insured_object o WHERE o.tenant_id = :tenant_id"
    " AND o.contact_id = :contact_id AND o.contract_id = contract.id) AS insured_object"
    " FROM contract"
    " WHERE tenant_id = :tenant_id AND contact_id = :contact_id AND folder = :folder"
    " AND deleted_at IS NULL"
    " UNION ALL"
    " SELECT 'd', id, contract_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
    " uploaded_by_customer, title, category, document_date, size, shared_with_customer,"
    " content_type, created_at, NULL, NULL FROM document"
    " WHERE tenant_id = :tenant_id AND contact_id = :contact_id AND folder = :folder"
    " ORDER BY kind, created_at DESC, id DESC"
)


def _money(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))  # SQLite answers text or float


async def folder_rows(contact_id: int, folder: str) -> tuple[list[ContractRow], list[DocumentRow]]:
    """The folder's contracts that are not deleted and every document filed in it (on a
    contract or on the folder itself), each newest first."""
    rows = await fetch_all(_FOLDER_SQL, contact_id=contact_id, folder=folder)
    contracts = [
        ContractRow(
            id=row["id"],
            status=row["status"],
            product_line=row["product_line"],
            insurer_name=row["insurer_name"],
            insurance_number=row["insurance_number"],
            payment_frequency=row["payment_frequency"],
            gross_premium=_money(row["gross_premium"]),
            note=row["note"],
            created_by_customer=bool(row["by_customer"]),
            valid_until=as_date(row["valid_until"]),
            insured_object=row["insured_object"] or "",
        )
        for row in rows
        if row["kind"] == "c"
    ]
    documents = [
        DocumentRow(
            id=row["id"],
            contract_id=row["contract_id"],
            title=row["title"],
            category=row["category"],
            document_date=as_date(row["document_date"]),
            size=int(row["size"]),
            shared_with_customer=bool(row["shared"]),
            uploaded_by_customer=bool(row["by_customer"]),
            content_type=row["content_type"],
        )
        for row in rows
        if row["kind"] == "d"
    ]
    return contracts, documents


_TOTALS_SQL = (
    "SELECT 'c' AS kind, folder, COUNT(*) AS n FROM contract"
    " WHERE tenant_id = :tenant_id AND contact_id = :contact_id AND deleted_at IS NULL"
    " GROUP BY folder"
    " UNION ALL"
    " SELECT 'd', folder, COUNT(*) FROM document"
    " WHERE tenant_id = :tenant_id AND contact_id = :contact_id GROUP BY folder"
)


async def folder_totals(contact_id: int) -> tuple[dict[str, int], dict[str, int]]:
    """Contracts (not deleted) and documents per folder of one contact, in one statement."""
    contracts: dict[str, int] = {}
    documents: dict[str, int] = {}
    for row in await fetch_all(_TOTALS_SQL, contact_id=contact_id):
        (contracts if row["kind"] == "c" else documents)[row["folder"]] = int(row["n"])
    return contracts, documents
