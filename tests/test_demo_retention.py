"""The demo's retention: an erased customer kept for the law is in the admins' view only,
and one of Lena's documents is under a legal hold."""

from __future__ import annotations

from datetime import date

from tenant_app.demo.seed import DEMO_SLUG, ensure_demo
from tenant_app.files.storage import LocalStorage
from tenant_app.models.contacts import Contact
from tenant_app.models.legal import LegalHold
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant


async def test_the_demo_keeps_an_erased_customer_and_holds_a_document(passwords, settings) -> None:
    assert await ensure_demo(passwords, LocalStorage(settings.storage_dir), base_domain="localhost")
    tenant = await Tenant.get(slug=DEMO_SLUG)
    with tenant_scope(tenant.id):
        rolf = await Contact.get(last_name="Ruhestand")
        hold = await LegalHold.get(document_id__isnull=False)
    assert rolf.restricted_at is not None and rolf.delete_after == date(2031, 12, 31)
    assert hold.released_at is None and "Regulierung" in hold.reason
