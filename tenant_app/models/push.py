"""Web push: the installation's VAPID key pair and the browsers that subscribed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from tenant_app.models.scoping import TenantModel

if TYPE_CHECKING:
    from tenant_app.models.accounts import User


class VapidKey(Model):
    """The one VAPID key pair of this installation, made on first use (every tenant)."""

    id = fields.IntField(primary_key=True)
    private_key = fields.TextField()  # PEM
    public_key = fields.CharField(max_length=200)  # base64url, uncompressed point
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "vapid_key"


class PushSubscription(TenantModel):
    """A browser of an account that receives its notifications as push messages."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="push_subscriptions", on_delete=fields.CASCADE
    )
    user_id: int
    endpoint = fields.CharField(max_length=1000)
    endpoint_hash = fields.CharField(max_length=64)  # sha256 of the endpoint, for uniqueness
    p256dh = fields.CharField(max_length=200)
    auth = fields.CharField(max_length=100)
    user_agent = fields.CharField(max_length=200, default="", db_default="")
    failures = fields.IntField(default=0, db_default=0)
    last_sent_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "push_subscription"
        unique_together = (("tenant", "endpoint_hash"),)
        indexes = (("tenant_id", "user_id"),)
