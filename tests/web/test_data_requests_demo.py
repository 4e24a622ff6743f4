"""The demo's data-protection requests: Felix's open copy request, due within a week (marked
in Mia's list, she was told), and Lena's handled one whose copy is no longer offered."""

from __future__ import annotations

from tenant_app.demo.seed import DEMO_SLUG, STAFF_PASSWORD, ensure_demo
from tenant_app.files.storage import LocalStorage
from tenant_app.models.activity import Notification
from tenant_app.models.legal import DataRequest
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant


async def test_the_demo_shows_an_open_request_due_soon_and_a_handled_one(
    passwords, settings, client_for
) -> None:
    assert await ensure_demo(passwords, LocalStorage(settings.storage_dir), base_domain="localhost")
    tenant = await Tenant.get(slug=DEMO_SLUG)
    with tenant_scope(tenant.id):
        felix, lena = await DataRequest.all().order_by("id").select_related("requested_by")
        told = await Notification.filter(event__kind="data_requested").count()
    assert (felix.requested_by.username, felix.status) == ("felix", "open")
    assert (lena.requested_by.username, lena.status, lena.export_key) == ("lena", "done", None)
    assert told >= 1
    mia = client_for(f"{DEMO_SLUG}.localhost")
    await mia.log_in("mia", STAFF_PASSWORD)
    listed = await mia.get("/staff/data-requests")
    assert listed.status_code == 200
    assert f'id="data-request-{felix.id}-soon"' in listed.text
    assert f'id="data-request-{lena.id}"' in listed.text
