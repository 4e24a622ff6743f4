"""The operator's side of the platform: what operators did to tenants, and the support
requests tenant admins send the operator ("send us an issue")."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from tenant_app.models.accounts import User
from tenant_app.models.scoping import TenantModel
from tenant_app.models.tenancy import Tenant


class OperatorAction(Model):
    """One operator action on the platform (a tenant made, suspended, reactivated, deleted,
    a support answer): platform-wide, so a plain model. The names are kept as they were, so
    the audit outlives a deleted tenant or operator."""

    id = fields.IntField(primary_key=True)
    operator: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    operator_id: int | None
    operator_name = fields.CharField(max_length=200)
    action = fields.CharField(max_length=40)  # e.g. tenant_suspended
    tenant: fields.ForeignKeyNullableRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    tenant_id: int | None
    tenant_name = fields.CharField(max_length=200, default="", db_default="")
    detail = fields.TextField(default="", db_default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "operator_action"
        indexes = (("created_at",),)


class SupportRequest(TenantModel):
    """A tenant admin's request to the platform's operator, with its entries."""

    id = fields.IntField(primary_key=True)
    subject = fields.CharField(max_length=200)
    status = fields.CharField(max_length=10, default="open", db_default="open")  # open | closed
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_by_id: int | None
    created_by_name = fields.CharField(max_length=200)
    last_entry_at = fields.DatetimeField(null=True)
    last_entry_by_operator = fields.BooleanField(default=False, db_default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "support_request"
        indexes = (("tenant_id", "status"), ("status", "last_entry_at"))


class SupportEntry(TenantModel):
    """A message of a support request, from the tenant's admin or the operator, with an
    optional screenshot (a stored image, its key under the tenant)."""

    id = fields.IntField(primary_key=True)
    request: fields.ForeignKeyRelation[SupportRequest] = fields.ForeignKeyField(
        "models.SupportRequest", related_name="entries", on_delete=fields.CASCADE
    )
    request_id: int
    author: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    author_id: int | None
    author_name = fields.CharField(max_length=200)
    by_operator = fields.BooleanField(default=False, db_default=False)
    body = fields.TextField()
    screenshot_key = fields.CharField(max_length=200, null=True)
    screenshot_type = fields.CharField(max_length=40, default="", db_default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "support_entry"
