"""The demo tenant: branding, staff with different rights, customers for the interesting
permission combinations, contracts with real PDF documents, open and closed tickets, chats.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from tenant_app.demo.activity import add_recent_activity
from tenant_app.demo.cases import add_demo_cases
from tenant_app.demo.chats import add_demo_chats
from tenant_app.demo.claims import add_demo_claims
from tenant_app.demo.home import BROKER_PROFILE, add_advisor_photo
from tenant_app.demo.households import add_household, add_trusted_person
from tenant_app.demo.integration import add_api_token
from tenant_app.demo.interfaces import add_demo_interfaces
from tenant_app.demo.invitations import add_demo_invitations
from tenant_app.demo.leads import add_demo_leads
from tenant_app.demo.legal import add_demo_legal
from tenant_app.demo.logo import logo_png
from tenant_app.demo.offers import add_demo_offers
from tenant_app.demo.pdf import text_pdf
from tenant_app.demo.push import add_demo_push
from tenant_app.demo.support import add_demo_support
from tenant_app.demo.tenders import add_demo_tenders
from tenant_app.demo.tickets import add_demo_tickets
from tenant_app.files.storage import Storage, new_key
from tenant_app.models.accounts import User
from tenant_app.models.contacts import Contact, ContactResponsible
from tenant_app.models.folders import Contract, CustomerAccess, Document
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant
from tenant_app.security.credentials import CredentialKeys, development_keys
from tenant_app.security.passwords import PasswordService
from tenant_app.services.branding import replace_asset
from tenant_app.services.contracts import clean_contract
from tenant_app.services.tickets import Context
from tenant_app.settings import DEV_SECRET, Settings
from tenant_app.tenancy import tenant_cache

DEMO_SLUG = "demo"
ADMIN = ("admin", "demo-admin-2026")
STAFF_PASSWORD = "demo-team-2026"  # noqa: S105 - published demo login
CUSTOMER_PASSWORD = "demo-kunde-2026"  # noqa: S105 - published demo login


@dataclass(frozen=True)
class DemoCustomer:
    first_name: str
    last_name: str
    username: str
    story: str  # what this login shows, for the README and the demo output
    access: dict[str, Any]


CUSTOMERS = (
    DemoCustomer(
        "Dana",
        "Datenfrei",
        "dana",
        "Versicherungen mit Datenfreigabe: sieht und ändert alles; "
        "Finanzen freigeschaltet + nur lesen; Profil bearbeitbar; Kommunikation; "
        "Haushalt: verwaltet auch die Ordner ihrer Tochter Emma",
        {
            "insurance_share": True,
            "finance_unlock": True,
            "finance_readonly": True,
            "profile_visible": True,
            "profile_editable": True,
            "communication": True,
        },
    ),
    DemoCustomer(
        "Lena",
        "Leser",
        "lena",
        "Versicherungen und Notfall-Ordner nur lesen; Profil sichtbar",
        {"insurance_readonly": True, "emergency_readonly": True, "profile_visible": True},
    ),
    DemoCustomer(
        "Felix",
        "Freigeschaltet",
        "felix",
        "Versicherungen nur freigeschaltet: sieht nur eigene "
        "Verträge und kann welche erfassen; Sonstige Verträge mit Datenfreigabe; Kommunikation",
        {"insurance_unlock": True, "other_share": True, "communication": True},
    ),
    DemoCustomer(
        "Karla",
        "Kontakt",
        "karla",
        "Nur Kommunikation: schreibt dem Makler, sieht keine Ordner",
        {"communication": True},
    ),
)
# Dana's login also serves her daughter Emma (Haushalt); Lena named Tom (Vertrauensperson).
TRUSTED_STORY = "Vertrauensperson von Lena: kann ihren Notfall-Ordner anfragen (7 Tage Wartezeit)"


async def ensure_demo(
    passwords: PasswordService,
    store: Storage,
    *,
    base_domain: str,
    platform_host: str = "",
    credential_keys: CredentialKeys | None = None,
) -> bool:
    """Create the demo tenant with everything in it, and the platform's space (`platform_host`,
    else platform.BASE_DOMAIN); False (and nothing changed) if the demo tenant exists."""
    from tenant_app.services.tenants import create_tenant

    if await Tenant.filter(slug=DEMO_SLUG).exists():
        return False
    created = await create_tenant(
        passwords,
        slug=DEMO_SLUG,
        name="Muster & Partner Versicherungsmakler",
        base_domain=base_domain,
        admin_email="admin@demo.example",
        admin_first_name="Anna",
        admin_last_name="Admin",
        admin_username=ADMIN[0],
        admin_password=ADMIN[1],
        admin_birthdate=date(1980, 5, 17),
    )
    tenant = created.tenant
    await Tenant.filter(id=tenant.id).update(
        primary_color="#0f5e9c",
        secondary_color="#f5a524",
        text_color="#1b2733",
        **BROKER_PROFILE,  # with the imprint's and signature's free-text additions
    )
    with tenant_scope(tenant.id):
        await replace_asset(created.admin, kind="logo", data=logo_png())
        await replace_asset(created.admin, kind="favicon", data=logo_png(square=True))
        staff = await _staff(passwords)
        for number, person in enumerate(CUSTOMERS):
            await _customer(passwords, store, person, number, staff, tenant.id)
        await add_household(store, staff, tenant.id)
        await add_advisor_photo(store, tenant.id, staff["mia"])
        await add_trusted_person(passwords)
        await add_recent_activity()
        await add_demo_cases()
        await add_demo_claims(store, tenant.id)
        await add_demo_chats(store)
        await add_api_token(created.admin)
        await add_demo_leads(tenant.id)
        await add_demo_offers(tenant.id)
        await add_demo_push(tenant.id)
        await add_demo_invitations(store, tenant.id, staff)
        await add_demo_interfaces(credential_keys or development_keys(DEV_SECRET))
        await add_demo_legal(tenant.id, store)
        await add_demo_support(created.admin)
    platform = Settings(base_domain=base_domain, platform_host=platform_host)
    await add_demo_tenders(passwords, Context(settings=platform, store=store), tenant.id)
    tenant_cache.invalidate()
    return True


async def _staff(passwords: PasswordService) -> dict[str, User]:
    password_hash = await passwords.hash(STAFF_PASSWORD)
    mia = await User.create(
        kind="staff",
        role="mitarbeiter",
        username="mia",
        email="mia@demo.example",
        first_name="Mia",
        last_name="Mitarbeiterin",
        birthdate=date(1988, 3, 4),
        phone="0221 98765-12",
        password_hash=password_hash,
        access_insurance="write",
        access_finance="write",
        access_other="write",
        access_emergency="write",
        sees_all_contacts=True,
        handles_tickets=True,
        handles_chat=True,
        manages_contacts=True,
    )
    paul = await User.create(
        kind="staff",
        role="netzwerkpartner",
        username="paul",
        email="paul@demo.example",
        first_name="Paul",
        last_name="Partner",
        birthdate=date(1975, 11, 30),
        password_hash=password_hash,
        access_insurance="read",
        handles_tickets=True,
    )
    return {"mia": mia, "paul": paul}


# Each folder's contracts with the fields that fit it, entered as the contract form would send
# them: `clean_contract` applies the folder's rules, so every demo contract can be saved again.
CONTRACTS: tuple[tuple[str, str, dict[str, str]], ...] = (
    (
        "insurance",
        "Versicherungsschein",
        {
            "product_line": "Privathaftpflicht",
            "insurer": "Condor Allgemeine Versicherungs-AG",
            "insurance_number": "PH-4711",
            "gross_premium": "7,90",
            "payment_frequency": "monthly",
        },
    ),
    (
        "insurance",
        "Versicherungsschein",
        {
            "product_line": "Hausrat",
            "insurer": "Allianz Versicherungs-AG",
            "insurance_number": "HR-2023-88",
            "gross_premium": "129,00",
            "payment_frequency": "yearly",
        },
    ),
    (
        "insurance",
        "Versicherungsschein",
        {
            "product_line": "Kfz",
            "insurer": "HUK-COBURG Allgemeine Versicherung AG",
            "insurance_number": "KFZ-K-AB-123",
            "gross_premium": "54,20",
            "payment_frequency": "monthly",
        },
    ),
    (
        "finance",
        "Bausparvertrag",
        {
            "product_line": "Bausparen",
            "insurer": "Wüstenrot Bausparkasse AG",  # not an insurer: free text
            "insurance_number": "BS-90210",
            "gross_premium": "50,00",
            "payment_frequency": "monthly",
        },
    ),
    (
        "other",
        "Stromvertrag",
        {
            "product_line": "Strom",
            "insurer": "Stadtwerke Köln",
            "insurance_number": "SW-5566",
            "gross_premium": "78,00",
            "payment_frequency": "monthly",
        },
    ),
    (
        "emergency",
        "Dokument",
        {"product_line": "Patientenverfügung", "insurance_number": "PV-2022"},
    ),
)
OWN_CONTRACT = {  # one the customer entered in the portal, still in status "Start"
    "product_line": "Tierhalterhaftpflicht",
    "insurer": "Uelzener Allgemeine Versicherungs-Gesellschaft a.G.",
    "insurance_number": "TH-1",
    "gross_premium": "6,50",
    "payment_frequency": "monthly",
    "status": "start",
}


async def demo_contract(
    contact: Contact, folder: str, fields: dict[str, str], *, created_by: User, own: bool = False
) -> Contract:
    """A demo contract, checked by the rules of its folder as if entered in the form."""
    method = "direct_debit" if fields.get("gross_premium") and not own else ""
    values = {"status": "active", "payment_method": method, **fields}
    clean = await clean_contract(values, folder=folder)
    return await Contract.create(
        contact_id=contact.id,
        folder=folder,
        created_by_customer=own,
        created_by_id=created_by.id,
        **clean,
    )


async def _customer(
    passwords: PasswordService,
    store: Storage,
    person: DemoCustomer,
    number: int,
    staff: dict[str, User],
    tenant_id: int,
) -> None:
    contact = await Contact.create(
        first_name=person.first_name,
        last_name=person.last_name,
        birthdate=date(1970 + number * 5, 4, 3),
        email=f"{person.username}@kunde.example",
        street=f"Lindenallee {number + 3}",
        postal_code="50667",
        city="Köln",
        phone=f"0221 55{number}0{number}",
        customer_number=f"K-{1001 + number}",
    )
    account = await User.create(
        kind="customer",
        role="kunde",
        username=person.username,
        email=contact.email,
        first_name=person.first_name,
        last_name=person.last_name,
        birthdate=contact.birthdate,
        contact_id=contact.id,
        password_hash=await passwords.hash(CUSTOMER_PASSWORD),
    )
    await CustomerAccess.create(contact_id=contact.id, **person.access)
    await ContactResponsible.create(contact_id=contact.id, user_id=staff["mia"].id)
    if person.username == "karla":
        await add_demo_tickets(contact, account, staff)
        return
    for folder, paper, fields in CONTRACTS:
        contract = await demo_contract(contact, folder, fields, created_by=staff["mia"])
        premium = fields.get("gross_premium", "")
        await demo_pdf(
            store,
            tenant_id,
            contact,
            contract,
            f"{contract.product_line} – {paper}",
            [
                f"Vertragspartner: {person.first_name} {person.last_name}",
                f"Anbieter: {contract.insurer_name or '–'}",
                f"Vertragsnummer: {contract.insurance_number}",
                f"Beitrag: {premium} €" if premium else "Beitragsfrei",
                "Dieses Dokument wurde für die Demo erzeugt.",
            ],
        )
    own = await demo_contract(contact, "insurance", OWN_CONTRACT, created_by=account, own=True)
    await demo_pdf(
        store,
        tenant_id,
        contact,
        own,
        "Tierhalterhaftpflicht – Police (vom Kunden)",
        ["Selbst abgeschlossener Vertrag, vom Kunden im Portal erfasst."],
        by_customer=True,
    )
    if person.access.get("communication"):
        await add_demo_tickets(contact, account, staff)


async def demo_pdf(
    store: Storage,
    tenant_id: int,
    contact: Contact,
    contract: Contract,
    title: str,
    lines: list[str],
    *,
    by_customer: bool = False,
) -> None:
    data = text_pdf(title, lines)
    key = new_key(tenant_id)
    await store.save(key, io.BytesIO(data))
    await Document.create(
        contact_id=contact.id,
        contract_id=contract.id,
        folder=contract.folder,
        title=title,
        category="policy",
        document_date=date(2024, 1, 15),
        filename=f"dokument-{contract.id}.pdf",
        storage_key=key,
        content_type="application/pdf",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by_customer=by_customer,
    )
