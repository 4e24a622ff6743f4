"""The demo's AVV and consents: a published version of the data-processing agreement,
accepted by the demo firm's administrator; and the consent to processing health data of
each demo customer with a health contract and a login (none in the demo so far: a contract
such as "Private Krankenversicherung" added by hand then shows the consent as given)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tenant_app.models.accounts import User
from tenant_app.models.folders import Contract
from tenant_app.models.legal import ConsentRecord, DpaAcceptance, DpaVersion
from tenant_app.services.consents import HEALTH_DATA, TEXT_VERSION, is_special_line

DPA_VERSION = "2026-1"
DPA_TEXT = (
    "<p><strong>Vertrag zur Auftragsverarbeitung nach Art. 28 DSGVO</strong></p>"
    "<p>1. Gegenstand: Die Plattform betreibt das Kundenportal der Firma und verarbeitet dabei"
    " personenbezogene Daten ihrer Kunden ausschließlich auf ihre dokumentierte Weisung.</p>"
    "<p>2. Art der Daten: Kontakt- und Vertragsdaten, Dokumente, Nachrichten; mit Einwilligung"
    " der Kunden auch Gesundheitsdaten (Art. 9 DSGVO).</p>"
    "<p>3. Pflichten der Plattform: Vertraulichkeit, technische und organisatorische"
    " Maßnahmen nach Art. 32 DSGVO, Unterstützung bei Betroffenenrechten, Meldung von"
    " Datenschutzverletzungen, Löschung oder Rückgabe nach Vertragsende.</p>"
    "<p>4. Unterauftragsverarbeiter werden nur nach vorheriger Information der Firma"
    " eingesetzt.</p>"
)


async def add_demo_consents_and_dpa() -> None:
    """In the demo tenant's scope."""
    dpa, _created = await DpaVersion.get_or_create(
        version=DPA_VERSION,
        defaults={
            "text": DPA_TEXT,
            "published_at": datetime.now(UTC) - timedelta(days=30),
            "published_by_name": "Olaf Operator",
        },
    )
    admin = await User.filter(kind="staff", role="admin").order_by("id").first()
    if admin is not None and not await DpaAcceptance.filter(dpa_id=dpa.id).exists():
        await DpaAcceptance.create(
            dpa_id=dpa.id,
            accepted_by_id=admin.id,
            accepted_by_name=f"{admin.first_name} {admin.last_name}".strip(),
        )
    await _consents()


async def _consents() -> None:
    contracts = await Contract.filter(deleted_at=None).only("contact_id", "product_line")
    health = {c.contact_id for c in contracts if is_special_line(c.product_line)}
    logins = await User.filter(kind="customer", contact_id__in=list(health))
    for login in logins:
        if login.contact_id is None:
            continue
        await ConsentRecord.create(
            contact_id=login.contact_id,
            kind=HEALTH_DATA,
            text_version=TEXT_VERSION,
            given_by_id=login.id,
        )
