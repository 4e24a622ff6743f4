"""Conversations: tickets and chats between a customer and staff, and tenders' message
modules between the broker and a backoffice (kind "tender", entries `from_backoffice`).

A conversation has participants (each with a read counter), entries (what was written)
and events (what happened: created, replied, forwarded, read, closed), all stored as rows.

A chat is one conversation per contact (`chat_contact_id`, unique per tenant), open or
archived; its `responsible` is the chat operator. Its entries carry the sender's own key
(`client_key`, so that a message sent twice is stored once) and their position (`seq`),
which the participants' read and delivered counters are compared with. Internal notes are
entries marked `internal`: staff see them in the conversation, customers never do, and they
take no position.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields

from tenant_app.models.scoping import TenantModel

if TYPE_CHECKING:
    from tenant_app.models.accounts import User
    from tenant_app.models.claims import Claim
    from tenant_app.models.contacts import Contact
    from tenant_app.models.folders import Contract, Document

CONVERSATION_KINDS = ("ticket", "chat", "tender")
EVENT_KINDS = ("created", "replied", "forwarded", "read", "closed", "note", "archived", "reopened")


class Conversation(TenantModel):
    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=12, default="ticket", db_default="ticket")
    contact: fields.ForeignKeyRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="conversations", on_delete=fields.CASCADE
    )
    contact_id: int
    subject = fields.CharField(max_length=200)
    # open | closed (tickets) | archived (chats)
    status = fields.CharField(max_length=10, default="open", db_default="open")
    # Chats only: the contact again, so that each contact has one chat (NULL for tickets).
    chat_contact_id = fields.IntField(null=True)
    responsible: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User",
        related_name="responsible_conversations",
        null=True,
        on_delete=fields.SET_NULL,
    )
    responsible_id: int | None
    # What the ticket is about, when it began there: an offer or a claim.
    contract: fields.ForeignKeyNullableRelation[Contract] = fields.ForeignKeyField(
        "models.Contract", related_name="conversations", null=True, on_delete=fields.SET_NULL
    )
    contract_id: int | None
    claim: fields.ForeignKeyNullableRelation[Claim] = fields.ForeignKeyField(
        "models.Claim", related_name="conversations", null=True, on_delete=fields.SET_NULL
    )
    claim_id: int | None
    entry_count = fields.IntField(default=0, db_default=0)  # compared with participants' read_count
    last_entry_by_customer = fields.BooleanField(default=False, db_default=False)
    last_entry_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)  # closed (tickets) or archived (chats)
    # Kept only for the law after an erasure (models/legal.py): hidden, deleted on the date.
    restricted_at = fields.DatetimeField(null=True)
    delete_after = fields.DateField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "conversation"
        unique_together = (("tenant", "chat_contact_id"),)
        indexes = (
            ("tenant_id", "status", "responsible_id"),
            ("tenant_id", "contact_id"),
            # the lists' order (newest first is this index read backwards): with the id, a
            # page of 200 is read in order and joined row by row instead of all sorted
            ("tenant_id", "kind", "status", "last_entry_at", "id"),
        )


class ConversationParticipant(TenantModel):
    """Who takes part, and how far they have read (entries read = read_count)."""

    id = fields.IntField(primary_key=True)
    conversation: fields.ForeignKeyRelation[Conversation] = fields.ForeignKeyField(
        "models.Conversation", related_name="participants", on_delete=fields.CASCADE
    )
    conversation_id: int
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="conversation_seats", on_delete=fields.CASCADE
    )
    user_id: int
    role = fields.CharField(max_length=10)  # customer | staff
    read_count = fields.IntField(default=0, db_default=0)
    delivered_count = fields.IntField(default=0, db_default=0)  # chats: reached a page of theirs

    class Meta:
        table = "conversation_participant"
        unique_together = (("conversation", "user"),)
        indexes = (("tenant_id", "user_id"),)


class ConversationEntry(TenantModel):
    """One message: plain text (escaped and autolinked on output), maybe with a document."""

    id = fields.IntField(primary_key=True)
    conversation: fields.ForeignKeyRelation[Conversation] = fields.ForeignKeyField(
        "models.Conversation", related_name="entries", on_delete=fields.CASCADE
    )
    conversation_id: int
    author: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="conversation_entries", null=True, on_delete=fields.SET_NULL
    )
    author_id: int | None
    by_customer = fields.BooleanField(default=False, db_default=False)
    body = fields.TextField()
    document: fields.ForeignKeyNullableRelation[Document] = fields.ForeignKeyField(
        "models.Document", related_name="conversation_entries", null=True, on_delete=fields.SET_NULL
    )
    document_id: int | None
    client_key = fields.CharField(max_length=36, null=True)  # chats: the sender's message id
    seq = fields.IntField(null=True)  # chats: the position among the customer-visible entries
    internal = fields.BooleanField(default=False, db_default=False)  # chats: a staff-only note
    from_backoffice = fields.BooleanField(default=False, db_default=False)  # tenders: its side
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "conversation_entry"
        unique_together = (("conversation", "client_key"),)
        # (tenant_id, document_id): a download asks whether a ticket carries its document
        indexes = (("tenant_id", "conversation_id"), ("tenant_id", "document_id"))


class ConversationEvent(TenantModel):
    """The history (Historie): every event as its own row, never reconstructed."""

    id = fields.IntField(primary_key=True)
    conversation: fields.ForeignKeyRelation[Conversation] = fields.ForeignKeyField(
        "models.Conversation", related_name="events", on_delete=fields.CASCADE
    )
    conversation_id: int
    kind = fields.CharField(max_length=12)  # one of EVENT_KINDS
    actor: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="conversation_events", null=True, on_delete=fields.SET_NULL
    )
    actor_id: int | None
    actor_name = fields.CharField(max_length=200)  # kept as it was when it happened
    target_name = fields.CharField(max_length=200, default="", db_default="")  # forwarded to
    comment = fields.TextField(default="", db_default="")
    internal = fields.BooleanField(default=False, db_default=False)  # staff only, never customers
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "conversation_event"
        indexes = (("tenant_id", "conversation_id"),)
