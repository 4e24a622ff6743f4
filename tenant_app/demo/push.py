"""The demo's web push: the module on, so the notification page offers push on every device
(the app shell, manifest and icons need nothing: they come from the logo and colours)."""

from __future__ import annotations

from tenant_app.models.tenancy import Tenant


async def add_demo_push(tenant_id: int) -> None:
    tenant = await Tenant.get(id=tenant_id)
    modules = [name for name in tenant.modules.split(",") if name]
    if "push" not in modules:
        await Tenant.filter(id=tenant_id).update(modules=",".join([*modules, "push"]))
