"""The broker's website origins that may show the login page in a frame (Website-Einbindung).

Stored one a line on the tenant (`Tenant.frame_origins`); the edge names them in the login
page's `frame-ancestors` (edge/headers.py) and nowhere else: every page behind the login
stays unframeable.
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import PermissionDenied, ValidationFailed
from tenant_app.models.folders import AuditEntry
from tenant_app.models.scoping import current_tenant_id
from tenant_app.models.tenancy import Tenant
from tenant_app.permissions import can_link_systems
from tenant_app.security.frame_origins import clean_origin
from tenant_app.tenancy import tenant_cache
from tenant_app.text.i18n import gettext as _

MAX_ORIGINS = 10


async def stored_origins(actor: CurrentUser) -> str:
    if not can_link_systems(actor):
        raise PermissionDenied
    rows = await Tenant.filter(id=current_tenant_id()).values_list("frame_origins", flat=True)
    return str(rows[0] or "") if rows else ""


def checked_origins(text: str) -> list[str]:
    """The typed lines as origins (`https://host[:port]`); ValidationFailed names a bad line."""
    origins: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        origin = clean_origin(line)
        if origin is None:
            message = _(
                "“%(line)s” is not a website address of the form https://www.your-firm.de"
                " (with https://, without a path).",
                line=line.strip()[:80],
            )
            raise ValidationFailed({"frame_origins": message})
        if origin not in origins:
            origins.append(origin)
    if len(origins) > MAX_ORIGINS:
        message = _("At most %(count)s website addresses.", count=MAX_ORIGINS)
        raise ValidationFailed({"frame_origins": message})
    return origins


async def save_origins(actor: CurrentUser, *, text: str) -> list[str]:
    """Store the allow-list (audited); a refused one changes nothing."""
    if not can_link_systems(actor):
        raise PermissionDenied
    origins = checked_origins(text)
    async with in_transaction():
        await Tenant.filter(id=current_tenant_id()).update(frame_origins="\n".join(origins))
        await AuditEntry.create(
            action="frame_origins_saved", actor_id=actor.id, details=" ".join(origins)[:300]
        )
    tenant_cache.invalidate()  # the login page's header reads the cached tenant
    return origins
