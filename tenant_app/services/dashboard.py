"""The staff home: what needs the member's attention."""

from __future__ import annotations

from tenant_app.actors import CurrentUser
from tenant_app.errors import PermissionDenied
from tenant_app.permissions import can_use_staff_area
from tenant_app.queries import dashboard as dashboard_reads
from tenant_app.queries.dashboard import Dashboard


async def for_staff(actor: CurrentUser) -> Dashboard:
    """The cards of the staff home, limited to the contacts and folders the actor may see."""
    if not can_use_staff_area(actor):
        raise PermissionDenied
    return await dashboard_reads.dashboard(actor)
