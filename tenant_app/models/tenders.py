"""Tenders (Ausschreibungen) through a backoffice, and the offers of an advice case.

A backoffice is an outside service company at platform level: it is no tenant's, so its
rows are plain models. Its people are logins of the platform's own space (the tenant row
marked `is_platform`, served on the platform host), linked to it by `BackofficeMember`.
A tenant engages a backoffice (`BackofficeEngagement`, ended by `ended_at`), and only then
do that backoffice's people see the tenders the tenant hands to it, and only those.

A tender freezes the risk as it was started (`snapshot`, with the sha256 of its canonical
JSON as `snapshot_hash`): nothing in it changes afterwards. Its message module is a
conversation of kind "tender" that the backoffice opens with its first message.

Offers have one shape whatever their source (staff, API, insurer interface, tender). A
tender's offers are drafts until the backoffice releases them to the broker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from tenant_app.models.scoping import TenantModel

if TYPE_CHECKING:
    from tenant_app.models.accounts import User
    from tenant_app.models.cases import AdviceCase
    from tenant_app.models.conversations import Conversation
    from tenant_app.models.folders import Contract, Document


class Backoffice(Model):
    """An outside service company that collects insurer offers for the tenants engaging it."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200, unique=True)
    legal_form = fields.CharField(max_length=60, default="", db_default="")
    email = fields.CharField(max_length=254, default="", db_default="")  # told of new tenders
    # The service promise: working days to the first offers, per product line ("*": others).
    service_days: fields.Field[dict[str, int]] = fields.JSONField(default=dict)
    is_active = fields.BooleanField(default=True, db_default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "backoffice"


class BackofficeMember(Model):
    """A platform login (of kind backoffice) working for one backoffice."""

    id = fields.IntField(primary_key=True)
    backoffice: fields.ForeignKeyRelation[Backoffice] = fields.ForeignKeyField(
        "models.Backoffice", related_name="members", on_delete=fields.CASCADE
    )
    backoffice_id: int
    user: fields.OneToOneRelation[User] = fields.OneToOneField(
        "models.User", related_name="backoffice_membership", on_delete=fields.CASCADE
    )
    user_id: int
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "backoffice_member"


class BackofficeEngagement(TenantModel):
    """A tenant works with a backoffice from `started_at` until `ended_at` (None: still)."""

    id = fields.IntField(primary_key=True)
    backoffice: fields.ForeignKeyRelation[Backoffice] = fields.ForeignKeyField(
        "models.Backoffice", related_name="engagements", on_delete=fields.CASCADE
    )
    backoffice_id: int
    started_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="backoffice_engagements", null=True, on_delete=fields.SET_NULL
    )
    started_by_id: int | None
    started_at = fields.DatetimeField()
    ended_at = fields.DatetimeField(null=True)

    class Meta:
        table = "backoffice_engagement"
        unique_together = (("tenant", "backoffice"),)
        indexes = (("backoffice_id", "ended_at"),)


