"""Second factors of the actor's own login: shared by the authenticator app and passkeys."""

from __future__ import annotations

import secrets

from tenant_app.models.accounts import User
from tenant_app.models.factors import Passkey, RecoveryCode, TotpFactor
from tenant_app.models.scoping import current_tenant_id
from tenant_app.security.cookies import token_digest

RECOVERY_CODES = 10


async def sync_flag(user_id: int) -> bool:
    """Keep `User.has_second_factor` true exactly while a confirmed authenticator app or a
    passkey exists; call inside the transaction that added or removed one. The new value."""
    has = (
        await TotpFactor.filter(user_id=user_id, confirmed_at__isnull=False).exists()
        or await Passkey.filter(user_id=user_id).exists()
    )
    await User.filter(id=user_id).update(has_second_factor=has)
    return has


def _recovery_code() -> str:
    """Ten characters of an unambiguous alphabet in two groups (about 50 bits)."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def recovery_digest(code: str) -> str:
    """Codes are compared without case, spaces or dashes, as people type them."""
    return token_digest("".join(ch for ch in code.lower() if ch.isalnum()))


async def issue_recovery_codes(user_id: int) -> list[str]:
    """Replace the user's recovery codes by ten new ones; the codes, to be shown once."""
    codes = [_recovery_code() for _ in range(RECOVERY_CODES)]
    await RecoveryCode.filter(user_id=user_id).delete()
    tenant_id = current_tenant_id()  # bulk_create skips save(), which sets it
    await RecoveryCode.bulk_create(
        [
            RecoveryCode(tenant_id=tenant_id, user_id=user_id, code_hash=recovery_digest(code))
            for code in codes
        ]
    )
    return codes
