"""The platform's own space: operators and backoffices, on the platform host.

It is a tenant row marked `is_platform` (slug "platform", which no broker may take), so its
logins have the same sessions, second factors, CSRF and rate limits as every portal's. It
holds no broker's data: backoffice people reach a broker's tender only through an
engagement (services/tender_access.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from tenant_app.errors import ValidationFailed
from tenant_app.models.accounts import User
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant, TenantHost
from tenant_app.models.tenders import Backoffice, BackofficeMember
from tenant_app.security.passwords import PasswordService
from tenant_app.services.tenants import one_time_password, unique_username
from tenant_app.tenancy import tenant_cache
from tenant_app.text.labels import N_
from tenant_app.vocabulary import EMAIL_RE, PRODUCT_LINES

PLATFORM_SLUG = "platform"


@dataclass(frozen=True)
class NewLogin:
    user: User
    password: str  # to hand over once; a generated one must be changed at first login


async def platform_tenant() -> Tenant | None:
    return await Tenant.get_or_none(is_platform=True)


async def ensure_platform(hostname: str) -> Tenant:
    """The platform's space, made on first use, reached under `hostname` (kept in step)."""
    async with in_transaction():
        tenant = await Tenant.filter(is_platform=True).select_for_update().first()
        if tenant is None:
            tenant = await Tenant.create(
                slug=PLATFORM_SLUG,
                name="Plattform",
                is_platform=True,
                modules="",
                # Its logins see customer data of many firms: a second factor for everyone,
                # after the usual grace period (permissions.staff_factor_state).
                staff_2fa_required_at=datetime.now(UTC),
            )
        if not await TenantHost.filter(hostname=hostname).exists():
            await TenantHost.filter(tenant_id=tenant.id).delete()
            await TenantHost.create(hostname=hostname, tenant=tenant)
    tenant_cache.invalidate(hostname)
    return tenant


def _login_errors(email: str, first_name: str, last_name: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not EMAIL_RE.fullmatch(email.strip()):
        errors["email"] = N_("Please enter a valid e-mail address.")
    if not first_name.strip():
        errors["first_name"] = N_("Please enter a first name.")
    if not last_name.strip():
        errors["last_name"] = N_("Please enter a last name.")
    return errors


async def create_login(
    passwords: PasswordService,
    platform: Tenant,
    *,
    kind: str,
    email: str,
    first_name: str,
    last_name: str,
    password: str | None = None,
    backoffice: Backoffice | None = None,
    username: str | None = None,
) -> NewLogin:
    """An operator's or (with `backoffice`) a backoffice person's login on the platform.
    Error messages are msgids (the caller translates them)."""
    if kind not in ("operator", "backoffice") or (kind == "backoffice") != bool(backoffice):
        raise ValueError("an operator, or a backoffice login with its backoffice")
    errors = _login_errors(email, first_name, last_name)
    email = email.strip().lower()
    with tenant_scope(platform.id):
        if not errors and await User.filter(email=email).exists():
            errors["email"] = N_("This e-mail address is already taken.")
        if errors:
            raise ValidationFailed(errors)
        secret = password or one_time_password(email, first_name, last_name)
        async with in_transaction():
            user = await User.create(
                kind=kind,
                role=kind,
                username=username or await unique_username(first_name, last_name),
                email=email,
                first_name=first_name.strip(),
                last_name=last_name.strip(),
                password_hash=await passwords.hash(secret),
                must_change_password=password is None,
            )
            if backoffice is not None:
                await BackofficeMember.create(backoffice=backoffice, user_id=user.id)
    return NewLogin(user, secret)


def clean_service_days(raw: dict[str, object]) -> dict[str, int]:
    """The service promise: whole working days (1 to 60) per known product line or "*"."""
    days: dict[str, int] = {}
    for line, value in raw.items():
        if line != "*" and line not in PRODUCT_LINES:
            raise ValidationFailed({"service_days": N_("Unknown product line.")})
        try:
            number = int(str(value))
        except ValueError:
            number = 0
        if not 1 <= number <= 60:
            raise ValidationFailed({"service_days": N_("Between 1 and 60 working days.")})
        days[line] = number
    return days


async def create_backoffice(
    *, name: str, legal_form: str = "", email: str = "", service_days: dict[str, object]
) -> Backoffice:
    """A backoffice organisation. Error messages are msgids."""
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = N_("Please enter a name.")
    elif await Backoffice.filter(name=name.strip()).exists():
        errors["name"] = N_("A backoffice of this name exists already.")
    if email.strip() and not EMAIL_RE.fullmatch(email.strip()):
        errors["email"] = N_("Please enter a valid e-mail address.")
    if errors:
        raise ValidationFailed(errors)
    days = clean_service_days(service_days or {"*": 5})
    return await Backoffice.create(
        name=name.strip(),
        legal_form=legal_form.strip(),
        email=email.strip().lower(),
        service_days=days,
    )
