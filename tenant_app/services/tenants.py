"""Operator use cases: creating tenants with their first admin."""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import cast

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from tenant_app.errors import ValidationFailed
from tenant_app.models.accounts import User
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant, TenantHost
from tenant_app.schemas import passwords as passwords_rules
from tenant_app.security.passwords import PasswordService
from tenant_app.services.insurers import seed_insurers
from tenant_app.tenancy import slug_error, tenant_cache
from tenant_app.vocabulary import EMAIL_RE, NEW_TENANT_MODULES


@dataclass(frozen=True)
class NewTenant:
    tenant: Tenant
    hostname: str
    admin: User
    admin_password: str


def hostname_for(slug: str, base_domain: str) -> str:
    return f"{slug}.{base_domain}"


def _ascii(value: str) -> str:
    folded = (
        value.lower().replace("ß", "ss").replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    )
    normalized = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "", normalized)


async def unique_username(first_name: str, last_name: str) -> str:
    """`vorname.nachname`, with a number appended when taken in this tenant."""
    base = ".".join(part for part in (_ascii(first_name), _ascii(last_name)) if part) or "user"
    base = base[:70]
    taken = set(
        cast(
            list[str],
            await User.filter(username__startswith=base).values_list("username", flat=True),
        )
    )
    if base not in taken:
        return base
    number = 2
    while f"{base}{number}" in taken:
        number += 1
    return f"{base}{number}"


def one_time_password(email: str, first_name: str, last_name: str) -> str:
    """16 random characters that also pass the password rules (all but never needs a retry)."""
    while True:
        password = secrets.token_urlsafe(12)
        problem = passwords_rules.new_password_error(
            password,
            birthdate=None,
            username="",
            email=email,
            first_name=first_name,
            last_name=last_name,
        )
        if problem is None:
            return password


async def _taken(slug: str, hostname: str) -> dict[str, str]:
    """The slug's error if a tenant (or its host name) exists already, else nothing."""
    if await Tenant.filter(slug=slug).exists():
        return {"slug": f"a tenant with slug {slug!r} already exists"}
    if await TenantHost.filter(hostname=hostname).exists():
        return {"slug": f"the host name {hostname!r} already leads to a tenant"}
    return {}


async def create_tenant(
    passwords: PasswordService,
    *,
    slug: str,
    name: str,
    base_domain: str,
    admin_email: str,
    admin_first_name: str = "Admin",
    admin_last_name: str = "",
    admin_username: str | None = None,
    admin_password: str | None = None,
    admin_birthdate: date | None = None,
) -> NewTenant:
    slug = slug.strip().lower()
    errors: dict[str, str] = {}
    if problem := slug_error(slug):
        errors["slug"] = problem
    if not name.strip():
        errors["name"] = "name is required"
    if not EMAIL_RE.fullmatch(admin_email.strip()):
        errors["admin_email"] = "a valid e-mail address is required"
    hostname = hostname_for(slug, base_domain)
    if not errors:
        errors = await _taken(slug, hostname)
    if errors:
        raise ValidationFailed(errors)
    # A generated password was printed for the operator, so it is one-time: the admin must
    # choose their own at first login. One given here (demo, tests) is the admin's own.
    password = admin_password or one_time_password(admin_email, admin_first_name, admin_last_name)
    password_hash = await passwords.hash(password)
    try:
        async with in_transaction():
            tenant = await Tenant.create(slug=slug, name=name.strip(), modules=NEW_TENANT_MODULES)
            await TenantHost.create(hostname=hostname, tenant=tenant)
            with tenant_scope(tenant.id):
                username = admin_username or await unique_username(
                    admin_first_name, admin_last_name
                )
                admin = await User.create(
                    tenant_id=tenant.id,
                    kind="staff",
                    role="admin",
                    username=username,
                    email=admin_email.strip().lower(),
                    first_name=admin_first_name,
                    last_name=admin_last_name,
                    birthdate=admin_birthdate,
                    password_hash=password_hash,
                    must_change_password=admin_password is None,
                )
                await seed_insurers()
    except IntegrityError:  # an identical creation came first: the check above ran unlocked
        if taken := await _taken(slug, hostname):
            raise ValidationFailed(taken) from None
        raise
    tenant_cache.invalidate(hostname)
    return NewTenant(tenant=tenant, hostname=hostname, admin=admin, admin_password=password)
