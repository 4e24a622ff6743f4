"""Logins that serve more contacts than their own (households), and trusted persons who may
reach a contact's emergency folder."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields

from tenant_app.models.scoping import TenantModel

if TYPE_CHECKING:
    from tenant_app.models.accounts import User
    from tenant_app.models.contacts import Contact
    from tenant_app.models.folders import Document


class ContactLink(TenantModel):
    """A login managing another contact's folders (a parent for a child). The rights are the
    linked contact's own permissions, set by staff on that contact."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="contact_links", on_delete=fields.CASCADE
    )
    user_id: int
    contact: fields.ForeignKeyRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="login_links", on_delete=fields.CASCADE
    )
    contact_id: int
    consent_note = fields.TextField(default="", db_default="")  # the contact's consent, as told
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="created_contact_links", null=True, on_delete=fields.SET_NULL
    )
    created_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "contact_link"
        unique_together = (("tenant", "user", "contact"),)
        indexes = (("tenant_id", "contact_id"),)


class TrustedPerson(TenantModel):
    """Someone a customer named for their emergency folder (Vertrauensperson).

    status: invited (no login yet) | ready (registered) | requested (waiting period runs)
    | open (may read the emergency folder) | revoked (removed by the customer).
    """

    id = fields.IntField(primary_key=True)
    contact: fields.ForeignKeyRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="trusted_persons", on_delete=fields.CASCADE
    )
    contact_id: int
    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="trusts", null=True, on_delete=fields.SET_NULL
    )
    user_id: int | None
    first_name = fields.CharField(max_length=100)
    last_name = fields.CharField(max_length=100)
    email = fields.CharField(max_length=254)  # lower-case
    birthdate = fields.DateField()
    wait_days = fields.IntField(default=7, db_default=7)
    status = fields.CharField(max_length=10, default="invited", db_default="invited")
    requested_at = fields.DatetimeField(null=True)
    opens_at = fields.DatetimeField(null=True)  # end of the waiting period
    opened_at = fields.DatetimeField(null=True)
    version = fields.IntField(default=1, db_default=1)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "trusted_person"
        indexes = (("tenant_id", "contact_id"), ("tenant_id", "user_id"))

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class TrustEvent(TenantModel):
    """One step of a trusted person's access, as the customer's audit trail shows it."""

    id = fields.IntField(primary_key=True)
    trusted_person: fields.ForeignKeyRelation[TrustedPerson] = fields.ForeignKeyField(
        "models.TrustedPerson", related_name="events", on_delete=fields.CASCADE
    )
    trusted_person_id: int
    kind = fields.CharField(max_length=12)  # named | registered | requested | vetoed | opened ...
    actor: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="trust_events", null=True, on_delete=fields.SET_NULL
    )
    actor_id: int | None
    actor_name = fields.CharField(max_length=200, default="", db_default="")
    note = fields.TextField(default="", db_default="")
    document: fields.ForeignKeyNullableRelation[Document] = fields.ForeignKeyField(
        "models.Document", related_name="trust_events", null=True, on_delete=fields.SET_NULL
    )
    document_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "trust_event"
        indexes = (("tenant_id", "trusted_person_id"),)
