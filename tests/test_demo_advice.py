"""The demo's advice documentation: Dana's car insurance change has version 1 delivered by
Mia, its PDF shared in Dana's insurance folder and Dana told; the completed household check
was waived in writing (§ 61 (2) VVG)."""

from __future__ import annotations

from tenant_app.demo.seed import DEMO_SLUG, ensure_demo
from tenant_app.files.storage import LocalStorage
from tenant_app.models.accounts import User
from tenant_app.models.activity import Event
from tenant_app.models.cases import AdviceCase
from tenant_app.models.folders import AuditEntry, Document
from tenant_app.models.legal import AdviceRecord
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant
from tests.pdf_text import pdf_text


async def test_dana_received_the_advice_documentation_of_her_car_insurance_change(
    passwords, settings
) -> None:
    store = LocalStorage(settings.storage_dir)
    assert await ensure_demo(passwords, store, base_domain="localhost")
    tenant = await Tenant.get(slug=DEMO_SLUG)
    with tenant_scope(tenant.id):
        mia = await User.get(username="mia")
        change = await AdviceCase.get(title="Kfz-Wechsel")
        check = await AdviceCase.get(title="Hausrat-Check nach Umzug")
        [record] = await AdviceRecord.filter(case_id=change.id)
        document = await Document.get(id=record.document_id)
        told = await Event.filter(kind="advice_delivered", object_id=document.id).exists()
        waived = await AuditEntry.filter(action="advice_waived", subject_id=check.id).exists()
    assert (record.number, record.delivered_by_id, record.read_at) == (1, mia.id, None)
    assert record.delivered_at is not None and told and waived
    assert document.folder == "insurance" and document.shared_with_customer
    words = pdf_text(await store.read(document.storage_key))
    assert "Beratungsdokumentation" in words and "Nordstern Versicherung AG" in words
