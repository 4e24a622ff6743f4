"""The event stream: every change that matters, recorded once in the transaction that makes
it, and the notifications it gives. The staff's activity feed, the bell, the mails of unread
notifications and the customer's access trail are all read from here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields

from tenant_app.models.scoping import TenantModel

if TYPE_CHECKING:
    from tenant_app.models.accounts import User
    from tenant_app.models.contacts import Contact


class Event(TenantModel):
    """One thing that happened: who (a staff member, a customer or the system), to which
    contact and object, and for edits each changed field's old and new value."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=40)  # one of events.KINDS
    actor: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="events", null=True, on_delete=fields.SET_NULL
    )
    actor_id: int | None
    actor_kind = fields.CharField(max_length=10)  # staff | customer | system
    actor_name = fields.CharField(max_length=201, default="", db_default="")  # as it was then
    contact: fields.ForeignKeyNullableRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="events", null=True, on_delete=fields.CASCADE
    )
    contact_id: int | None
    object_type = fields.CharField(max_length=20, default="", db_default="")  # contract, ...
    object_id = fields.IntField(null=True)
    folder = fields.CharField(max_length=12, default="", db_default="")  # for folder rights
    title = fields.CharField(max_length=200, default="", db_default="")  # what it is about
    changes: fields.Field[dict[str, list[object]] | None] = fields.JSONField(
        null=True
    )  # {column: [old, new]} of an edit, stored values
    checked_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="checked_events", null=True, on_delete=fields.SET_NULL
    )
    checked_by_id: int | None
    checked_at = fields.DatetimeField(null=True)  # "geprüft" in the staff's activity feed
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "activity_event"
        # Besides these, migration 0012 adds a partial index on the unchecked customer
        # actions, which every page's header counts (an ORM index has no WHERE).
        indexes = (
            ("tenant_id", "contact_id", "created_at"),
            ("tenant_id", "actor_kind", "created_at"),
            ("tenant_id", "object_type", "object_id"),
        )


class Notification(TenantModel):
    """An event told to one account: unread until read in the portal, and mailed when it
    stays unread (as the account chose)."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="notifications", on_delete=fields.CASCADE
    )
    user_id: int
    event: fields.ForeignKeyRelation[Event] = fields.ForeignKeyField(
        "models.Event", related_name="notifications", on_delete=fields.CASCADE
    )
    event_id: int
    read_at = fields.DatetimeField(null=True)
    mailed_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "notification"
        unique_together = (("tenant", "user", "event"),)
        # The list pages by id; the bell counts the unread. The mail job's partial index on
        # the unread, unmailed ones is written in migration 0012 (an ORM index has no WHERE).
        indexes = (("tenant_id", "user_id", "read_at"), ("tenant_id", "user_id", "id"))
