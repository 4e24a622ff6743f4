"""Browsers a login signed in from: a new one is remembered and told to the user by mail."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from tenant_app.mail.notify import notify
from tenant_app.models.accounts import LoginRecord, User
from tenant_app.models.factors import KnownDevice
from tenant_app.security.cookies import token_digest
from tenant_app.settings import Settings


async def remember(
    settings: Settings, user: User, *, device: str | None, client: str, user_agent: str
) -> str | None:
    """Called inside the login's transaction. The browser's device secret (from its signed
    cookie) if known; else a new secret for the cookie, and a mail unless this is the
    account's first login or the user turned the alerts off."""
    if device:
        known = KnownDevice.filter(user_id=user.id, device_hash=token_digest(device))
        if await known.update(user_agent=user_agent[:200], last_seen_at=datetime.now(UTC)):
            return None
    secret = secrets.token_urlsafe(32)
    await KnownDevice.create(
        user_id=user.id, device_hash=token_digest(secret), user_agent=user_agent[:200]
    )
    # The record of this very login exists already: more than one means logins before it.
    earlier = await LoginRecord.filter(user_id=user.id).count() > 1
    if earlier and user.login_alerts:
        await notify(
            settings,
            to=user.email,
            language=user.language,
            template="new_device",
            context={"name": user.full_name, "client": client, "user_agent": user_agent},
            links={"devices_url": "/account/security"},
            user_id=user.id,
        )
    return secret
