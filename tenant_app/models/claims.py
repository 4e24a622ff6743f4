"""Claims (Schäden) a customer reports, with photos and documents, and their progress."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields

from tenant_app.models.scoping import TenantModel
from tenant_app.vocabulary import CLAIM_KINDS, CLAIM_STATUSES  # noqa: F401 - the column values

if TYPE_CHECKING:
    from tenant_app.models.accounts import User
    from tenant_app.models.contacts import Contact
    from tenant_app.models.folders import Contract


class Claim(TenantModel):
    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=20)  # shown and quoted, unique per tenant
    contact: fields.ForeignKeyRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="claims", on_delete=fields.CASCADE
    )
    contact_id: int
    contract: fields.ForeignKeyNullableRelation[Contract] = fields.ForeignKeyField(
        "models.Contract", related_name="claims", null=True, on_delete=fields.SET_NULL
    )
    contract_id: int | None
    loss_date = fields.DateField()
    kind = fields.CharField(max_length=20)  # one of CLAIM_KINDS
    description = fields.TextField()
    location = fields.CharField(max_length=200, default="", db_default="")
    status = fields.CharField(max_length=12, default="reported", db_default="reported")
    note_to_customer = fields.TextField(default="", db_default="")  # the broker's word on it
    responsible: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="responsible_claims", null=True, on_delete=fields.SET_NULL
    )
    responsible_id: int | None
    reported_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="reported_claims", null=True, on_delete=fields.SET_NULL
    )
    reported_by_id: int | None
    by_customer = fields.BooleanField(default=True, db_default=True)
    version = fields.IntField(default=1, db_default=1)  # optimistic lock of the edit forms
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "claim"
        unique_together = (("tenant", "number"),)
        indexes = (
            ("tenant_id", "created_at"),
            ("tenant_id", "contact_id", "created_at"),
            ("tenant_id", "status", "responsible_id"),
        )


class ClaimFile(TenantModel):
    """A photo (re-encoded, with a thumbnail made once) or a document of a claim."""

    id = fields.IntField(primary_key=True)
    claim: fields.ForeignKeyRelation[Claim] = fields.ForeignKeyField(
        "models.Claim", related_name="files", on_delete=fields.CASCADE
    )
    claim_id: int
    kind = fields.CharField(max_length=10)  # photo | document
    filename = fields.CharField(max_length=200)  # cleaned original name, only for downloads
    storage_key = fields.CharField(max_length=200, unique=True)
    thumbnail_key = fields.CharField(max_length=200, null=True)
    content_type = fields.CharField(max_length=100)
    size = fields.BigIntField()
    sha256 = fields.CharField(max_length=64)
    uploaded_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="claim_files", null=True, on_delete=fields.SET_NULL
    )
    uploaded_by_id: int | None
    # An office record (a chat transcript filed at the claim): staff see it, customers never.
    staff_only = fields.BooleanField(default=False, db_default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "claim_file"
        indexes = (("tenant_id", "claim_id"),)
