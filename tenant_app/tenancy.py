"""Host header -> tenant. Exact, lower-cased, port-stripped match against `tenant_host`."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from contextvars import Context, ContextVar, Token
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tenant_app.models.scoping import ScopeError, enter_tenant_scope, leave_tenant_scope
from tenant_app.queries.sql import as_datetime, unscoped
from tenant_app.settings import Settings
from tenant_app.text.legal_rules import PROFILE_COLUMNS, BrokerProfile

_HOST_RE = re.compile(
    r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$"
)
_SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
RESERVED_SLUGS = frozenset(
    {
        "www",
        "admin",
        "api",
        "app",
        "mail",
        "smtp",
        "static",
        "assets",
        "cdn",
        "status",
        "help",
        "support",
        "login",
        "auth",
        "portal",
        "operator",
        "platform",
        "backoffice",
        "root",
        "localhost",
    }
)
logger = logging.getLogger("tenant_app.request")
CACHE_SECONDS = 5.0  # how long another process may serve stale branding after a change


class MalformedHost(ValueError):
    """The Host header is not a plain host name (optionally with a port)."""


@dataclass(frozen=True)
class TenantInfo:
    """What a request needs to know about its tenant; cached per process."""

    id: int
    slug: str
    name: str
    hostname: str
    theme: str
    primary_color: str | None
    secondary_color: str | None
    text_color: str | None
    logo_key: str | None
    favicon_key: str | None
    address_form: str
    imprint_html: str
    signature_html: str
    updated_at: str
    primary_hostname: str = ""  # where links in mails point, whatever host a request used
    # Staff must have a second factor once the grace period after this moment ends (None: no).
    staff_2fa_required_at: datetime | None = None
    staff_2fa_grace_days: int = 14
    modules: str = ""  # comma-list of the switched-on modules (vocabulary.MODULES)
    is_platform: bool = False  # the platform's own space: operators and backoffices
    # The imprint's and signature's fields (text/legal_rules.py), for pages, mails, the check.
    profile: BrokerProfile = BrokerProfile()
    # Suspended by the operator (None: open): its users see the notice instead of the portal.
    suspended_at: datetime | None = None
    suspension_notice: str = ""
    frame_origins: str = ""  # the broker's website origins that may frame the login page
    # False while the requested host is a broker's own domain not yet verified: it then
    # answers its verification token and nothing else.
    host_verified: bool = True

    def has_module(self, name: str) -> bool:
        """Is this portal module (offers, claims, first_information, push, new_customers) on?"""
        return name in self.modules.split(",")

    @property
    def staff_2fa_deadline(self) -> datetime | None:
        """From when a staff member without a second factor reaches only their security page."""
        if self.staff_2fa_required_at is None:
            return None
        return self.staff_2fa_required_at + timedelta(days=self.staff_2fa_grace_days)


def normalize_host(raw: str | None) -> str:
    """Lower-case, strip the port; raise MalformedHost for anything but a DNS name."""
    if not raw:
        raise MalformedHost("missing host")
    host = raw.strip().lower()
    if ":" in host:
        host, _, port = host.rpartition(":")
        if not port.isdigit() or len(port) > 5:
            raise MalformedHost("bad port")
    if len(host) > 253 or not _HOST_RE.fullmatch(host):
        raise MalformedHost("bad host")
    return host


def slug_error(slug: str) -> str | None:
    """Why a slug cannot be used, or None when it is fine (DNS label rules, reserved names)."""
    if not _SLUG_RE.fullmatch(slug):
        return "slug must be 1-63 characters of a-z, 0-9 and '-', not starting or ending with '-'"
    if slug in RESERVED_SLUGS:
        return f"slug {slug!r} is reserved"
    return None


_PROFILE_SQL = ", ".join(f"t.{column}" for column in PROFILE_COLUMNS)  # fixed names
_TENANT_COLUMNS = (
    "SELECT t.id, t.slug, t.name, h.hostname, t.theme, t.primary_color, t.secondary_color,"  # noqa: S608
    " t.text_color, t.logo_key, t.favicon_key, t.address_form, t.imprint_html, t.signature_html,"
    " t.updated_at, t.staff_2fa_required_at, t.staff_2fa_grace_days, t.modules,"
    " t.is_platform, t.suspended_at, t.suspension_notice, t.frame_origins,"
    " h.is_verified AS host_verified, " + _PROFILE_SQL + ","
    " (SELECT p.hostname FROM tenant_host p WHERE p.tenant_id = t.id AND p.is_verified = TRUE"
    " ORDER BY p.is_primary DESC, p.id LIMIT 1) AS primary_hostname"
    " FROM tenant_host h JOIN tenant t ON t.id = h.tenant_id"
)
_TENANT_SQL = _TENANT_COLUMNS + " WHERE h.hostname = :hostname AND t.is_active = :active"
_TENANT_BY_ID_SQL = (
    _TENANT_COLUMNS
    + " WHERE t.id = :id ORDER BY h.is_verified DESC, h.is_primary DESC, h.id LIMIT 1"
)


def _info(row: dict[str, Any]) -> TenantInfo:
    values = {k: row[k] for k in TenantInfo.__dataclass_fields__ if k != "profile"}
    values["profile"] = BrokerProfile.of(row)
    values["updated_at"] = str(values["updated_at"])
    values["is_platform"] = bool(values["is_platform"])  # SQLite answers 0 or 1
    values["host_verified"] = bool(values["host_verified"])
    for moment in ("staff_2fa_required_at", "suspended_at"):  # SQLite answers text
        values[moment] = as_datetime(values[moment]) if values[moment] else None
    return TenantInfo(**values)


async def load_tenant_info(tenant_id: int) -> TenantInfo:
    """For code outside a request (CLI, jobs): the tenant as a request would see it."""
    row = await unscoped.fetch_one(_TENANT_BY_ID_SQL, id=tenant_id)
    if row is None:
        raise LookupError(f"no tenant {tenant_id}")
    return _info(row)


class TenantCache:
    """Per-process cache of host -> TenantInfo (or a remembered miss), stale for at most `ttl`.

    An entry older than half its time is reloaded in the background while requests go on
    with it: with a thousand hosts and five seconds, one request in eight had waited for the
    database (the login page's slowest hundredth took four times its median). An expired
    entry is loaded once, and every request for the same host that arrives meanwhile waits
    for that one: under load, all of them querying at once queued on the pool and stalled
    the whole process for a moment every few seconds.
    """

    def __init__(self, ttl: float = CACHE_SECONDS) -> None:
        self.ttl = ttl
        self._entries: dict[str, tuple[float, TenantInfo | None]] = {}
        self._loading: dict[str, asyncio.Future[TenantInfo | None]] = {}
        self._reloads: set[asyncio.Task[None]] = set()  # kept, or the loop may drop them
        self._generation = 0  # moved on by invalidate: a load begun before stores nothing

    async def lookup(self, hostname: str) -> TenantInfo | None:
        cached = self._entries.get(hostname)
        if cached:
            age = time.monotonic() - cached[0]
            if age < self.ttl:
                if age >= self.ttl / 2 and hostname not in self._loading:
                    self._reload_behind(hostname)
                return cached[1]
        loading = self._loading.get(hostname)
        if loading is not None:
            return await asyncio.shield(loading)
        return await self._load_once(hostname, self._begin(hostname))

    def _begin(self, hostname: str) -> asyncio.Future[TenantInfo | None]:
        """Mark the host as loading (before any await: the next request must see it)."""
        future: asyncio.Future[TenantInfo | None] = asyncio.get_running_loop().create_future()
        self._loading[hostname] = future
        return future

    def _reload_behind(self, hostname: str) -> None:
        # A context of its own: the reload must not run in, or change, the request's scope.
        reload = self._reload(hostname, self._begin(hostname))
        task = asyncio.get_running_loop().create_task(reload, context=Context())
        self._reloads.add(task)
        task.add_done_callback(self._reloads.discard)

    async def reloaded(self) -> None:
        """Wait for the background reloads under way (before the database closes)."""
        await asyncio.gather(*self._reloads, return_exceptions=True)

    async def _reload(self, hostname: str, future: asyncio.Future[TenantInfo | None]) -> None:
        try:
            await self._load_once(hostname, future)
        except Exception as error:  # the entry serves on; once expired, a request retries
            logger.warning("reloading host %s failed: %r", hostname, error)

    async def _load_once(
        self, hostname: str, future: asyncio.Future[TenantInfo | None]
    ) -> TenantInfo | None:
        try:
            info = await self._load(hostname)
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # retrieved here: no "never retrieved" warning without waiters
            raise
        else:
            future.set_result(info)
            return info
        finally:
            if self._loading.get(hostname) is future:
                del self._loading[hostname]

    async def _load(self, hostname: str) -> TenantInfo | None:
        now, generation = time.monotonic(), self._generation
        row = await unscoped.fetch_one(_TENANT_SQL, hostname=hostname, active=True)
        info = _info(row) if row is not None else None
        if generation != self._generation:
            return info  # read before a change this process made: for its waiters only
        if len(self._entries) > 10_000:  # garbage hosts must not grow memory without bound
            self._entries.clear()
        self._entries[hostname] = (now, info)
        return info

    def invalidate(self, hostname: str | None = None) -> None:
        self._generation += 1
        if hostname is None:
            self._entries.clear()
            self._loading.clear()
        else:
            self._entries.pop(hostname, None)
            self._loading.pop(hostname, None)


tenant_cache = TenantCache()


# The tenant of the current request or job. The ORM's scope (models/scoping.py) and the
# raw-SQL helper (queries/sql.py) read its id; mails and links read the rest.
_current_tenant: ContextVar[TenantInfo | None] = ContextVar("current_tenant", default=None)


def current_tenant() -> TenantInfo:
    tenant = _current_tenant.get()
    if tenant is None:
        raise ScopeError("no tenant in this context")
    return tenant


TenantTokens = tuple[Token[TenantInfo | None], Token[int | None]]


def enter_tenant(tenant: TenantInfo) -> TenantTokens:
    """For middleware: this task runs as `tenant` until `leave_tenant`."""
    return _current_tenant.set(tenant), enter_tenant_scope(tenant.id)


def leave_tenant(tokens: TenantTokens) -> None:
    info_token, scope_token = tokens
    leave_tenant_scope(scope_token)
    _current_tenant.reset(info_token)


def public_url(settings: Settings, hostname: str) -> str:
    """A host's public address (scheme and port as configured), e.g. for links in mails."""
    default_port = {"http": 80, "https": 443}.get(settings.public_scheme)
    port = "" if settings.public_port in (0, default_port) else f":{settings.public_port}"
    return f"{settings.public_scheme}://{hostname}{port}"


def public_base_url(settings: Settings, tenant: TenantInfo) -> str:
    """The tenant's own address for links in mails: stored host name, never a request's Host."""
    return public_url(settings, tenant.primary_hostname or tenant.hostname)
