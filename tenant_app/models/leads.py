"""Prospects from the public page Kunde werden: kept apart from contacts until staff take
them on (a contact needs a birthdate, which a prospect does not give)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields

from tenant_app.models.scoping import TenantModel

if TYPE_CHECKING:
    from tenant_app.models.contacts import Contact


class Lead(TenantModel):
    """A prospect (Interessent): unconfirmed until the opt-in link in the mail is opened."""

    id = fields.IntField(primary_key=True)
    first_name = fields.CharField(max_length=100)
    last_name = fields.CharField(max_length=100)
    email = fields.CharField(max_length=254)  # lower-case
    phone = fields.CharField(max_length=40, default="", db_default="")
    interest = fields.CharField(max_length=100)  # a product line key, or other
    message = fields.TextField(default="", db_default="")
    consent_text = fields.TextField()  # the consent exactly as shown
    client = fields.CharField(max_length=64, default="", db_default="")
    token_hash = fields.CharField(max_length=64, unique=True)  # the opt-in link, as a hash
    confirmed_at = fields.DatetimeField(null=True)
    status = fields.CharField(max_length=10, default="pending", db_default="pending")
    referred_by: fields.ForeignKeyNullableRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="referrals", null=True, on_delete=fields.SET_NULL
    )
    referred_by_id: int | None
    contact: fields.ForeignKeyNullableRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="leads", null=True, on_delete=fields.SET_NULL
    )
    contact_id: int | None  # the contact staff made of it
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "lead"
        indexes = (("tenant_id", "status", "created_at"),)
