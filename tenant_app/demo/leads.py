"""The demo's prospects (Kunde werden): the module on, Mia told of new requests, one request
recommended by Dana and confirmed (in Mia's bell), one already contacted, one not confirmed."""

from __future__ import annotations

import secrets

from tenant_app.models.accounts import User
from tenant_app.models.leads import Lead
from tenant_app.models.tenancy import Tenant
from tenant_app.security.cookies import token_digest
from tenant_app.services.leads_public import confirm_lead

CONSENT = (
    "Ich bin damit einverstanden, dass Muster & Partner Versicherungsmakler mich zu meiner "
    "Anfrage per E-Mail oder Telefon kontaktiert. Diese Einwilligung kann ich jederzeit "
    "widerrufen."
)
REQUESTS = (
    (
        "Lena",
        "Lindner",
        "lena.lindner@example.org",
        "berufsunfaehigkeit",
        "Ich mache mich gerade selbständig und brauche eine BU. Am besten abends erreichbar.",
        True,
        "new",
    ),
    ("Paul", "Petersen", "paul.petersen@example.org", "kfz", "", False, "contacted"),
    ("Omar", "Oswald", "omar.oswald@example.org", "hausrat", "", False, "pending"),
)


async def add_demo_leads(tenant_id: int) -> None:
    tenant = await Tenant.get(id=tenant_id)
    modules = [name for name in tenant.modules.split(",") if name]
    if "new_customers" not in modules:
        await Tenant.filter(id=tenant_id).update(modules=",".join([*modules, "new_customers"]))
    await User.filter(username="mia").update(receives_leads=True)
    dana = await User.get(username="dana")
    for first, last, email, interest, message, referred, status in REQUESTS:
        secret = secrets.token_urlsafe(32)
        lead = await Lead.create(
            first_name=first,
            last_name=last,
            email=email,
            interest=interest,
            message=message,
            consent_text=CONSENT,
            token_hash=token_digest(secret),
            referred_by_id=dana.contact_id if referred else None,
        )
        if status != "pending":
            await confirm_lead(secret)
        if status == "contacted":
            await Lead.filter(id=lead.id).update(status="contacted")
