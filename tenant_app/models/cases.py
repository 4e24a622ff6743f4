"""Advice cases (Vorgänge): one record per advice given to a contact, kept after completion.
Tenders and insurer interfaces build on it: a case has risks (insured objects) whose typed
attributes depend on the product line, documents, a status, and later the chosen offer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields

from tenant_app.models.scoping import TenantModel

if TYPE_CHECKING:
    from tenant_app.models.accounts import User
    from tenant_app.models.contacts import Contact
    from tenant_app.models.folders import Contract


class AdviceCase(TenantModel):
    """One advice for a contact (Vorgang): product lines, risk data, status, notes."""

    id = fields.IntField(primary_key=True)
    contact: fields.ForeignKeyRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="cases", on_delete=fields.CASCADE
    )
    contact_id: int
    title = fields.CharField(max_length=200)
    product_lines: fields.Field[list[str]] = fields.JSONField(default=list)  # PRODUCT_LINES keys
    status = fields.CharField(max_length=12, default="open", db_default="open")  # CASE_STATUSES
    description = fields.TextField(default="", db_default="")  # the need, in free text
    notes = fields.TextField(default="", db_default="")  # internal, never shown to the customer
    external_id = fields.CharField(max_length=100, null=True)  # the broker's system's id
    responsible: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="responsible_cases", null=True, on_delete=fields.SET_NULL
    )
    responsible_id: int | None
    chosen_contract: fields.ForeignKeyNullableRelation[Contract] = fields.ForeignKeyField(
        "models.Contract", related_name="cases", null=True, on_delete=fields.SET_NULL
    )
    chosen_contract_id: int | None
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="created_cases", null=True, on_delete=fields.SET_NULL
    )
    created_by_id: int | None
    version = fields.IntField(default=1, db_default=1)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    completed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "advice_case"
        unique_together = (("tenant", "external_id"),)
        indexes = (("tenant_id", "contact_id"), ("tenant_id", "updated_at"))


class CaseRisk(TenantModel):
    """A risk or insured object of a case (a car, a building, a person) with the attributes
    its product line defines, typed and checked by the case service."""

    id = fields.IntField(primary_key=True)
    case: fields.ForeignKeyRelation[AdviceCase] = fields.ForeignKeyField(
        "models.AdviceCase", related_name="risks", on_delete=fields.CASCADE
    )
    case_id: int
    product_line = fields.CharField(max_length=40)
    label = fields.CharField(max_length=200)  # "VW Golf, B-XY 123"
    attributes: fields.Field[dict[str, object]] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "case_risk"
        indexes = (("tenant_id", "case_id"),)
