"""The demo's AVV: version 2026-1 is published and accepted by the demo firm's administrator,
so no banner asks for it."""

from __future__ import annotations

from tenant_app.demo.seed import DEMO_SLUG, ensure_demo
from tenant_app.files.storage import LocalStorage
from tenant_app.models.accounts import User
from tenant_app.models.legal import DpaAcceptance, DpaVersion
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant


async def test_the_demo_firm_accepted_the_published_agreement(passwords, settings) -> None:
    assert await ensure_demo(passwords, LocalStorage(settings.storage_dir), base_domain="localhost")
    tenant = await Tenant.get(slug=DEMO_SLUG)
    dpa = await DpaVersion.get(version="2026-1")
    assert dpa.published_at is not None and "Art. 28 DSGVO" in dpa.text
    with tenant_scope(tenant.id):
        acceptance = await DpaAcceptance.get(dpa_id=dpa.id)
        admin = await User.get(id=acceptance.accepted_by_id)
    assert admin.role == "admin" and acceptance.accepted_by_name
