"""The demo's invitations: Ina was invited with Du (her first information filed, not opened
yet, no registration), Otto has no e-mail address (the dialog asks for one), Nina is not
invited yet (a policy not yet shared and a letter), and the batch that invited Ina shows its
report."""

from __future__ import annotations

import hashlib
import io
from datetime import date

from tenant_app.demo.pdf import text_pdf
from tenant_app.files.storage import Storage, new_key
from tenant_app.models.accounts import User
from tenant_app.models.contacts import Contact, ContactResponsible
from tenant_app.models.engagement import Invitation, InvitationBatch
from tenant_app.models.folders import CustomerAccess, Document
from tenant_app.services import first_information
from tenant_app.tenancy import enter_tenant, leave_tenant, load_tenant_info


async def add_demo_invitations(store: Storage, tenant_id: int, staff: dict[str, User]) -> None:
    mia = staff["mia"]
    ina = await Contact.create(
        first_name="Ina",
        last_name="Eingeladen",
        email="ina.eingeladen@example.org",
        birthdate=date(1991, 4, 12),
        city="Köln",
    )
    otto = await Contact.create(
        first_name="Otto", last_name="Ohnemail", email="", birthdate=date(1958, 9, 3)
    )
    nina = await Contact.create(
        first_name="Nina",
        last_name="Neu",
        email="nina.neu@example.org",
        birthdate=date(1988, 2, 29),
    )
    for contact in (ina, otto, nina):
        await ContactResponsible.create(contact_id=contact.id, user_id=mia.id)
    for title, category, shared in (
        ("Police Hausrat Neu", "policy", False),
        ("Schreiben zur Beratung", "correspondence", True),
    ):
        await _document(store, tenant_id, nina, title, category, shared=shared)
    account = await User.create(
        kind="customer",
        role="kunde",
        username="ina.eingeladen",
        email=ina.email,
        first_name=ina.first_name,
        last_name=ina.last_name,
        birthdate=ina.birthdate,
        contact_id=ina.id,
        address_form="du",
    )
    tokens = enter_tenant(await load_tenant_info(tenant_id))
    try:
        data = await first_information.render_pdf()
    finally:
        leave_tenant(tokens)
    key, size = await first_information.store_file(store, data)
    digest = hashlib.sha256(data).hexdigest()
    document = await first_information.file_on_contact(
        contact_id=ina.id, key=key, size=size, sha256=digest, filed_by=mia.id
    )
    await CustomerAccess.create(contact_id=ina.id, other_unlock=True, other_share=True)
    batch = await InvitationBatch.create(
        started_by_id=mia.id,
        options={"share": "categories", "categories": ["policy"], "address_form": "du"},
        contact_ids=[ina.id],
        position=1,
        status="done",
        report=[{"contact_id": ina.id, "name": "Eingeladen, Ina", "outcome": "invited"}],
    )
    await Invitation.create(
        contact_id=ina.id,
        user_id=account.id,
        invited_by_id=mia.id,
        batch_id=batch.id,
        address_form="du",
        share_mode="categories",
        categories="policy",
        first_information_id=document.id,
    )


async def _document(
    store: Storage, tenant_id: int, contact: Contact, title: str, category: str, *, shared: bool
) -> None:
    data = text_pdf(title, [f"{contact.first_name} {contact.last_name}"])
    key = new_key(tenant_id)
    await store.save(key, io.BytesIO(data))
    await Document.create(
        contact_id=contact.id,
        folder="insurance",
        title=title,
        category=category,
        filename=f"{category}.pdf",
        storage_key=key,
        content_type="application/pdf",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        shared_with_customer=shared,
    )
