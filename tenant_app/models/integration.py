"""Linking the broker's own systems: API tokens, idempotent requests, webhook endpoints and
their deliveries (an outbox like the mail's), single-use jump-in links and CSV imports."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields

from tenant_app.models.scoping import TenantModel

if TYPE_CHECKING:
    from tenant_app.models.accounts import User


class ApiToken(TenantModel):
    """A tenant API token: shown once, kept as the sha256 of the secret. Each token acts as its
    own technical account (`user`, of kind api), so authorship and the trail name the token."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100)
    prefix = fields.CharField(max_length=16)  # the secret's first characters, to recognise it
    token_hash = fields.CharField(max_length=64, unique=True)
    scopes: fields.Field[list[str]] = fields.JSONField(default=list)  # e.g. "contacts:write"
    user: fields.OneToOneRelation[User] = fields.OneToOneField(
        "models.User", related_name="api_token", on_delete=fields.CASCADE
    )
    user_id: int
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="created_api_tokens", null=True, on_delete=fields.SET_NULL
    )
    created_by_id: int | None
    expires_at = fields.DatetimeField(null=True)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "api_token"
        unique_together = (("tenant", "name"),)


class IdempotentRequest(TenantModel):
    """The answer to a POST with an Idempotency-Key, replayed for a retry with the same key
    and body (another body under the same key is refused)."""

    id = fields.IntField(primary_key=True)
    token: fields.ForeignKeyRelation[ApiToken] = fields.ForeignKeyField(
        "models.ApiToken", related_name="idempotent_requests", on_delete=fields.CASCADE
    )
    token_id: int
    key = fields.CharField(max_length=200)
    request_hash = fields.CharField(max_length=64)  # sha256 of method, path and body
    status_code = fields.IntField(default=0, db_default=0)  # 0 while the first is running
    response_body = fields.TextField(default="", db_default="")
    response_headers: fields.Field[dict[str, str]] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "idempotent_request"
        unique_together = (("token", "key"),)
        indexes = (("tenant_id", "created_at"),)


class WebhookEndpoint(TenantModel):
    """Where the tenant wants events sent: a URL, the event types, and the signing secret."""

    id = fields.IntField(primary_key=True)
    url = fields.CharField(max_length=500)
    description = fields.CharField(max_length=200, default="", db_default="")
    event_types: fields.Field[list[str]] = fields.JSONField(default=list)  # [] = none
    secret = fields.CharField(max_length=100)  # "whsec_…", the Standard Webhooks form
    is_active = fields.BooleanField(default=True, db_default=True)
    disabled_at = fields.DatetimeField(null=True)  # switched off after failing too long
    disabled_reason = fields.CharField(max_length=300, default="", db_default="")
    failing_since = fields.DatetimeField(null=True)
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="webhook_endpoints", null=True, on_delete=fields.SET_NULL
    )
    created_by_id: int | None
    version = fields.IntField(default=1, db_default=1)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "webhook_endpoint"


class WebhookDelivery(TenantModel):
    """One event for one endpoint: written in the event transaction, sent by the background
    loop until the endpoint answers 2xx (at least once, `message_id` stays the same)."""

    id = fields.IntField(primary_key=True)
    endpoint: fields.ForeignKeyRelation[WebhookEndpoint] = fields.ForeignKeyField(
        "models.WebhookEndpoint", related_name="deliveries", on_delete=fields.CASCADE
    )
    endpoint_id: int
    message_id = fields.CharField(max_length=40)  # "msg_…", the same on every attempt
    event_type = fields.CharField(max_length=40)  # e.g. contract.updated
    payload = fields.TextField()  # the JSON body, fixed when the event happened
    status = fields.CharField(max_length=10, default="pending", db_default="pending")
    attempts = fields.IntField(default=0, db_default=0)
    next_attempt_at = fields.BigIntField(default=0, db_default=0)  # unix seconds
    locked_until = fields.BigIntField(default=0, db_default=0)  # unix seconds
    last_status_code = fields.IntField(null=True)
    last_error = fields.CharField(max_length=500, default="", db_default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    delivered_at = fields.DatetimeField(null=True)

    class Meta:
        table = "webhook_delivery"
        indexes = (("status", "next_attempt_at"), ("tenant_id", "endpoint_id", "created_at"))


class WebhookAttempt(TenantModel):
    """One try of a delivery, for the endpoint delivery log."""

    id = fields.IntField(primary_key=True)
    delivery: fields.ForeignKeyRelation[WebhookDelivery] = fields.ForeignKeyField(
        "models.WebhookDelivery", related_name="tries", on_delete=fields.CASCADE
    )
    delivery_id: int
    status_code = fields.IntField(null=True)  # None: no answer (refused, timeout)
    error = fields.CharField(max_length=500, default="", db_default="")
    duration_ms = fields.IntField(default=0, db_default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "webhook_attempt"
        indexes = (("tenant_id", "delivery_id"),)


class JumpLink(TenantModel):
    """A short-lived, single-use link the broker system asked for: it logs `user` into a
    page here (an advice case). Kept as the sha256 of the secret."""

    id = fields.IntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="jump_links", on_delete=fields.CASCADE
    )
    user_id: int
    target_type = fields.CharField(max_length=20)  # case | contact
    target_id = fields.IntField()
    created_by_token: fields.ForeignKeyNullableRelation[ApiToken] = fields.ForeignKeyField(
        "models.ApiToken", related_name="jump_links", null=True, on_delete=fields.CASCADE
    )
    created_by_token_id: int | None
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "jump_link"


class ImportJob(TenantModel):
    """A CSV import: the uploaded file, its column mapping, progress and the report."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=12)  # contacts | contracts
    filename = fields.CharField(max_length=200)
    storage_key = fields.CharField(max_length=200)  # the uploaded file, in the file storage
    encoding = fields.CharField(max_length=20, default="", db_default="")
    delimiter = fields.CharField(max_length=1, default="", db_default="")  # "" until detected
    mapping: fields.Field[dict[str, str]] = fields.JSONField(default=dict)  # field -> column
    status = fields.CharField(max_length=10, default="uploaded", db_default="uploaded")
    total_rows = fields.IntField(default=0, db_default=0)
    done_rows = fields.IntField(default=0, db_default=0)
    created_count = fields.IntField(default=0, db_default=0)
    updated_count = fields.IntField(default=0, db_default=0)
    failed_count = fields.IntField(default=0, db_default=0)
    report: fields.Field[list[dict[str, object]]] = fields.JSONField(default=list)  # row errors
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="import_jobs", null=True, on_delete=fields.SET_NULL
    )
    created_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "import_job"
        indexes = (("tenant_id", "created_at"),)
