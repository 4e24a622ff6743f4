"""White-label digital customer folder for insurance brokers."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from tenant_app.settings import Settings


def create_app(settings: Settings | None = None, *, manage_db: bool = True) -> Starlette:
    """Build the ASGI app; `manage_db=False` leaves the ORM to the caller (tests)."""
    from tenant_app.app import build_app

    return build_app(settings, manage_db=manage_db)
