"""Key rotation of the sealed insurer credentials (`tenant-app credentials rotate`).

A new key goes first into CREDENTIALS_KEYS, the old ones stay after it: from then on every
save seals with the new key, and the old ones still open what they sealed. Rotating seals
every account of every tenant that is not sealed with the current key anew with it; then the
old keys can be removed. An account no configured key opens is reported and left as it is
(its firm enters the credentials again). Works across tenants, as the operator's command.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tenant_app.models.folders import AuditEntry
from tenant_app.models.interfaces import InsurerAccount
from tenant_app.models.tenancy import Tenant
from tenant_app.security.credentials import CredentialsUnreadable, seal, sealed_with, unseal
from tenant_app.settings import Settings

RESEALED = "insurer_credentials_resealed"  # AuditEntry.action (subject: the account)


@dataclass
class Rotation:
    """What a rotation did: accounts sealed anew, already current, and those no key opens
    (the tenant's slug, the plug-in's key)."""

    key_id: str
    resealed: int = 0
    current: int = 0
    unreadable: list[tuple[str, str]] = field(default_factory=list)


async def rotate_credentials(settings: Settings) -> Rotation:
    """Seal every account's credentials with the current key (the first of
    CREDENTIALS_KEYS; `CredentialKeysMissing` without one). An account changed meanwhile by
    its firm (sealed anew with the current key) is left to that save."""
    keys = settings.credential_keys()
    rotation = Rotation(key_id=keys.current)
    rows = await InsurerAccount.unscoped.exclude(sealed_credentials="").order_by("id")
    slugs = dict(await Tenant.all().values_list("id", "slug"))
    for row in rows:
        if sealed_with(row.sealed_credentials) == rotation.key_id:
            rotation.current += 1
            continue
        try:
            values = unseal(keys, row.tenant_id, row.plugin, row.sealed_credentials)
        except CredentialsUnreadable:
            rotation.unreadable.append((str(slugs.get(row.tenant_id, row.tenant_id)), row.plugin))
            continue
        resealed = seal(keys, row.tenant_id, row.plugin, values)
        same = InsurerAccount.unscoped.filter(id=row.id, sealed_credentials=row.sealed_credentials)
        if await same.update(sealed_credentials=resealed):
            rotation.resealed += 1
            await AuditEntry.create(
                tenant_id=row.tenant_id, action=RESEALED, subject_id=row.id, details=row.plugin
            )
        else:
            rotation.current += 1
    return rotation
