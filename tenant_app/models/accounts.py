"""People who log in (staff users and customers) and their server-side sessions."""

from __future__ import annotations

from tortoise import fields

from tenant_app.models.scoping import TenantModel


class User(TenantModel):
    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=10, default="staff")  # staff | customer
    role = fields.CharField(max_length=20, default="mitarbeiter")  # admin | mitarbeiter | ...
    username = fields.CharField(max_length=80)  # unique per tenant, never changed
    email = fields.CharField(max_length=254)  # stored lower-case; unique per tenant
    first_name = fields.CharField(max_length=100)
    last_name = fields.CharField(max_length=100)
    birthdate = fields.DateField(null=True)
    password_hash = fields.CharField(max_length=255, null=True)  # None until registered
    language = fields.CharField(max_length=5, null=True)  # de | en | None = browser
    is_active = fields.BooleanField(default=True, db_default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "user_account"
        unique_together = (("tenant", "username"), ("tenant", "email"))

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_admin(self) -> bool:
        return self.kind == "staff" and self.role == "admin"


class Session(TenantModel):
    """A login. The cookie carries a signed random id, the table only its SHA-256."""

    id = fields.CharField(max_length=64, primary_key=True)  # hex sha256 of the cookie secret
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="sessions", on_delete=fields.CASCADE
    )
    csrf_token = fields.CharField(max_length=64)
    created_at = fields.DatetimeField()
    last_seen_at = fields.DatetimeField()
    user_agent = fields.CharField(max_length=200, default="", db_default="")

    class Meta:
        table = "login_session"
        indexes = (("tenant_id", "user_id"),)
