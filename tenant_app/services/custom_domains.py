"""A tenant's own domains (Einstellungen › Eigene Domain, administrators only).

An added domain is a `TenantHost` with `is_custom` and without `is_verified`: the edge lets
it answer only its verification token (edge/tenant.py) until a check finds the token there
(services/domain_check.py), by the "Check now" button or the background job. A verified
domain serves the portal; the primary verified one is where links in mails point
(tenancy.primary_hostname). Host rows span tenants (the host name is unique platform-wide),
so every query here names the current tenant itself.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import anyio
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, PermissionDenied, ValidationFailed
from tenant_app.models.folders import AuditEntry
from tenant_app.models.scoping import current_tenant_id, tenant_scope
from tenant_app.models.tenancy import TenantHost
from tenant_app.permissions import can_link_systems
from tenant_app.queries.sql import unscoped
from tenant_app.services import domain_check
from tenant_app.settings import Settings
from tenant_app.tenancy import MalformedHost, normalize_host, tenant_cache
from tenant_app.text.i18n import gettext as _

MAX_DOMAINS = 5  # own domains per tenant
PENDING_DAYS = 7  # the job keeps checking a new domain this long; then only by hand
CHECK_DEADLINE = 15  # seconds for one whole look, redirects included
EVERY = 600  # seconds between the job's looks at one pending domain
TXT_NAME = "_tenant-app-verification"  # for the instructions; see domain_check's docstring

Check = Callable[[str, str], Awaitable[str]]  # (hostname, token) -> "" or the reason


@dataclass(frozen=True)
class Domain:
    id: int
    hostname: str
    is_custom: bool
    is_verified: bool
    is_primary: bool
    token: str
    checked_at: datetime | None
    check_error: str  # a msgid, or ""
    created_at: datetime | None

    @property
    def state(self) -> str:
        """primary | verified | pending | stopped (the job no longer checks it)."""
        if self.is_verified:
            return "primary" if self.is_primary else "verified"
        return "stopped" if _stopped(self.created_at) else "pending"

    @property
    def token_url(self) -> str:
        return f"http://{self.hostname}{domain_check.VERIFICATION_PATH}{self.token}"


def _stopped(created_at: datetime | None) -> bool:
    return created_at is not None and created_at < datetime.now(UTC) - timedelta(days=PENDING_DAYS)


def _domain(host: TenantHost) -> Domain:
    return Domain(
        id=host.id,
        hostname=host.hostname,
        is_custom=host.is_custom,
        is_verified=host.is_verified,
        is_primary=host.is_primary,
        token=host.verification_token,
        checked_at=host.checked_at,
        check_error=host.check_error,
        created_at=host.created_at,
    )


def _require(actor: CurrentUser) -> None:
    # A domain decides where every customer's mail links lead: administrators only.
    if not can_link_systems(actor):
        raise PermissionDenied


async def domain_list(actor: CurrentUser) -> list[Domain]:
    """The tenant's hosts: the platform's own first, then its own domains as added."""
    _require(actor)
    hosts = await TenantHost.filter(tenant_id=current_tenant_id()).order_by("is_custom", "id")
    return [_domain(host) for host in hosts]


async def _host_for(host_id: int) -> TenantHost:
    host = await TenantHost.get_or_none(id=host_id, tenant_id=current_tenant_id())
    if host is None:
        raise NotFound
    return host


def clean_hostname(raw: str) -> str:
    """The typed domain as stored: lower-case, IDN as punycode, no trailing dot."""
    value = raw.strip().rstrip(".").lower()
    try:
        value = value.encode("idna").decode("ascii")
    except UnicodeError:
        return ""
    try:
        return normalize_host(value) if ":" not in value else ""
    except MalformedHost:
        return ""


def _hostname_error(hostname: str, settings: Settings) -> str:
    if not hostname or "." not in hostname or hostname.rsplit(".", 1)[1].isdigit():
        # An IP address is no domain (and would point the check at any machine).
        return _("Please enter a domain such as portal.your-firm.de (without https://).")
    base = settings.base_domain
    platform = {settings.platform_hostname, settings.custom_domain_cname}
    if hostname == base or hostname.endswith("." + base) or hostname in platform:
        return _("This address belongs to the platform. Please enter a domain of your own.")
    return ""


async def add_domain(actor: CurrentUser, *, hostname: str, settings: Settings) -> Domain:
    """Add a domain, unverified, with a fresh token; ValidationFailed names the problem."""
    _require(actor)
    cleaned = clean_hostname(hostname)
    error = _hostname_error(cleaned, settings)
    tenant_id = current_tenant_id()
    if not error and await TenantHost.filter(tenant_id=tenant_id, is_custom=True).count() >= (
        MAX_DOMAINS
    ):
        error = _("At most %(count)s own domains. Remove one first.", count=MAX_DOMAINS)
    taken = _("This domain is already in use.")  # by whom stays hidden
    if not error and await TenantHost.exists(hostname=cleaned):
        error = taken
    if error:
        raise ValidationFailed({"hostname": error})
    try:
        async with in_transaction():
            host = await TenantHost.create(
                hostname=cleaned,
                tenant_id=tenant_id,
                is_primary=False,
                is_custom=True,
                is_verified=False,
                verification_token=secrets.token_urlsafe(24),
            )
            await _audit(actor, "custom_domain_added", host)
    except IntegrityError as race:  # added elsewhere at the same moment
        raise ValidationFailed({"hostname": taken}) from race
    tenant_cache.invalidate(cleaned)  # a remembered miss for this host must not linger
    return _domain(host)


async def remove_domain(actor: CurrentUser, host_id: int) -> str:
    """Remove an own domain (never the platform's); the platform's host is primary again if
    this one was. Returns the removed host name."""
    _require(actor)
    host = await _host_for(host_id)
    if not host.is_custom:
        raise NotFound
    async with in_transaction():
        await host.delete()
        if host.is_primary:
            await TenantHost.filter(tenant_id=host.tenant_id, is_custom=False).update(
                is_primary=True
            )
        await _audit(actor, "custom_domain_removed", host)
    tenant_cache.invalidate()  # every host's record names the primary host
    return host.hostname


async def make_primary(actor: CurrentUser, host_id: int) -> Domain:
    """Links in mails lead to this verified host from now on."""
    _require(actor)
    host = await _host_for(host_id)
    if not host.is_verified:
        raise ValidationFailed({"form": _("Only a verified domain can be the primary one.")})
    async with in_transaction():
        await TenantHost.filter(tenant_id=host.tenant_id).update(is_primary=False)
        await TenantHost.filter(id=host.id).update(is_primary=True)
        await _audit(actor, "custom_domain_primary", host)
    tenant_cache.invalidate()
    host.is_primary = True
    return _domain(host)


async def check_now(
    actor: CurrentUser, host_id: int, *, check: Check = domain_check.check_token
) -> Domain:
    """Look for the domain's token at once (also after the job stopped trying)."""
    _require(actor)
    host = await _host_for(host_id)
    if host.is_verified:
        return _domain(host)
    await _check(host, check, actor_id=actor.id)
    return _domain(host)


async def _check(host: TenantHost, check: Check, *, actor_id: int | None) -> None:
    try:
        with anyio.fail_after(CHECK_DEADLINE):  # a server dripping bytes holds no worker
            error = await check(host.hostname, host.verification_token)
    except TimeoutError:
        error = domain_check.TIMEOUT
    host.checked_at = datetime.now(UTC)
    host.check_error = error[:300]
    async with in_transaction():
        # Only an unverified row changes: a removal or a verification meanwhile stays.
        changed = await TenantHost.filter(id=host.id, is_verified=False).update(
            checked_at=host.checked_at, check_error=host.check_error, is_verified=not error
        )
        if changed and not error:
            host.is_verified = True
            with tenant_scope(host.tenant_id):
                await AuditEntry.create(
                    action="custom_domain_verified",
                    actor_id=actor_id,
                    subject_id=host.id,
                    details=host.hostname,
                )
    if not error:
        tenant_cache.invalidate()


async def check_pending(settings: Settings, *, check: Check | None = None) -> int:
    """The background job: every pending domain younger than a week whose last look is
    older than EVERY seconds, across tenants. Returns how many it looked at."""
    now = datetime.now(UTC)
    due = await TenantHost.filter(
        Q(checked_at__isnull=True) | Q(checked_at__lt=now - timedelta(seconds=EVERY)),
        is_custom=True,
        is_verified=False,
        created_at__gte=now - timedelta(days=PENDING_DAYS),
    ).limit(200)
    domain_check.check_token.allow_private = settings.allows_private_webhooks  # the SSRF rule
    looked = 0
    for host in due:
        # Claimed by stamping the look first: another worker's round skips it meanwhile.
        if await TenantHost.filter(id=host.id, checked_at=host.checked_at).update(checked_at=now):
            await _check(host, check or domain_check.check_token, actor_id=None)
            looked += 1
    return looked


async def _audit(actor: CurrentUser, action: str, host: TenantHost) -> None:
    await AuditEntry.create(
        action=action, actor_id=actor.id, subject_id=host.id, details=host.hostname
    )


async def token_of(hostname: str) -> str:
    """The verification token of a custom host ("" for any other): what the checker reads."""
    row = await unscoped.fetch_one(
        "SELECT verification_token FROM tenant_host WHERE hostname = :hostname"
        " AND is_custom = TRUE",
        hostname=hostname,
    )
    return str(row["verification_token"]) if row else ""


_TLS_SQL = (
    "SELECT 1 AS allowed FROM tenant_host h JOIN tenant t ON t.id = h.tenant_id"
    " WHERE h.hostname = :hostname AND h.is_verified = TRUE AND t.is_active = TRUE"
)


async def tls_allowed(hostname: str) -> bool:
    """May the load balancer get a certificate for this host? Verified hosts of active
    tenants only (the platform's own `<slug>.BASE_DOMAIN` hosts are verified from the start);
    one lookup on the unique host name."""
    try:
        cleaned = normalize_host(hostname)
    except MalformedHost:
        return False
    return await unscoped.fetch_one(_TLS_SQL, hostname=cleaned) is not None
