"""Second factors, known devices, household links, trusted persons; the tenant-wide staff
requirement of a second factor; the session remembers its client and the household contact."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index


class Migration(migrations.Migration):
    dependencies = [("models", "0010_internal_events_backfill")]

    initial = False

    operations = [
        ops.CreateModel(
            name="ContactLink",
            fields=[
                (
                    "tenant",
                    fields.ForeignKeyField(
                        "models.Tenant",
                        source_field="tenant_id",
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "user",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="contact_links",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "contact",
                    fields.ForeignKeyField(
                        "models.Contact",
                        source_field="contact_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="login_links",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("consent_note", fields.TextField(default="", db_default="", unique=False)),
                (
                    "created_by",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="created_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="created_contact_links",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "contact_link",
                "app": "models",
                "unique_together": (("tenant", "user", "contact"),),
                "indexes": [Index(fields=["tenant_id", "contact_id"])],
                "pk_attr": "id",
                "table_description": "A login managing another contact's folders (a parent for a child). The rights are the",
            },
            bases=["TenantModel"],
        ),
        ops.CreateModel(
            name="KnownDevice",
            fields=[
                (
                    "tenant",
                    fields.ForeignKeyField(
                        "models.Tenant",
                        source_field="tenant_id",
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "user",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="known_devices",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("device_hash", fields.CharField(max_length=64)),
                ("user_agent", fields.CharField(default="", db_default="", max_length=200)),
                ("first_seen_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("last_seen_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={
                "table": "known_device",
                "app": "models",
                "unique_together": (("tenant", "user", "device_hash"),),
                "pk_attr": "id",
                "table_description": "A browser that signed in before (by a random id in a long-lived cookie, kept hashed):",
            },
            bases=["TenantModel"],
        ),
        ops.CreateModel(
            name="Passkey",
            fields=[
                (
                    "tenant",
                    fields.ForeignKeyField(
                        "models.Tenant",
                        source_field="tenant_id",
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "user",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="passkeys",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("credential_id", fields.CharField(max_length=700)),
                ("public_key", fields.TextField(unique=False)),
                ("sign_count", fields.BigIntField(default=0, db_default=0)),
                ("transports", fields.CharField(default="", db_default="", max_length=100)),
                ("name", fields.CharField(max_length=80)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                (
                    "last_used_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
            ],
            options={
                "table": "passkey",
                "app": "models",
                "unique_together": (("tenant", "credential_id"),),
                "indexes": [Index(fields=["tenant_id", "user_id"])],
                "pk_attr": "id",
                "table_description": "A WebAuthn credential registered on the tenant's host (the relying party).",
            },
            bases=["TenantModel"],
        ),
        ops.CreateModel(
            name="RecoveryCode",
            fields=[
                (
                    "tenant",
                    fields.ForeignKeyField(
                        "models.Tenant",
                        source_field="tenant_id",
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "user",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="recovery_codes",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("code_hash", fields.CharField(max_length=64)),
                ("used_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "recovery_code",
                "app": "models",
                "indexes": [Index(fields=["tenant_id", "user_id"])],
                "pk_attr": "id",
                "table_description": "One of ten single-use codes shown once at enrolment, kept as a SHA-256 only.",
            },
            bases=["TenantModel"],
        ),
        ops.CreateModel(
            name="TotpFactor",
            fields=[
                (
                    "tenant",
                    fields.ForeignKeyField(
                        "models.Tenant",
                        source_field="tenant_id",
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "user",
                    fields.OneToOneField(
                        "models.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="totp",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("secret", fields.CharField(max_length=64)),
                (
                    "confirmed_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                ("last_step", fields.BigIntField(default=0, db_default=0)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "totp_factor",
                "app": "models",
                "pk_attr": "id",
                "table_description": "An authenticator app (RFC 6238). Unconfirmed until the first code was entered.",
            },
            bases=["TenantModel"],
        ),
        ops.CreateModel(
            name="TrustedPerson",
            fields=[
                (
                    "tenant",
                    fields.ForeignKeyField(
                        "models.Tenant",
                        source_field="tenant_id",
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "contact",
                    fields.ForeignKeyField(
                        "models.Contact",
                        source_field="contact_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="trusted_persons",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "user",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="user_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="trusts",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("first_name", fields.CharField(max_length=100)),
                ("last_name", fields.CharField(max_length=100)),
                ("email", fields.CharField(max_length=254)),
                ("birthdate", fields.DateField()),
                ("wait_days", fields.IntField(default=7, db_default=7)),
                (
                    "status",
                    fields.CharField(default="invited", db_default="invited", max_length=10),
                ),
                (
                    "requested_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                ("opens_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("opened_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("version", fields.IntField(default=1, db_default=1)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "trusted_person",
                "app": "models",
                "indexes": [
                    Index(fields=["tenant_id", "contact_id"]),
                    Index(fields=["tenant_id", "user_id"]),
                ],
                "pk_attr": "id",
                "table_description": "Someone a customer named for their emergency folder (Vertrauensperson).",
            },
            bases=["TenantModel"],
        ),
        ops.CreateModel(
            name="TrustEvent",
            fields=[
                (
                    "tenant",
                    fields.ForeignKeyField(
                        "models.Tenant",
                        source_field="tenant_id",
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "trusted_person",
                    fields.ForeignKeyField(
                        "models.TrustedPerson",
                        source_field="trusted_person_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="events",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("kind", fields.CharField(max_length=12)),
                (
                    "actor",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="actor_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="trust_events",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("actor_name", fields.CharField(default="", db_default="", max_length=200)),
                ("note", fields.TextField(default="", db_default="", unique=False)),
                (
                    "document",
                    fields.ForeignKeyField(
                        "models.Document",
                        source_field="document_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="trust_events",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "trust_event",
                "app": "models",
                "indexes": [Index(fields=["tenant_id", "trusted_person_id"])],
                "pk_attr": "id",
                "table_description": "One step of a trusted person's access, as the customer's audit trail shows it.",
            },
            bases=["TenantModel"],
        ),
        ops.AddField(
            model_name="AccountLink",
            name="clears_factors",
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name="Session",
            name="client",
            field=fields.CharField(default="", db_default="", max_length=64),
        ),
        ops.AddField(
            model_name="Session",
            name="contact_id",
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name="Tenant",
            name="staff_2fa_grace_days",
            field=fields.IntField(default=14, db_default=14),
        ),
        ops.AddField(
            model_name="Tenant",
            name="staff_2fa_required_at",
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name="User",
            name="has_second_factor",
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name="User",
            name="login_alerts",
            field=fields.BooleanField(default=True, db_default=True),
        ),
    ]
