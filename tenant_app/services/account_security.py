"""The page "Anmeldung & Sicherheit": what it shows of the actor's own login."""

from __future__ import annotations

from typing import Any

from tenant_app.actors import CurrentUser
from tenant_app.errors import PermissionDenied
from tenant_app.services import devices, passkeys, second_factor
from tenant_app.settings import Settings


async def overview(actor: CurrentUser, *, settings: Settings) -> dict[str, Any]:
    """One entry per section of the page (authenticator app, passkeys, devices)."""
    if actor.read_only:  # staff viewing as a customer: this is the customer's own login
        raise PermissionDenied
    sections: dict[str, Any] = {}
    sections["totp"] = await second_factor.totp_section(actor)
    sections["passkeys"] = await passkeys.passkeys_of(actor)
    sections["devices"] = await devices.devices_section(actor, settings=settings)
    return sections
