"""The broker's legal duties as data: retention and legal holds, the data-protection
requests customers make, consent to special categories of data, the data-processing
agreement (AVV) the platform publishes and each tenant accepts, and the advice
documentation (Beratungsdokumentation) of an advice case.

Retention (§ 257 HGB, § 147 AO, § 61 VVG): a tenant may lengthen a class's period
(`RetentionRule`), never shorten it below the legal minimum the code knows. What an
erasure must keep is restricted (`restricted_at` on the contact, contract, document and
conversation) and deleted by the scheduler once its `delete_after` date has come, unless a
`LegalHold` stops it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from tenant_app.models.scoping import TenantModel

if TYPE_CHECKING:
    from tenant_app.models.accounts import User
    from tenant_app.models.cases import AdviceCase
    from tenant_app.models.contacts import Contact
    from tenant_app.models.folders import Document


class RetentionRule(TenantModel):
    """A tenant's own period for one retention class, longer than the legal minimum."""

    id = fields.IntField(primary_key=True)
    retention_class = fields.CharField(max_length=40)  # one of vocabulary.RETENTION_CLASSES
    years = fields.IntField()
    updated_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "retention_rule"
        unique_together = (("tenant", "retention_class"),)


class LegalHold(TenantModel):
    """Stops every deletion of a contact (all that is theirs) or of one document while it
    is not released. The services refuse the deletion: the cascade here only serves the
    removal of a whole tenant."""

    id = fields.IntField(primary_key=True)
    contact: fields.ForeignKeyRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="legal_holds", on_delete=fields.CASCADE
    )
    contact_id: int
    document: fields.ForeignKeyNullableRelation[Document] = fields.ForeignKeyField(
        "models.Document", related_name="legal_holds", null=True, on_delete=fields.CASCADE
    )
    document_id: int | None  # None: the whole contact
    reason = fields.TextField()
    set_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    set_by_id: int | None
    set_by_name = fields.CharField(max_length=200, default="", db_default="")  # kept as shown
    created_at = fields.DatetimeField(auto_now_add=True)
    released_at = fields.DatetimeField(null=True)
    released_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    released_by_id: int | None

    class Meta:
        table = "legal_hold"
        indexes = (("tenant_id", "contact_id", "released_at"),)


class DataRequest(TenantModel):
    """A data subject's request (Art. 15 / 17 GDPR) made in the portal or noted by staff,
    due within one month (Art. 12 (3))."""

    id = fields.IntField(primary_key=True)
    contact: fields.ForeignKeyRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="data_requests", on_delete=fields.CASCADE
    )
    contact_id: int  # an erasure's own request goes with the contact (the audit keeps it)
    kind = fields.CharField(max_length=10)  # one of vocabulary.DATA_REQUEST_KINDS
    status = fields.CharField(
        max_length=10, default="open", db_default="open"
    )  # DATA_REQUEST_STATUSES
    requested_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    requested_by_id: int | None
    message = fields.TextField(default="", db_default="")  # the customer's own words
    due_on = fields.DateField()
    handled_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    handled_by_id: int | None
    handled_at = fields.DatetimeField(null=True)
    outcome = fields.TextField(default="", db_default="")  # what was deleted, what kept until when
    export_key = fields.CharField(max_length=200, null=True)  # the archive for the customer
    export_size = fields.BigIntField(null=True)
    export_expires_at = fields.DatetimeField(null=True)
    version = fields.IntField(default=1, db_default=1)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "data_request"
        indexes = (("tenant_id", "status", "due_on"), ("tenant_id", "contact_id"))


class ConsentRecord(TenantModel):
    """Consent to processing special categories of data (Art. 9 GDPR), e.g. health data for
    life, disability and health insurance: which text, when, by which account, withdrawn."""

    id = fields.IntField(primary_key=True)
    contact: fields.ForeignKeyRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="consents", on_delete=fields.CASCADE
    )
    contact_id: int
    kind = fields.CharField(max_length=20)  # one of vocabulary.CONSENT_KINDS
    text_version = fields.CharField(max_length=20)
    given_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    given_by_id: int | None
    given_at = fields.DatetimeField(auto_now_add=True)
    withdrawn_at = fields.DatetimeField(null=True)
    withdrawn_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    withdrawn_by_id: int | None

    class Meta:
        table = "consent_record"
        indexes = (("tenant_id", "contact_id", "kind"),)


class DpaVersion(Model):
    """A version of the data-processing agreement (AVV, Art. 28 GDPR) the operator publishes
    for every tenant: platform-wide, so a plain model."""

    id = fields.IntField(primary_key=True)
    version = fields.CharField(max_length=20, unique=True)
    text = fields.TextField()  # sanitized rich text
    published_at = fields.DatetimeField(null=True)  # None: a draft the operator still edits
    published_by_name = fields.CharField(max_length=200, default="", db_default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "dpa_version"


class DpaAcceptance(TenantModel):
    """A tenant admin's acceptance of one AVV version: who, when, which."""

    id = fields.IntField(primary_key=True)
    dpa: fields.ForeignKeyRelation[DpaVersion] = fields.ForeignKeyField(
        "models.DpaVersion", related_name="acceptances", on_delete=fields.RESTRICT
    )
    dpa_id: int
    accepted_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    accepted_by_id: int | None
    accepted_by_name = fields.CharField(max_length=200)  # kept as it was
    accepted_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "dpa_acceptance"
        unique_together = (("tenant", "dpa"),)


class AdviceRecord(TenantModel):
    """One version of an advice case's documentation (§§ 61, 62 VVG): the customer's wishes
    and needs, the advice and its reasons. A draft can be edited; once delivered it never
    changes, and a change makes the next version."""

    id = fields.IntField(primary_key=True)
    case: fields.ForeignKeyRelation[AdviceCase] = fields.ForeignKeyField(
        "models.AdviceCase", related_name="advice_records", on_delete=fields.CASCADE
    )
    case_id: int
    number = fields.IntField()  # 1, 2, ... per case
    wishes = fields.TextField(default="", db_default="")  # Wünsche und Bedürfnisse
    advice = fields.TextField(default="", db_default="")  # the advice given
    reasons = fields.TextField(default="", db_default="")  # the reasons for it
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    created_by_id: int | None
    delivered_at = fields.DatetimeField(null=True)
    delivered_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    delivered_by_id: int | None
    document: fields.ForeignKeyNullableRelation[Document] = fields.ForeignKeyField(
        "models.Document", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    document_id: int | None  # the PDF filed in the customer's folder on delivery
    read_at = fields.DatetimeField(null=True)  # the customer first opened it
    version = fields.IntField(default=1, db_default=1)  # edit lock of the draft
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "advice_record"
        unique_together = (("case", "number"),)
