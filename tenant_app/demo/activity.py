"""What the demo's people did recently, through the same use cases the pages call: so the
activity feed, the bells and Lena's access trail have something to show."""

from __future__ import annotations

from tenant_app.actors import CurrentUser, actor_from
from tenant_app.models.accounts import User
from tenant_app.models.contacts import Contact
from tenant_app.models.folders import Contract, Document
from tenant_app.services import contracts, documents, profile
from tenant_app.services.access import access_of
from tenant_app.services.versions import VERSION_FIELD


async def actor_of(username: str) -> CurrentUser:
    """A demo account as the use cases see it (a customer with their contact's rights)."""
    user = await User.get(username=username)
    rights = await access_of(user.contact_id) if user.contact_id is not None else None
    return actor_from(user, access=rights)


async def add_recent_activity() -> None:
    """Dana (Datenfreigabe) raises her household insurance's premium and gives a new phone
    number; Mia adds a legal-protection contract to Lena's folder and opens Lena's policy."""
    dana = await actor_of("dana")
    household = await Contract.get(contact_id=dana.contact_id, product_line="Hausrat")
    values = {**contracts.form_values(household), VERSION_FIELD: str(household.version)}
    values.update(gross_premium="142,50", payment_frequency="half_yearly")
    await contracts.update_contract(dana, household, values={k: str(v) for k, v in values.items()})
    contact = await Contact.get(id=dana.contact_id)
    form = {k: str(v or "") for k, v in profile.form_values(contact).items()}
    await profile.update_profile(dana, contact, values={**form, "phone": "0221 987 654 3"})

    mia = await actor_of("mia")
    lena = await User.get(username="lena")
    await contracts.create_contract(
        mia,
        contact_id=int(lena.contact_id or 0),
        folder="insurance",
        values={
            "status": "offer",
            "product_line": "Rechtsschutz",
            "insurer": "ARAG SE",
            "insurance_number": "RS-2026-17",
            "gross_premium": "24,90",
            "payment_frequency": "monthly",
            "payment_method": "direct_debit",
        },
    )
    policy = await Document.filter(contact_id=lena.contact_id).order_by("id").first()
    if policy is not None:
        await documents.open_document(mia, policy.id)
