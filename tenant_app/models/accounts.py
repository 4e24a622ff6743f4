"""People who log in (staff users and customers), their sessions and their e-mailed links."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields

from tenant_app.models.scoping import TenantModel
from tenant_app.vocabulary import FOLDER_LEVELS, STAFF_ROLES  # noqa: F401 - the column values

if TYPE_CHECKING:
    from tenant_app.models.contacts import Contact


class User(TenantModel):
    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=10, default="staff")  # USER_KINDS
    role = fields.CharField(max_length=20, default="mitarbeiter")  # one of STAFF_ROLES
    username = fields.CharField(max_length=80)  # unique per tenant, never changed
    email = fields.CharField(max_length=254)  # stored lower-case, unique per tenant
    first_name = fields.CharField(max_length=100)
    last_name = fields.CharField(max_length=100)
    birthdate = fields.DateField(null=True)
    phone = fields.CharField(max_length=40, default="", db_default="")  # staff: shown to customers
    photo_key = fields.CharField(max_length=200, null=True)  # staff: the advisor card's photo
    password_hash = fields.CharField(max_length=255, null=True)  # None until registered
    language = fields.CharField(max_length=5, null=True)  # de | en | None = browser
    is_active = fields.BooleanField(default=True, db_default=True)
    contact_id: int | None
    contact: fields.ForeignKeyNullableRelation[Contact] = fields.ForeignKeyField(
        "models.Contact", related_name="accounts", null=True, on_delete=fields.CASCADE
    )  # set for customers: the contact this account belongs to
    # Staff rights (the admin role has all of them regardless).
    access_insurance = fields.CharField(max_length=5, default="none", db_default="none")
    access_finance = fields.CharField(max_length=5, default="none", db_default="none")
    access_other = fields.CharField(max_length=5, default="none", db_default="none")
    access_emergency = fields.CharField(max_length=5, default="none", db_default="none")
    sees_all_contacts = fields.BooleanField(default=False, db_default=False)
    handles_tickets = fields.BooleanField(default=False, db_default=False)
    handles_chat = fields.BooleanField(default=False, db_default=False)
    manages_contacts = fields.BooleanField(default=False, db_default=False)
    manages_users = fields.BooleanField(default=False, db_default=False)
    manages_settings = fields.BooleanField(default=False, db_default=False)
    registration_sent_at = fields.DatetimeField(null=True)
    registered_at = fields.DatetimeField(null=True)  # the registration link was completed
    address_form = fields.CharField(max_length=3, null=True)  # sie | du, None: the tenant's
    receives_leads = fields.BooleanField(default=False, db_default=False)  # Kunde werden
    must_change_password = fields.BooleanField(default=False, db_default=False)  # CLI's first admin
    last_login_at = fields.DatetimeField(null=True)
    # A confirmed authenticator app or a passkey: the login asks for it. Kept beside the
    # factors so that the session and the login read it without another query.
    has_second_factor = fields.BooleanField(default=False, db_default=False)
    login_alerts = fields.BooleanField(default=True, db_default=True)  # mail on a new device
    # When unread notifications are mailed: instant | delayed (5 minutes) | daily | never.
    notification_mail = fields.CharField(max_length=10, default="delayed", db_default="delayed")
    notification_digest_at = fields.DatetimeField(null=True)  # the last daily digest sent
    version = fields.IntField(default=1, db_default=1)  # optimistic lock of the edit forms
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "user_account"
        unique_together = (("tenant", "username"), ("tenant", "email"))
        # staff lists (ticket colleagues, responsible choices) and a contact's account
        indexes = (("tenant_id", "kind"), ("tenant_id", "contact_id"))

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_admin(self) -> bool:
        return self.kind == "staff" and self.role == "admin"


class Session(TenantModel):
    """A login. The cookie carries a signed random id, the table only its SHA-256."""

    id = fields.CharField(max_length=64, primary_key=True)  # hex sha256 of the cookie secret
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="sessions", on_delete=fields.CASCADE
    )
    user_id: int
    csrf_token = fields.CharField(max_length=64)
    created_at = fields.DatetimeField()
    last_seen_at = fields.DatetimeField()
    user_agent = fields.CharField(max_length=200, default="", db_default="")
    client = fields.CharField(max_length=64, default="", db_default="")  # the client address
    # The household contact the portal shows (None: the login's own contact).
    contact_id = fields.IntField(null=True)

    class Meta:
        table = "login_session"
        indexes = (("tenant_id", "user_id"),)


class LoginRecord(TenantModel):
    """A successful login, kept for the user's own history and the data export."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="login_records", on_delete=fields.CASCADE
    )
    user_id: int
    client = fields.CharField(max_length=64, default="", db_default="")  # the client address
    user_agent = fields.CharField(max_length=200, default="", db_default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "login_record"
        indexes = (("tenant_id", "user_id", "created_at"),)


class AccountLink(TenantModel):
    """A single-use e-mailed link (registration or password reset), stored as a hash only."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="links", on_delete=fields.CASCADE
    )
    user_id: int
    token_hash = fields.CharField(max_length=64, unique=True)  # hex sha256 of the link secret
    purpose = fields.CharField(max_length=10)  # register | reset
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)  # a newer link was sent
    wrong_pins = fields.IntField(default=0, db_default=0)
    # Sent by staff for a customer who lost their second factor: using it removes the factors.
    clears_factors = fields.BooleanField(default=False, db_default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "account_link"
