"""Second factors of a login (authenticator app, recovery codes, passkeys) and the devices
it signed in from."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields

from tenant_app.models.scoping import TenantModel

if TYPE_CHECKING:
    from tenant_app.models.accounts import User


class TotpFactor(TenantModel):
    """An authenticator app (RFC 6238). Unconfirmed until the first code was entered."""

    id = fields.IntField(primary_key=True)
    user: fields.OneToOneRelation[User] = fields.OneToOneField(
        "models.User", related_name="totp", on_delete=fields.CASCADE
    )
    user_id: int
    secret = fields.CharField(max_length=64)  # base32
    confirmed_at = fields.DatetimeField(null=True)
    last_step = fields.BigIntField(default=0, db_default=0)  # the last accepted time step
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "totp_factor"


class RecoveryCode(TenantModel):
    """One of ten single-use codes shown once at enrolment, kept as a SHA-256 only."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="recovery_codes", on_delete=fields.CASCADE
    )
    user_id: int
    code_hash = fields.CharField(max_length=64)
    used_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "recovery_code"
        indexes = (("tenant_id", "user_id"),)


class Passkey(TenantModel):
    """A WebAuthn credential registered on the tenant's host (the relying party)."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="passkeys", on_delete=fields.CASCADE
    )
    user_id: int
    credential_id = fields.CharField(max_length=700)  # base64url
    public_key = fields.TextField()  # base64url of the COSE key
    sign_count = fields.BigIntField(default=0, db_default=0)
    transports = fields.CharField(max_length=100, default="", db_default="")
    name = fields.CharField(max_length=80)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "passkey"
        unique_together = (("tenant", "credential_id"),)
        indexes = (("tenant_id", "user_id"),)


class KnownDevice(TenantModel):
    """A browser that signed in before (by a random id in a long-lived cookie, kept hashed):
    a login from any other one is told to the user by mail."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="known_devices", on_delete=fields.CASCADE
    )
    user_id: int
    device_hash = fields.CharField(max_length=64)
    user_agent = fields.CharField(max_length=200, default="", db_default="")
    first_seen_at = fields.DatetimeField(auto_now_add=True)
    last_seen_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "known_device"
        unique_together = (("tenant", "user", "device_hash"),)
