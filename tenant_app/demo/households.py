"""The demo's household (one login, two contacts) and trusted person."""

from __future__ import annotations

from datetime import date

from tenant_app.demo import seed
from tenant_app.files.storage import Storage
from tenant_app.models.accounts import User
from tenant_app.models.contacts import Contact, ContactResponsible
from tenant_app.models.folders import CustomerAccess
from tenant_app.models.households import ContactLink, TrustedPerson, TrustEvent
from tenant_app.security.passwords import PasswordService


async def add_household(store: Storage, staff: dict[str, User], tenant_id: int) -> None:
    """Dana's login also manages her daughter Emma's folders (Haushalt): Emma has no login
    of her own, and her permissions are her own (insurance read-only)."""
    dana = await User.get(username="dana")
    emma = await Contact.create(
        first_name="Emma",
        last_name="Datenfrei",
        birthdate=date(2012, 9, 14),
        email="emma@kunde.example",
        street="Lindenallee 3",
        postal_code="50667",
        city="Köln",
        customer_number="K-1005",
    )
    await CustomerAccess.create(contact_id=emma.id, insurance_readonly=True)
    await ContactResponsible.create(contact_id=emma.id, user_id=staff["mia"].id)
    await ContactLink.create(
        user_id=dana.id,
        contact_id=emma.id,
        consent_note="Emma ist minderjährig; Dana ist sorgeberechtigt (Beratung am 02.12.2026).",
        created_by_id=staff["mia"].id,
    )
    for product_line, number in (("Unfall", "UV-3344"), ("Privathaftpflicht (Kind)", "PH-77")):
        fields = {
            "product_line": product_line,
            "insurer": "Condor Allgemeine Versicherungs-AG",
            "insurance_number": number,
            "gross_premium": "4,50",
            "payment_frequency": "monthly",
        }
        contract = await seed.demo_contract(emma, "insurance", fields, created_by=staff["mia"])
        await seed.demo_pdf(
            store,
            tenant_id,
            emma,
            contract,
            f"{product_line} – Versicherungsschein",
            ["Versicherte Person: Emma Datenfrei", f"Vertragsnummer: {number}"],
        )


async def add_trusted_person(passwords: PasswordService) -> None:
    """Lena named Tom as her trusted person (Vertrauensperson): he has registered and may
    ask for her emergency folder, which opens after the seven days Lena chose."""
    lena = await User.get(username="lena")
    tom = await User.create(
        kind="customer",
        role="kunde",
        username="tom",
        email="tom@vertrauen.example",
        first_name="Tom",
        last_name="Treu",
        birthdate=date(1968, 2, 29),
        password_hash=await passwords.hash(seed.CUSTOMER_PASSWORD),
    )
    trusted = await TrustedPerson.create(
        contact_id=lena.contact_id,
        user_id=tom.id,
        first_name="Tom",
        last_name="Treu",
        email=tom.email,
        birthdate=tom.birthdate,
        wait_days=7,
        status="ready",
    )
    for kind, actor in (("named", lena), ("registered", tom)):
        await TrustEvent.create(
            trusted_person_id=trusted.id, kind=kind, actor_id=actor.id, actor_name=actor.full_name
        )
