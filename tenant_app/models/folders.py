"""The digital folder: customer permissions, contracts, documents, the insurer catalogue."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields

from tenant_app.models.scoping import TenantModel
from tenant_app.vocabulary import (  # noqa: F401 - the column values, defined once
    CONTRACT_STATUSES,
    PAYMENT_FREQUENCIES,
    PAYMENT_METHODS,
)
from tenant_app.vocabulary import FOLDERS as FOLDER_KEYS  # noqa: F401

if TYPE_CHECKING:
    from tenant_app.models.accounts import User
    from tenant_app.models.cases import AdviceCase
    from tenant_app.models.contacts import Contact


class CustomerAccess(TenantModel):
    """Everything a customer may see and do, one row per contact. All off by default."""

    id = fields.IntField(primary_key=True)
    contact: fields.OneToOneRelation[Contact] = fields.OneToOneField(
        "models.Contact", related_name="access", on_delete=fields.CASCADE
    )
    contact_id: int
    insurance_unlock = fields.BooleanField(default=False, db_default=False)
    insurance_share = fields.BooleanField(default=False, db_default=False)
    insurance_readonly = fields.BooleanField(default=False, db_default=False)
    finance_unlock = fields.BooleanField(default=False, db_default=False)
    finance_share = fields.BooleanField(default=False, db_default=False)
    finance_readonly = fields.BooleanField(default=False, db_default=False)
    other_unlock = fields.BooleanField(default=False, db_default=False)
    other_share = fields.BooleanField(default=False, db_default=False)
    other_readonly = fields.BooleanField(default=False, db_default=False)
    emergency_unlock = fields.BooleanField(default=False, db_default=False)
    emergency_share = fields.BooleanField(default=False, db_default=False)
    emergency_readonly = fields.BooleanField(default=False, db_default=False)
    profile_visible = fields.BooleanField(default=False, db_default=False)
    profile_editable = fields.BooleanField(default=False, db_default=False)
    communication = fields.BooleanField(default=False, db_default=False)
    version = fields.IntField(default=1, db_default=1)  # optimistic lock of the edit forms
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "customer_access"


class Insurer(TenantModel):
    """The tenant's insurer catalogue: common German insurers, editable by the admin."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200)
    sort_key = fields.CharField(max_length=200)  # lower-case name for A-Z and type-ahead

    class Meta:
        table = "insurer"
        unique_together = (("tenant", "name"),)
        indexes = (("tenant_id", "sort_key"),)


class Contract(TenantModel):
    id = fields.IntField(primary_key=True)
    contact: fields.ForeignKeyRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="contracts", on_delete=fields.CASCADE
    )
    contact_id: int
    folder = fields.CharField(max_length=12)  # one of FOLDER_KEYS
    status = fields.CharField(max_length=12)  # one of CONTRACT_STATUSES
    product_line = fields.CharField(max_length=100)  # Sparte
    insurer: fields.ForeignKeyNullableRelation[Insurer] = fields.ForeignKeyField(
        "models.Insurer", related_name="contracts", null=True, on_delete=fields.SET_NULL
    )
    insurer_id: int | None
    insurer_name = fields.CharField(max_length=200)  # kept as shown, even if the catalogue changes
    insurance_number = fields.CharField(max_length=60)
    payment_method = fields.CharField(max_length=20, default="", db_default="")
    payment_frequency = fields.CharField(max_length=20, default="", db_default="")
    gross_premium = fields.DecimalField(
        max_digits=12, decimal_places=2, null=True
    )  # EUR per period
    note = fields.TextField(default="", db_default="")
    valid_until = fields.DateField(null=True)  # an offer (Angebot) can be accepted until then
    created_by_customer = fields.BooleanField(default=False, db_default=False)
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="created_contracts", null=True, on_delete=fields.SET_NULL
    )
    created_by_id: int | None
    deleted_at = fields.DatetimeField(null=True)  # soft delete by a customer, staff can undo
    external_id = fields.CharField(max_length=100, null=True)  # the broker's system's id
    # Kept only for the law after an erasure (models/legal.py): hidden, deleted on the date.
    restricted_at = fields.DatetimeField(null=True)
    delete_after = fields.DateField(null=True)
    version = fields.IntField(default=1, db_default=1)  # optimistic lock of the edit forms
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "contract"
        unique_together = (("tenant", "external_id"),)
        indexes = (("tenant_id", "contact_id", "folder"), ("tenant_id", "updated_at"))


class Document(TenantModel):
    """A file on a contract, or directly on a contact (then `folder` may name its folder)."""

    id = fields.IntField(primary_key=True)
    contact: fields.ForeignKeyRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="documents", on_delete=fields.CASCADE
    )
    contact_id: int
    contract: fields.ForeignKeyNullableRelation[Contract] = fields.ForeignKeyField(
        "models.Contract", related_name="documents", null=True, on_delete=fields.CASCADE
    )
    contract_id: int | None
    folder = fields.CharField(max_length=12, default="", db_default="")  # "" = the contact itself
    title = fields.CharField(max_length=200)
    category = fields.CharField(max_length=40, default="", db_default="")
    document_date = fields.DateField(null=True)
    note = fields.TextField(default="", db_default="")
    filename = fields.CharField(max_length=200)  # cleaned original name, only for downloads
    storage_key = fields.CharField(max_length=200, unique=True)  # generated, never the user's name
    content_type = fields.CharField(max_length=100)
    size = fields.BigIntField()
    sha256 = fields.CharField(max_length=64)
    shared_with_customer = fields.BooleanField(default=True, db_default=True)
    uploaded_by_customer = fields.BooleanField(default=False, db_default=False)
    uploaded_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="uploaded_documents", null=True, on_delete=fields.SET_NULL
    )
    uploaded_by_id: int | None
    case: fields.ForeignKeyNullableRelation[AdviceCase] = fields.ForeignKeyField(
        "models.AdviceCase", related_name="documents", null=True, on_delete=fields.SET_NULL
    )
    case_id: int | None
    external_id = fields.CharField(max_length=100, null=True)  # the broker's system's id
    # Kept only for the law after an erasure (models/legal.py): hidden, deleted on the date.
    restricted_at = fields.DatetimeField(null=True)
    delete_after = fields.DateField(null=True)
    version = fields.IntField(default=1, db_default=1)  # optimistic lock of the edit forms
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(null=True, auto_now=True)  # null: not changed since 0014

    class Meta:
        table = "document"
        unique_together = (("tenant", "external_id"),)
        indexes = (("tenant_id", "contact_id", "folder"), ("tenant_id", "contract_id"))


class AuditEntry(TenantModel):
    """What happened, without personal data (erasure leaves this behind)."""

    id = fields.IntField(primary_key=True)
    action = fields.CharField(max_length=40)
    actor_id = fields.IntField(null=True)
    subject_id = fields.IntField(null=True)
    details = fields.CharField(max_length=300, default="", db_default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "audit_entry"
