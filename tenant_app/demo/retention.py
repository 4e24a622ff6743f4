"""The demo's retention: Rolf Ruhestand asked for erasure a month ago; his household
contract (six years after the relationship ended, § 257 HGB) is kept, restricted, until
31.12.2031 (the admins' "Aus rechtlichen Gründen aufbewahrt"); one of Lena's documents is
under a legal hold. In the demo tenant's scope."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from tenant_app.models.accounts import User
from tenant_app.models.contacts import Contact
from tenant_app.models.folders import AuditEntry, Contract, Document
from tenant_app.models.legal import LegalHold

KEPT_UNTIL = date(2031, 12, 31)  # the relationship ended in 2025: six years after its end


async def add_demo_retention() -> None:
    erased = datetime.now(UTC) - timedelta(days=30)
    rolf = await Contact.create(
        first_name="Rolf",
        last_name="Ruhestand",
        birthdate=date(1949, 3, 14),
        email="rolf.ruhestand@kunde.example",
        street="Am Anger 2",
        postal_code="50667",
        city="Köln",
        relationship_ended_on=date(2025, 6, 30),
        restricted_at=erased,
        delete_after=KEPT_UNTIL,
    )
    await Contract.create(
        contact_id=rolf.id,
        folder="insurance",
        status="ended",
        product_line="Hausrat",
        insurer_name="Condor",
        insurance_number="HR-778812",
        gross_premium=Decimal("14.90"),
        payment_frequency="monthly",
        restricted_at=erased,
        delete_after=KEPT_UNTIL,
    )
    await AuditEntry.create(
        action="contact_restricted",
        subject_id=rolf.id,
        details="documents=0 contracts=0 tickets=0 chats=0 kept: contract=1",
    )
    await _hold_one_of_lenas_documents()


async def _hold_one_of_lenas_documents() -> None:
    lena = await User.get_or_none(kind="customer", username="lena")
    mia = await User.get_or_none(kind="staff", username="mia")
    if lena is None or lena.contact_id is None:
        return
    document = await Document.filter(contact_id=lena.contact_id).order_by("id").first()
    if document is None:
        return
    await LegalHold.create(
        contact_id=lena.contact_id,
        document_id=document.id,
        reason="Streit mit der Versicherung über die Regulierung – Unterlagen nicht löschen.",
        set_by_id=mia.id if mia is not None else None,
        set_by_name=mia.full_name if mia is not None else "Mia",
    )
