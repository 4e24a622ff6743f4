"""Bringing customers in and keeping them: invitations (single and in batches, with the first
information for customers), offers accepted in the portal and offers the customer asks for."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields

from tenant_app.models.scoping import TenantModel

if TYPE_CHECKING:
    from tenant_app.models.accounts import User
    from tenant_app.models.contacts import Contact
    from tenant_app.models.conversations import Conversation
    from tenant_app.models.folders import Contract, Document


class InvitationBatch(TenantModel):
    """Several contacts invited with one dialog, worked through in chunks with a progress."""

    id = fields.IntField(primary_key=True)
    started_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="invitation_batches", null=True, on_delete=fields.SET_NULL
    )
    started_by_id: int | None
    # The dialog as submitted: share mode, categories, form of address, filled-in e-mails.
    options: fields.Field[dict[str, object]] = fields.JSONField(default=dict)
    contact_ids: fields.Field[list[int]] = fields.JSONField(default=list)  # in their order
    position = fields.IntField(default=0, db_default=0)  # how many contact_ids are done
    # One line per contact: outcome (invited, skipped, failed) and a reason.
    report: fields.Field[list[dict[str, object]]] = fields.JSONField(default=list)
    status = fields.CharField(max_length=10, default="queued", db_default="queued")
    heartbeat_at = fields.DatetimeField(null=True)  # a worker holds it until a while after this
    created_at = fields.DatetimeField(auto_now_add=True)
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "invitation_batch"
        indexes = (("tenant_id", "status"),)


class Invitation(TenantModel):
    """One invitation of a contact to the portal: how it was sent and what became of it."""

    id = fields.IntField(primary_key=True)
    contact: fields.ForeignKeyRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="invitations", on_delete=fields.CASCADE
    )
    contact_id: int
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="invitations", on_delete=fields.CASCADE
    )
    user_id: int  # the customer account invited
    invited_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="invitations_sent", null=True, on_delete=fields.SET_NULL
    )
    invited_by_id: int | None
    batch: fields.ForeignKeyNullableRelation[InvitationBatch] = fields.ForeignKeyField(
        "models.InvitationBatch", related_name="invitations", null=True, on_delete=fields.SET_NULL
    )
    batch_id: int | None
    address_form = fields.CharField(max_length=3)  # sie | du
    share_mode = fields.CharField(max_length=10)  # all | categories | none
    categories = fields.CharField(max_length=300, default="", db_default="")  # comma-list
    first_information: fields.ForeignKeyNullableRelation[Document] = fields.ForeignKeyField(
        "models.Document", related_name="invitations", null=True, on_delete=fields.SET_NULL
    )
    first_information_id: int | None  # the Erstinformation PDF filed on the contact
    mail_id = fields.IntField(null=True)  # the outbox mail: sent or failed is read there
    first_information_opened_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "invitation"
        indexes = (("tenant_id", "contact_id", "created_at"),)


class OfferAcceptance(TenantModel):
    """A customer accepted an offer: exactly what they were shown, who, when, from where."""

    id = fields.IntField(primary_key=True)
    contract: fields.ForeignKeyRelation[Contract] = fields.ForeignKeyField(
        "models.Contract", related_name="acceptances", on_delete=fields.CASCADE
    )
    contract_id: int
    contact: fields.ForeignKeyRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="offer_acceptances", on_delete=fields.CASCADE
    )
    contact_id: int
    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="offer_acceptances", null=True, on_delete=fields.SET_NULL
    )
    user_id: int | None
    user_name = fields.CharField(max_length=201)  # as it was then
    text = fields.TextField()  # the confirmation text exactly as shown
    client = fields.CharField(max_length=64, default="", db_default="")
    user_agent = fields.CharField(max_length=200, default="", db_default="")
    new_status = fields.CharField(max_length=12)
    receipt: fields.ForeignKeyNullableRelation[Document] = fields.ForeignKeyField(
        "models.Document", related_name="offer_receipts", null=True, on_delete=fields.SET_NULL
    )
    receipt_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "offer_acceptance"
        indexes = (("tenant_id", "contract_id"),)


class OfferRequest(TenantModel):
    """A customer asks for an offer for a product line: staff answer it with an offer."""

    id = fields.IntField(primary_key=True)
    contact: fields.ForeignKeyRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="offer_requests", on_delete=fields.CASCADE
    )
    contact_id: int
    requested_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="offer_requests", null=True, on_delete=fields.SET_NULL
    )
    requested_by_id: int | None
    product_line = fields.CharField(max_length=100)
    description = fields.TextField()
    status = fields.CharField(max_length=10, default="open", db_default="open")  # open|answered
    conversation: fields.ForeignKeyNullableRelation[Conversation] = fields.ForeignKeyField(
        "models.Conversation", related_name="offer_requests", null=True, on_delete=fields.SET_NULL
    )
    conversation_id: int | None  # the ticket that carries its attachments and the exchange
    offer: fields.ForeignKeyNullableRelation[Contract] = fields.ForeignKeyField(
        "models.Contract", related_name="offer_requests", null=True, on_delete=fields.SET_NULL
    )
    offer_id: int | None  # the offer that answered it
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "offer_request"
        indexes = (("tenant_id", "status", "created_at"), ("tenant_id", "contact_id"))
