"""The mail that tells a user their login's security changed (a second factor added or
removed, new recovery codes, sign-in mails off, a new password, a reset), or that someone
got past their password but not their second factor.

Sent whatever the user chose for the sign-in mails: a hijacked session could have turned
those off first. Each change queues its mail inside the change's own transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

from tenant_app.mail.notify import notify
from tenant_app.settings import Settings

SECURITY_LINK = "/account/security"
# What changed (templates/email/security_change.*); "factor_failed" is the warning.
KINDS = frozenset(
    {
        "totp_on",
        "totp_off",
        "passkey_added",
        "passkey_removed",
        "recovery_codes",
        "alerts_off",
        "password_changed",
        "factors_reset",
        "factor_failed",
    }
)


class Recipient(Protocol):
    """A login as the session loads it (CurrentUser) or as stored (User)."""

    @property
    def id(self) -> int: ...
    @property
    def email(self) -> str: ...
    @property
    def language(self) -> str | None: ...
    @property
    def first_name(self) -> str: ...


async def tell(settings: Settings, user: Recipient, *, kind: str, passkey: str = "") -> None:
    """Queue the mail about `kind` to the user (in the caller's transaction); `passkey`
    names the passkey added or removed."""
    if kind not in KINDS:
        raise ValueError(f"unknown security change {kind!r}")
    await notify(
        settings,
        to=user.email,
        language=user.language,
        template="security_change",
        context={
            "name": user.first_name,
            "kind": kind,
            "passkey": passkey,
            "at": datetime.now(UTC),
        },
        links={"security_url": SECURITY_LINK},
        user_id=user.id,
    )
