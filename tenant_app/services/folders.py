"""What a folder holds, as the staff and the customer may see it."""

from __future__ import annotations

from typing import Any

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound
from tenant_app.models.folders import Contract, Document
from tenant_app.permissions import (
    customer_may,
    folder_flags,
    staff_may_edit_folder,
    staff_may_read_folder,
)
from tenant_app.queries.folders import DocumentRow, folder_rows
from tenant_app.schemas.folders import CONTRACT_KINDS
from tenant_app.services import contract_sync
from tenant_app.vocabulary import FOLDERS


async def customer_folder(
    actor: CurrentUser, folder: str, *, offers_first: bool = False
) -> dict[str, Any]:
    """What this customer may see in one folder, decided by the rule engine: one query.
    With `offers_first` (the offers module), open offers lead the list."""
    if actor.contact_id is None:
        raise NotFound
    flags = folder_flags(actor.access, folder)
    if folder not in FOLDERS or not customer_may(flags, "view_folder"):
        raise NotFound
    contract_rows, document_rows = await folder_rows(actor.contact_id, folder)
    visible = [
        c
        for c in contract_rows
        if customer_may(flags, "view", made_by_customer=c.created_by_customer)
    ]
    if offers_first:
        visible.sort(key=lambda c: c.status != "offer")  # stable: the order stays within each
    visible_ids = {c.id for c in visible}
    docs: dict[int | None, list[DocumentRow]] = {}
    for document in document_rows:
        if not (document.shared_with_customer or document.uploaded_by_customer):
            continue
        if document.contract_id is not None and document.contract_id not in visible_ids:
            continue
        if document.contract_id is None and not customer_may(
            flags, "view", made_by_customer=document.uploaded_by_customer
        ):
            continue
        docs.setdefault(document.contract_id, []).append(document)
    return {
        "folder": folder,
        "kind": CONTRACT_KINDS[folder],
        "flags": flags,
        "contracts": visible,
        "documents": docs,
        "can_create": customer_may(flags, "create"),
        "can_upload": customer_may(flags, "add_document"),
        "editable": {
            c.id
            for c in visible
            # an offer is accepted or asked about as the broker made it, never edited
            if c.status != "offer"
            and customer_may(flags, "edit", made_by_customer=c.created_by_customer)
        },
        # the same rule as documents._customer_check: only their own uploads, a broker's never
        "deletable": frozenset(
            d.id
            for shown in docs.values()
            for d in shown
            if d.uploaded_by_customer and customer_may(flags, "delete", made_by_customer=True)
        ),
    }


def readable_folder(actor: CurrentUser, folder: str) -> str:
    """The folder if this staff member may read it; NotFound for others and unknown ones."""
    if folder not in FOLDERS or not staff_may_read_folder(actor, folder):
        raise NotFound
    return folder


async def staff_folder(actor: CurrentUser, *, contact_id: int, folder: str) -> dict[str, Any]:
    """A folder as the staff member sees it (NotFound if they may not): three queries."""
    contract_rows, docs = await folder_contents(actor, contact_id, readable_folder(actor, folder))
    return {
        "folder": folder,
        "kind": CONTRACT_KINDS[folder],
        "contracts": contract_rows,
        "documents": docs,
        "can_edit": staff_may_edit_folder(actor, folder),
        # then a contract without an external id is marked: the broker's system lacks it
        "broker_linked": await contract_sync.broker_system_linked(),
    }


async def folder_contents(
    actor: CurrentUser, contact_id: int, folder: str
) -> tuple[list[Contract], dict[int | None, list[Document]]]:
    """All contracts of a folder with their documents: two queries, however many there are."""
    if not staff_may_read_folder(actor, folder):
        raise NotFound
    contract_rows = await Contract.filter(contact_id=contact_id, folder=folder).order_by(
        "-created_at"
    )
    document_rows = await Document.filter(contact_id=contact_id, folder=folder).order_by(
        "-created_at"
    )
    by_contract: dict[int | None, list[Document]] = {}
    for document in document_rows:
        by_contract.setdefault(document.contract_id, []).append(document)
    return list(contract_rows), by_contract
