"""The operator's tenants: the broker firms with their usage, one firm's page, a new firm with
its first administrator (the same use case as `tenant-app tenant create`).

Only an operator reaches any of it (NotFound for everyone else). Error messages are msgids:
the caller translates them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, ValidationFailed
from tenant_app.queries import operator_tenants as reads
from tenant_app.queries.sql import as_datetime
from tenant_app.security.passwords import PasswordService
from tenant_app.services import operator_audit
from tenant_app.services.tenants import NewTenant, create_tenant
from tenant_app.tenancy import RESERVED_SLUGS, slug_error
from tenant_app.text.labels import N_
from tenant_app.vocabulary import EMAIL_RE

MAIL_DAYS = 30  # the usage counts the mails sent in this many days
# Read this far (the columns' sizes): longer input is refused next to its field.
CREATE_LIMITS = {
    "slug": 63,
    "name": 200,
    "admin_email": 254,
    "admin_first_name": 100,
    "admin_last_name": 100,
}


@dataclass(frozen=True)
class TenantRow:
    """A broker firm with its usage, as the list and the firm's page show it."""

    id: int
    slug: str
    name: str
    hosts: list[str]
    created_at: datetime
    suspended_at: datetime | None
    suspension_notice: str
    users: int
    contacts: int
    storage_bytes: int
    mails_sent: int  # in the last MAIL_DAYS days

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None


def _row(row: dict[str, Any], hosts: dict[int, list[str]]) -> TenantRow:
    suspended = row["suspended_at"]
    return TenantRow(
        id=int(row["id"]),
        slug=str(row["slug"]),
        name=str(row["name"]),
        hosts=hosts.get(int(row["id"]), []),
        created_at=as_datetime(row["created_at"]),
        suspended_at=as_datetime(suspended) if suspended else None,
        suspension_notice=str(row["suspension_notice"] or ""),
        users=int(row["users"]),
        contacts=int(row["contacts"]),
        storage_bytes=int(row["storage_bytes"] or 0),
        mails_sent=int(row["mails_sent"]),
    )


def _mails_since() -> datetime:
    return datetime.now(UTC) - timedelta(days=MAIL_DAYS)


async def tenant_rows(actor: CurrentUser) -> list[TenantRow]:
    """Every broker firm with its usage, by name: two statements however many there are."""
    operator_audit.check_operator(actor)
    usage = await reads.tenant_usage(since=_mails_since())
    hosts = await reads.tenant_hosts()
    return [_row(row, hosts) for row in usage]


async def tenant_for(actor: CurrentUser, tenant_id: int) -> TenantRow:
    """One broker firm with its usage; NotFound for the platform's own space or none."""
    operator_audit.check_operator(actor)
    usage = await reads.tenant_usage(since=_mails_since(), tenant_id=tenant_id)
    if not usage:
        raise NotFound
    return _row(usage[0], await reads.tenant_hosts(tenant_id))


def empty_form() -> dict[str, str]:
    return dict.fromkeys(CREATE_LIMITS, "")


def _errors(values: dict[str, str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    slug = values["slug"].strip().lower()
    if not slug:
        errors["slug"] = N_("Please enter the address part, e.g. mueller.")
    elif slug in RESERVED_SLUGS:
        errors["slug"] = N_("This address is reserved for the platform. Please choose another.")
    elif slug_error(slug):
        errors["slug"] = N_(
            "Use lower-case letters a-z, digits and hyphens (at most 63), "
            "not starting or ending with a hyphen."
        )
    if not values["name"].strip():
        errors["name"] = N_("Please enter the firm's name.")
    if not EMAIL_RE.fullmatch(values["admin_email"].strip()):
        errors["admin_email"] = N_("Please enter a valid e-mail address.")
    if not values["admin_first_name"].strip():
        errors["admin_first_name"] = N_("Please enter a first name.")
    if not values["admin_last_name"].strip():
        errors["admin_last_name"] = N_("Please enter a last name.")
    return errors


async def create(
    actor: CurrentUser,
    passwords: PasswordService,
    *,
    values: dict[str, str],
    base_domain: str,
) -> NewTenant:
    """A new broker firm on `<slug>.<base_domain>` with its administrator, who logs in with
    the one-time password shown once to the operator; refused with every field's message
    (nothing saved)."""
    operator_audit.check_operator(actor)
    if errors := _errors(values):
        raise ValidationFailed(errors)
    try:
        async with in_transaction():
            made = await create_tenant(
                passwords,
                slug=values["slug"],
                name=values["name"],
                base_domain=base_domain,
                admin_email=values["admin_email"],
                admin_first_name=values["admin_first_name"].strip(),
                admin_last_name=values["admin_last_name"].strip(),
            )
            await operator_audit.record(
                actor,
                "tenant_created",
                tenant_id=made.tenant.id,
                tenant_name=made.tenant.name,
                detail=made.hostname,
            )
    except ValidationFailed as failed:
        # Only a taken slug or host is left once our own checks passed.
        if "slug" in failed.errors:
            raise ValidationFailed(
                {"slug": N_("A tenant with this address exists already. Please choose another.")}
            ) from None
        raise
    return made
