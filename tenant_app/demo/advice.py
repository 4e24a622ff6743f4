"""The demo's advice documentation (§§ 61, 62 VVG), made through the same use cases the pages
call: Mia delivered version 1 of her advice on Dana's car insurance change (its PDF in Dana's
insurance folder, not read yet); the household check, completed earlier, was waived by Dana
in writing (§ 61 (2) VVG)."""

from __future__ import annotations

from tenant_app.actors import actor_from
from tenant_app.files.storage import Storage
from tenant_app.models.accounts import User
from tenant_app.models.cases import AdviceCase
from tenant_app.models.folders import AuditEntry
from tenant_app.models.legal import AdviceRecord
from tenant_app.services import advice_records, cases

ADVICE = {
    "wishes": "Dana fährt ab Januar einen neuen VW Golf Variant (Erstzulassung 2021, etwa "
    "15.000 km im Jahr) und möchte Vollkasko mit möglichst niedrigem Beitrag. Eine "
    "Werkstattbindung ist ihr recht; die SF-Klasse ihres bisherigen Vertrags soll "
    "übernommen werden. Wichtig ist ihr ein Rabattschutz.",
    "advice": "Wir raten zum Wechsel zur Nordstern Versicherung AG, Tarif Komfort, Vollkasko "
    "mit 500 € Selbstbeteiligung und Werkstattbindung, Beginn 1. Januar; den bisherigen "
    "Vertrag kündigen wir fristgerecht zum 30. November.",
    "reasons": "Von den fünf verglichenen Angeboten hat Nordstern bei gleichem Schutz den "
    "niedrigsten Beitrag; Rabattschutz und grobe Fahrlässigkeit sind eingeschlossen. Die "
    "Werkstattbindung senkt den Beitrag um etwa 15 %, was Dana wichtiger ist als die freie "
    "Werkstattwahl.",
}
MAX_BYTES = 10 * 1024 * 1024  # the demo's own PDF, a few kilobytes


async def add_demo_advice(store: Storage) -> None:
    """In the demo tenant's scope, after demo/cases.py made the cases."""
    mia = actor_from(await User.get(username="mia"))
    change = await AdviceCase.get(title="Kfz-Wechsel")
    case = await cases.case_for(mia, change.id, edit=True)
    record = await advice_records.start_version(mia, case)
    await advice_records.save_draft(mia, record, case, values=ADVICE, version=record.version)
    record = await AdviceRecord.get(id=record.id)
    await advice_records.deliver(mia, store, record, case, confirmed=True, max_bytes=MAX_BYTES)
    check = await AdviceCase.get(title="Hausrat-Check nach Umzug")
    await AuditEntry.create(
        action=advice_records.WAIVED_AUDIT,
        actor_id=mia.id,
        subject_id=check.id,
        details="§ 61 Abs. 2 VVG",
    )
