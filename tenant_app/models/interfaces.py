"""Insurer interfaces (seed 003): a firm's online accounts with insurers, its staff's agent
numbers, the insured objects on a contact, and the applications sent through a plug-in.

A plug-in (tenant_app/plugins) never touches these rows: the core calls it with what it
needs and stores what it answers. Credentials are stored only sealed (AES-GCM, the key from
the environment), never in the clear. Every exchange with an insurer is kept for support as
an `InterfaceCall`, without the credentials.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields

from tenant_app.models.scoping import TenantModel

if TYPE_CHECKING:
    from tenant_app.models.accounts import User
    from tenant_app.models.cases import AdviceCase
    from tenant_app.models.contacts import Contact
    from tenant_app.models.folders import Contract, Document


class InsurerAccount(TenantModel):
    """The firm's online account (Onlinekonto) with the insurer behind one plug-in."""

    id = fields.IntField(primary_key=True)
    plugin = fields.CharField(max_length=40)  # the plug-in's key
    is_active = fields.BooleanField(default=False, db_default=False)
    # "keyid:base64(nonce + ciphertext)" of the credentials' JSON, "" until entered.
    sealed_credentials = fields.TextField(default="", db_default="")
    # What the settings page may show of them: the user name, the password's length hidden.
    credentials_hint = fields.CharField(max_length=120, default="", db_default="")
    remind_on_new_object = fields.BooleanField(default=False, db_default=False)
    updated_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User",
        related_name="insurer_accounts_updated",
        null=True,
        on_delete=fields.SET_NULL,
    )
    updated_by_id: int | None
    version = fields.IntField(default=1, db_default=1)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "insurer_account"
        unique_together = (("tenant", "plugin"),)


class AgentNumber(TenantModel):
    """A staff member's agent number (Vermittlernummer) with the insurer of one plug-in."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="agent_numbers", on_delete=fields.CASCADE
    )
    user_id: int
    plugin = fields.CharField(max_length=40)
    number = fields.CharField(max_length=40)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "agent_number"
        unique_together = (("tenant", "user", "plugin"),)


class InsuredObject(TenantModel):
    """A risk kept on the contact (a bike, an e-bike, a battery): the product line's typed
    attributes, and whether it is insured (by which contract) or the customer declined."""

    id = fields.IntField(primary_key=True)
    contact: fields.ForeignKeyRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="insured_objects", on_delete=fields.CASCADE
    )
    contact_id: int
    product_line = fields.CharField(max_length=40)
    label = fields.CharField(max_length=200)  # "E-Bike Riese & Müller Charger4"
    attributes: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)
    # open | insured | declined (INSURANCE_STATES)
    insurance_state = fields.CharField(max_length=12, default="open", db_default="open")
    contract: fields.ForeignKeyNullableRelation[Contract] = fields.ForeignKeyField(
        "models.Contract", related_name="insured_objects", null=True, on_delete=fields.SET_NULL
    )
    contract_id: int | None
    declined_at = fields.DatetimeField(null=True)
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User",
        related_name="insured_objects_created",
        null=True,
        on_delete=fields.SET_NULL,
    )
    created_by_id: int | None
    version = fields.IntField(default=1, db_default=1)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "insured_object"
        indexes = (("tenant_id", "contact_id"),)


class InterfaceApplication(TenantModel):
    """An application (Antrag) for an insured object through a plug-in: the answers of its
    steps as a draft, then the insurer's application, the signature, the policy."""

    id = fields.IntField(primary_key=True)
    plugin = fields.CharField(max_length=40)
    contact: fields.ForeignKeyRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="interface_applications", on_delete=fields.CASCADE
    )
    contact_id: int
    insured_object: fields.ForeignKeyRelation[InsuredObject] = fields.ForeignKeyField(
        "models.InsuredObject", related_name="applications", on_delete=fields.CASCADE
    )
    insured_object_id: int
    case: fields.ForeignKeyNullableRelation[AdviceCase] = fields.ForeignKeyField(
        "models.AdviceCase",
        related_name="interface_applications",
        null=True,
        on_delete=fields.SET_NULL,
    )
    case_id: int | None
    # draft | submitted | signed | finalized | cancelled (APPLICATION_STATUSES)
    status = fields.CharField(max_length=12, default="draft", db_default="draft")
    step = fields.CharField(max_length=40, default="", db_default="")  # the step shown next
    answers: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)
    quote: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)  # the last tariff info
    agent_number = fields.CharField(max_length=40, default="", db_default="")
    # Sent with the submission so a retry after a lost answer makes no second application.
    idempotency_key = fields.CharField(max_length=64)
    external_id = fields.CharField(max_length=80, default="", db_default="")  # insurer's id
    paper: fields.ForeignKeyNullableRelation[Document] = fields.ForeignKeyField(
        "models.Document",
        related_name="applications_filed",
        null=True,
        on_delete=fields.SET_NULL,
    )
    paper_id: int | None
    signed_paper: fields.ForeignKeyNullableRelation[Document] = fields.ForeignKeyField(
        "models.Document",
        related_name="applications_signed",
        null=True,
        on_delete=fields.SET_NULL,
    )
    signed_paper_id: int | None
    signature = fields.CharField(max_length=8, default="", db_default="")  # upload | click
    # Click-to-sign: who confirmed what, when, from where (the consent as recorded).
    signature_record: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)
    signed_at = fields.DatetimeField(null=True)
    contract: fields.ForeignKeyNullableRelation[Contract] = fields.ForeignKeyField(
        "models.Contract",
        related_name="interface_applications",
        null=True,
        on_delete=fields.SET_NULL,
    )
    contract_id: int | None
    last_error = fields.TextField(default="", db_default="")  # what the user was told last
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User",
        related_name="interface_applications",
        null=True,
        on_delete=fields.SET_NULL,
    )
    created_by_id: int | None
    version = fields.IntField(default=1, db_default=1)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    finalized_at = fields.DatetimeField(null=True)

    class Meta:
        table = "interface_application"
        indexes = (("tenant_id", "contact_id"), ("tenant_id", "insured_object_id"))


class InterfaceCall(TenantModel):
    """One exchange with an insurer, kept for support: what was asked and answered (never
    the credentials), how long it took, and how it ended."""

    id = fields.IntField(primary_key=True)
    plugin = fields.CharField(max_length=40)
    application: fields.ForeignKeyNullableRelation[InterfaceApplication] = fields.ForeignKeyField(
        "models.InterfaceApplication",
        related_name="calls",
        null=True,
        on_delete=fields.CASCADE,
    )
    application_id: int | None
    operation = fields.CharField(max_length=20)  # quote | submit | finalize | document
    method = fields.CharField(max_length=8)
    url = fields.CharField(max_length=500)
    attempt = fields.IntField(default=1, db_default=1)
    status_code = fields.IntField(null=True)  # None: no answer (timeout, refused)
    request_body = fields.TextField(default="", db_default="")
    response_body = fields.TextField(default="", db_default="")  # binary answers summarized
    error = fields.CharField(max_length=300, default="", db_default="")
    duration_ms = fields.IntField(default=0, db_default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "interface_call"
        indexes = (("tenant_id", "application_id"), ("tenant_id", "created_at"))
