"""Customers of a broker (Kontakte)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields

from tenant_app.models.scoping import TenantModel
from tenant_app.vocabulary import company_display

if TYPE_CHECKING:
    from tenant_app.models.accounts import User


class Contact(TenantModel):
    id = fields.IntField(primary_key=True)
    first_name = fields.CharField(max_length=100)
    last_name = fields.CharField(max_length=100)
    birthdate = fields.DateField()
    email = fields.CharField(max_length=254)  # lower-case
    company_name = fields.CharField(max_length=200, default="", db_default="")  # without legal form
    legal_form = fields.CharField(
        max_length=40, default="", db_default=""
    )  # e.g. GmbH, stored apart
    street = fields.CharField(max_length=200, default="", db_default="")
    postal_code = fields.CharField(max_length=10, default="", db_default="")
    city = fields.CharField(max_length=100, default="", db_default="")
    country = fields.CharField(max_length=2, default="DE", db_default="DE")  # ISO 3166-1 alpha-2
    phone = fields.CharField(max_length=40, default="", db_default="")
    customer_number = fields.CharField(max_length=40, default="", db_default="")
    external_id = fields.CharField(max_length=100, null=True)  # the broker's system's id
    # The end of the business relationship: retention periods count from it.
    relationship_ended_on = fields.DateField(null=True)
    # Kept only for the law after an erasure (models/legal.py): hidden, deleted on the date.
    restricted_at = fields.DatetimeField(null=True)
    delete_after = fields.DateField(null=True)
    version = fields.IntField(default=1, db_default=1)  # optimistic lock of the edit forms
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "contact"
        unique_together = (("tenant", "external_id"),)
        # One per sort of the staff list, so each page 1 reads 25 index entries, not the tenant.
        # The trigram index for the search is PostgreSQL-only: migrations/0006_contact_search.py.
        indexes = (
            ("tenant_id", "last_name", "first_name"),
            ("tenant_id", "email"),
            ("tenant_id", "customer_number", "last_name"),
            ("tenant_id", "created_at"),
            ("tenant_id", "updated_at"),  # incremental sync of the API (updated_since)
        )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def company_display(self) -> str:
        return company_display(self.company_name, self.legal_form)


class ContactResponsible(TenantModel):
    """A staff member responsible for a contact (Betreuer).

    Staff who may not see all contacts see exactly these.
    """

    id = fields.IntField(primary_key=True)
    contact: fields.ForeignKeyRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="responsibles", on_delete=fields.CASCADE
    )
    contact_id: int
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="responsible_for", on_delete=fields.CASCADE
    )
    user_id: int

    class Meta:
        table = "contact_responsible"
        unique_together = (("contact", "user"),)
        indexes = (("tenant_id", "user_id", "contact_id"),)  # "only my contacts", index-only


class ContactNotice(TenantModel):
    """Something staff must act on for a contact: a link died from wrong PINs, a mail bounced."""

    id = fields.IntField(primary_key=True)
    contact: fields.ForeignKeyRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="notices", on_delete=fields.CASCADE
    )
    contact_id: int
    kind = fields.CharField(max_length=30)  # link_locked | mail_failed
    details = fields.CharField(max_length=300, default="", db_default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    resolved_at = fields.DatetimeField(null=True)

    class Meta:
        table = "contact_notice"
        indexes = (("tenant_id", "contact_id"),)
