"""The page "Anmeldung & Sicherheit": what it shows of the actor's own login."""

from __future__ import annotations

from typing import Any

from tenant_app.actors import CurrentUser
from tenant_app.services import devices, passkeys, second_factor
from tenant_app.services.password_check import ensure_own_login
from tenant_app.settings import Settings


async def overview(actor: CurrentUser, *, settings: Settings) -> dict[str, Any]:
    """One entry per section of the page (authenticator app, passkeys, devices)."""
    ensure_own_login(actor)
    return {
        "totp": await second_factor.totp_section(actor),
        "passkeys": await passkeys.passkeys_of(actor),
        "devices": await devices.devices_section(actor, settings=settings),
    }
