"""Building blocks for folder tests: contracts and documents made directly in the database."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from tenant_app.files.storage import LocalStorage, new_key
from tenant_app.models.folders import Contract, Document, Insurer
from tenant_app.models.scoping import tenant_scope

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


async def add_contract(
    tenant: Any,
    contact: Any,
    folder: str = "insurance",
    *,
    by_customer: bool = False,
    number: str = "V-1",
    status: str = "active",
) -> Contract:
    with tenant_scope(tenant.tenant.id):
        insurer = await Insurer.filter(name__startswith="Condor").first()
        return await Contract.create(
            contact_id=contact.id,
            folder=folder,
            status="start" if by_customer else status,
            product_line="Hausrat",
            insurer_id=insurer.id if insurer else None,
            insurer_name=insurer.name if insurer else "Condor",
            insurance_number=number,
            gross_premium=Decimal("12.50"),
            payment_frequency="monthly",
            created_by_customer=by_customer,
        )


async def add_document(
    tenant: Any,
    settings: Any,
    contact: Any,
    *,
    contract: Contract | None = None,
    folder: str = "insurance",
    title: str = "Police",
    shared: bool = True,
    by_customer: bool = False,
) -> Document:
    key = new_key(tenant.tenant.id)
    await LocalStorage(settings.storage_dir).save(key, io.BytesIO(PDF_BYTES))
    with tenant_scope(tenant.tenant.id):
        return await Document.create(
            contact_id=contact.id,
            contract_id=contract.id if contract else None,
            folder=contract.folder if contract else folder,
            title=title,
            category="policy",
            filename="police.pdf",
            storage_key=key,
            content_type="application/pdf",
            size=len(PDF_BYTES),
            sha256="0" * 64,
            shared_with_customer=shared,
            uploaded_by_customer=by_customer,
        )


async def attach_to_ticket(tenant: Any, contact: Any, document: Document) -> None:
    """Make a folderless document a ticket attachment (an entry of a ticket refers to it)."""
    from tenant_app.models.conversations import Conversation, ConversationEntry

    with tenant_scope(tenant.tenant.id):
        ticket = await Conversation.create(contact_id=contact.id, subject="Ausweis")
        await ConversationEntry.create(
            conversation_id=ticket.id, by_customer=True, body="Anbei", document_id=document.id
        )
