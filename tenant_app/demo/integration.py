"""The demo's link to a broker management system: an API token with a known secret, so the
README's curl examples work on the demo as they stand."""

from __future__ import annotations

from tenant_app.actors import actor_from
from tenant_app.models.accounts import User
from tenant_app.services import api_tokens
from tenant_app.vocabulary import API_SCOPES

API_TOKEN = "tka_demo-maklerverwaltung-2026"  # noqa: S105 - published demo token


async def add_api_token(admin: User) -> None:
    await api_tokens.create_token(
        actor_from(admin),
        name="Demo-Maklerverwaltung",
        scopes=list(API_SCOPES),
        expires_at=None,
        secret=API_TOKEN,
    )
