"""The outbox: every mail is written here in the transaction that caused it."""

from __future__ import annotations

from tortoise import fields

from tenant_app.models.scoping import TenantModel


class OutboxMail(TenantModel):
    id = fields.IntField(primary_key=True)
    to_address = fields.CharField(max_length=254)
    subject = fields.CharField(max_length=250)
    text_body = fields.TextField()
    html_body = fields.TextField()
    status = fields.CharField(max_length=10, default="pending", db_default="pending")  # sent|failed
    kind = fields.CharField(max_length=40, default="", db_default="")  # the mail template
    contact_id = fields.IntField(null=True)  # the customer it concerns (export, erasure, bounces)
    user_id = fields.IntField(null=True)  # the account it was sent to, if any
    attempts = fields.IntField(default=0, db_default=0)
    next_attempt_at = fields.BigIntField(default=0, db_default=0)  # unix seconds
    locked_until = fields.BigIntField(default=0, db_default=0)  # unix seconds, claim of a worker
    locked_by = fields.CharField(max_length=40, default="", db_default="")
    last_error = fields.CharField(max_length=500, default="", db_default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "outbox_mail"
        indexes = (("status", "next_attempt_at"), ("tenant_id", "contact_id"))