class Tender(TenantModel):
    """A product line of an advice case handed to a backoffice, with its risk frozen."""

    id = fields.IntField(primary_key=True)
    case: fields.ForeignKeyRelation[AdviceCase] = fields.ForeignKeyField(
        "models.AdviceCase", related_name="tenders", on_delete=fields.CASCADE
    )
    case_id: int
    product_line = fields.CharField(max_length=40)
    backoffice: fields.ForeignKeyRelation[Backoffice] = fields.ForeignKeyField(
        "models.Backoffice", related_name="tenders", on_delete=fields.RESTRICT
    )
    backoffice_id: int
    status = fields.CharField(max_length=12, default="new", db_default="new")  # TENDER_STATUSES
    reason = fields.TextField(default="", db_default="")  # why more, when offers were there
    # Customer, risk, answers to the line's questions, free texts and documents, as started.
    snapshot: fields.Field[dict[str, object]] = fields.JSONField(default=dict)
    snapshot_hash = fields.CharField(max_length=64)
    insurers_asked = fields.IntField(default=0, db_default=0)  # "x" in "0 of x insurers"
    due_at = fields.DatetimeField()  # from the backoffice's service promise
    assignee: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="assigned_tenders", null=True, on_delete=fields.SET_NULL
    )
    assignee_id: int | None  # a backoffice login (of the platform's space)
    conversation: fields.ForeignKeyNullableRelation[Conversation] = fields.ForeignKeyField(
        "models.Conversation", related_name="tenders", null=True, on_delete=fields.SET_NULL
    )
    conversation_id: int | None  # the message module, once the backoffice has written
    broker_read_count = fields.IntField(default=0, db_default=0)  # of conversation.entry_count
    backoffice_read_count = fields.IntField(default=0, db_default=0)
    started_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="started_tenders", null=True, on_delete=fields.SET_NULL
    )
    started_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    closed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "tender"
        indexes = (("tenant_id", "case_id"), ("backoffice_id", "status", "due_at"))

    @property
    def number(self) -> str:
        return f"A-{self.id:05d}"

    @property
    def document_ids(self) -> set[int]:
        """The documents the frozen risk hands over."""
        listed = self.snapshot.get("documents")
        items = listed if isinstance(listed, list) else []
        return {int(item["id"]) for item in items if isinstance(item, dict) and "id" in item}


class CaseOffer(TenantModel):
    """An insurer's offer for a product line of a case: premium, deductible, cover, validity."""

    id = fields.IntField(primary_key=True)
    case: fields.ForeignKeyRelation[AdviceCase] = fields.ForeignKeyField(
        "models.AdviceCase", related_name="offers", on_delete=fields.CASCADE
    )
    case_id: int
    product_line = fields.CharField(max_length=40)
    tender: fields.ForeignKeyNullableRelation[Tender] = fields.ForeignKeyField(
        "models.Tender", related_name="offers", null=True, on_delete=fields.CASCADE
    )
    tender_id: int | None
    source = fields.CharField(max_length=10)  # OFFER_SOURCES
    insurer_name = fields.CharField(max_length=200)  # without its legal form
    insurer_legal_form = fields.CharField(max_length=60, default="", db_default="")
    tariff = fields.CharField(max_length=200, default="", db_default="")
    premium = fields.DecimalField(max_digits=12, decimal_places=2)
    payment_frequency = fields.CharField(max_length=12)  # PAYMENT_FREQUENCIES
    deductible = fields.DecimalField(max_digits=12, decimal_places=2, null=True)
    sum_insured = fields.DecimalField(max_digits=14, decimal_places=2, null=True)
    cover_points: fields.Field[list[str]] = fields.JSONField(default=list)
    valid_until = fields.DateField(null=True)
    status = fields.CharField(max_length=10, default="released", db_default="released")
    document: fields.ForeignKeyNullableRelation[Document] = fields.ForeignKeyField(
        "models.Document", related_name="case_offers", null=True, on_delete=fields.SET_NULL
    )
    document_id: int | None  # the insurer's offer
    proposal: fields.ForeignKeyNullableRelation[Document] = fields.ForeignKeyField(
        "models.Document", related_name="proposed_offers", null=True, on_delete=fields.SET_NULL
    )
    proposal_id: int | None  # the proposal (Vorschlag) for the customer, once made
    cover_order: fields.ForeignKeyNullableRelation[Document] = fields.ForeignKeyField(
        "models.Document", related_name="ordered_offers", null=True, on_delete=fields.SET_NULL
    )
    cover_order_id: int | None  # the cover order (Deckungsauftrag) to the insurer
    contract: fields.ForeignKeyNullableRelation[Contract] = fields.ForeignKeyField(
        "models.Contract", related_name="case_offers", null=True, on_delete=fields.SET_NULL
    )
    contract_id: int | None  # what the chosen offer became in the customer's folder
    entered_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="entered_offers", null=True, on_delete=fields.SET_NULL
    )
    entered_by_id: int | None
    released_at = fields.DatetimeField(null=True)
    chosen_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "case_offer"
        indexes = (("tenant_id", "case_id"), ("tenant_id", "tender_id"))
