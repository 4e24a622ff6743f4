"""One document with what deciding on it needs, in one hand-written query.

Downloads, previews and thumbnails are the hottest single-object reads (a folder page with
pictures asks for one per row): the rights check reads plain columns instead of building a
document and its contract as ORM objects, and learns in the same statement whether the
document is a ticket's or a chat's attachment, and whether that one is open.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tenant_app.queries.sql import fetch_one


@dataclass(frozen=True, slots=True)
class DocumentRef:
    id: int
    contact_id: int
    folder: str  # "" on the contact itself or a ticket's attachment not yet filed
    contract_id: int | None
    filename: str
    storage_key: str
    content_type: str
    size: int
    shared_with_customer: bool
    uploaded_by_customer: bool
    contract_gone: bool  # it belongs to a contract that was deleted (staff may restore it)
    contract_by_customer: bool  # its contract was entered by the customer
    attached_kind: str  # "ticket" | "chat" whose entry carries it, else "" (only outside folders)
    attached_open: bool  # that ticket or chat is open

    @property
    def attached(self) -> bool:
        return bool(self.attached_kind)

    @property
    def customer_sees_attachment(self) -> bool:
        """A ticket's attachment, or an open chat's (an archived chat is gone for the customer)."""
        return self.attached_kind == "ticket" or (
            self.attached_kind == "chat" and self.attached_open
        )


_SQL = (
    "SELECT d.id, d.contact_id, d.folder, d.contract_id, d.filename, d.storage_key,"
    " d.content_type, d.size, d.shared_with_customer, d.uploaded_by_customer,"
    " (d.contract_id IS NOT NULL AND (c.id IS NULL OR c.deleted_at IS NOT NULL)) AS contract_gone,"
    " COALESCE(c.created_by_customer, :no) AS contract_by_customer,"
    " COALESCE(v.kind, '') AS attached_kind, COALESCE(v.status = 'open', :no) AS attached_open"
    " FROM document d"
    " LEFT JOIN contract c ON c.id = d.contract_id AND c.tenant_id = d.tenant_id"
    # the ticket or chat whose entry carries it (outside the folders; one entry per document)
    " LEFT JOIN conversation_entry e ON d.folder = '' AND e.document_id = d.id"
    " AND e.tenant_id = d.tenant_id"
    " LEFT JOIN conversation v ON v.id = e.conversation_id AND v.tenant_id = d.tenant_id"
    " WHERE d.id = :document_id AND d.tenant_id = :tenant_id"
    " AND d.restricted_at IS NULL"  # retained for legal reasons: hidden
)
# staff who may not see the contact find none of its documents either
_RESPONSIBLE = (
    " AND EXISTS (SELECT 1 FROM contact_responsible r WHERE r.tenant_id = d.tenant_id"
    " AND r.contact_id = d.contact_id AND r.user_id = :user_id)"
)


def _ref(row: dict[str, Any]) -> DocumentRef:
    return DocumentRef(
        id=row["id"],
        contact_id=row["contact_id"],
        folder=row["folder"],
        contract_id=row["contract_id"],
        filename=row["filename"],
        storage_key=row["storage_key"],
        content_type=row["content_type"],
        size=int(row["size"]),
        shared_with_customer=bool(row["shared_with_customer"]),  # SQLite answers 0/1
        uploaded_by_customer=bool(row["uploaded_by_customer"]),
        contract_gone=bool(row["contract_gone"]),
        contract_by_customer=bool(row["contract_by_customer"]),
        attached_kind=row["attached_kind"],
        attached_open=bool(row["attached_open"]),
    )


async def document_ref(document_id: int, *, responsible_user_id: int | None) -> DocumentRef | None:
    """The document in the current tenant; with `responsible_user_id`, only on a contact that
    member is responsible for."""
    if responsible_user_id is None:
        row = await fetch_one(_SQL, document_id=document_id, no=False)
    else:
        row = await fetch_one(
            _SQL + _RESPONSIBLE, document_id=document_id, no=False, user_id=responsible_user_id
        )
    return None if row is None else _ref(row)
