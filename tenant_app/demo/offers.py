"""The demo's offers (Angebote): the module on; Dana has two open offers in her insurance
folder (accept one, ask about the other) and one that expired; Felix asked for an offer."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from tenant_app.models.accounts import User
from tenant_app.models.contacts import Contact
from tenant_app.models.engagement import OfferRequest
from tenant_app.models.folders import Contract, Insurer
from tenant_app.models.tenancy import Tenant
from tenant_app.services.offers import today

OFFERS = (  # product line, insurer (start of its catalogue name), number, premium, days valid
    ("Privathaftpflicht", "HUK", "ANG-2026-101", "6.90", 30),
    ("Rechtsschutz", "ARAG Allgemeine", "ANG-2026-102", "24.50", 21),
    ("Unfall", "Allianz Versicherungs", "ANG-2025-087", "11.20", -10),  # expired ten days ago
)


async def add_demo_offers(tenant_id: int) -> None:
    tenant = await Tenant.get(id=tenant_id)
    modules = [name for name in tenant.modules.split(",") if name]
    if "offers" not in modules:
        await Tenant.filter(id=tenant_id).update(modules=",".join([*modules, "offers"]))
    mia = await User.get(username="mia")
    dana = await Contact.get(email="dana@kunde.example")
    for line, insurer_start, number, premium, days in OFFERS:
        insurer = await Insurer.filter(name__startswith=insurer_start).first()
        await Contract.create(
            contact_id=dana.id,
            folder="insurance",
            status="offer",
            product_line=line,
            insurer_id=insurer.id if insurer else None,
            insurer_name=insurer.name if insurer else insurer_start,
            insurance_number=number,
            payment_method="direct_debit",
            payment_frequency="monthly",
            gross_premium=Decimal(premium),
            valid_until=today() + timedelta(days=days),
            created_by_id=mia.id,
        )
    felix = await Contact.get(email="felix@kunde.example")
    await OfferRequest.create(
        contact_id=felix.id,
        requested_by_id=(await User.get(username="felix")).id,
        product_line="kfz",
        description="Ich kaufe im Januar ein gebrauchtes Auto (VW Polo, Bj. 2019) und brauche "
        "eine Kfz-Versicherung mit Teilkasko.",
    )
