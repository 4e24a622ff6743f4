"""The page "Anmeldung & Sicherheit": what it shows of the actor's own login."""

from __future__ import annotations

from typing import Any

from tenant_app.actors import CurrentUser
from tenant_app.errors import PermissionDenied


async def overview(actor: CurrentUser) -> dict[str, Any]:
    """One entry per section of the page (authenticator app, passkeys, devices)."""
    if actor.read_only:  # staff viewing as a customer: this is the customer's own login
        raise PermissionDenied
    sections: dict[str, Any] = {}
    return sections
