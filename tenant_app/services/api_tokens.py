"""Tenant API tokens: created by administrators only (permissions.can_link_systems: a token
sees every contact), shown once, kept as a hash, revocable at once. Each token acts through
its own technical account (kind "api"), so what it writes names it as the author and the
trail says which token did what."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from tortoise.expressions import Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, PermissionDenied, ValidationFailed
from tenant_app.models.accounts import User
from tenant_app.models.folders import AuditEntry
from tenant_app.models.integration import ApiToken
from tenant_app.permissions import can_link_systems
from tenant_app.schemas import rules
from tenant_app.text.formatting import DISPLAY_TZ
from tenant_app.text.i18n import gettext as _
from tenant_app.vocabulary import API_RESOURCES, API_SCOPES

PREFIX = "tka_"  # makes a leaked token recognisable to secret scanners
SHOWN_CHARS = 8  # of the secret, listed to tell tokens apart
LAST_USED_EVERY = timedelta(minutes=1)  # at most one write per token and minute


@dataclass(frozen=True)
class ApiCaller:
    """A request's token: its id and scopes, and the actor its use cases run as."""

    token_id: int
    name: str
    scopes: frozenset[str]
    actor: CurrentUser
    last_used_due: bool = False  # the token's last use is older than LAST_USED_EVERY

    def allows(self, scope: str) -> bool:
        """`contacts:read` is also granted by `contacts:write`; `any` by every token."""
        if scope == "any":
            return True
        resource, _sep, level = scope.partition(":")
        return scope in self.scopes or (level == "read" and f"{resource}:write" in self.scopes)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _api_actor(token: ApiToken, user: User) -> CurrentUser:
    """Staff with every folder and contact: what a token may do is its scopes, checked for
    each operation before any use case runs."""
    return CurrentUser(
        id=user.id,
        kind="staff",
        role="api",
        username=user.username,
        email="",
        first_name=user.first_name,
        last_name=user.last_name,
        language=None,
        session_id="",
        csrf_token="",
        sees_all_contacts=True,
        handles_tickets=True,
        manages_contacts=True,
        access_insurance="write",
        access_finance="write",
        access_other="write",
        access_emergency="write",
    )


def clean_scopes(scopes: list[str]) -> list[str]:
    unknown = [scope for scope in scopes if scope not in API_SCOPES]
    if unknown or not scopes:
        raise ValidationFailed({"scopes": _("Please choose at least one permission.")})
    return [scope for scope in API_SCOPES if scope in scopes]  # in their listed order


async def _refusals(name: str, scopes: list[str], expires_at: datetime | None) -> dict[str, str]:
    """What is wrong with a new token's fields, every field at once."""
    errors: dict[str, str] = {}
    if not name or len(name) > 100:
        errors["name"] = _("Please enter a name of at most %(n)s characters.", n=100)
    elif await ApiToken.filter(name=name).exists():
        errors["name"] = _("A token with this name exists already.")
    if expires_at is not None and expires_at <= datetime.now(UTC):
        errors["expires_at"] = _("The expiry date must lie in the future.")
    try:
        clean_scopes(scopes)
    except ValidationFailed as refused:
        errors |= refused.errors
    return errors


async def create_token(
    actor: CurrentUser,
    *,
    name: str,
    scopes: list[str],
    expires_at: datetime | None,
    secret: str | None = None,
) -> tuple[ApiToken, str]:
    """A new token and its secret, which is never shown again. Only the demo names the
    secret (a known one, like its passwords)."""
    if not can_link_systems(actor):
        raise PermissionDenied
    name = name.strip()
    if errors := await _refusals(name, scopes, expires_at):
        raise ValidationFailed(errors)
    chosen = clean_scopes(scopes)
    secret = secret or PREFIX + secrets.token_urlsafe(32)
    async with in_transaction():
        handle = secrets.token_hex(6)
        user = await User.create(
            kind="api",
            role="api",
            username=f"api-{handle}",
            email=f"api-{handle}@api.invalid",  # never mailed: no login, no notifications
            first_name="API",
            last_name=name,
            is_active=True,
        )
        token = await ApiToken.create(
            name=name,
            prefix=secret[len(PREFIX) : len(PREFIX) + SHOWN_CHARS],
            token_hash=_hash(secret),
            scopes=chosen,
            user=user,
            created_by_id=actor.id,
            expires_at=expires_at,
        )
        await AuditEntry.create(action="api_token_created", actor_id=actor.id, subject_id=token.id)
    return token, secret


async def revoke_token(actor: CurrentUser, token_id: int) -> None:
    """Ends the token at once: its next request gets 401."""
    if not can_link_systems(actor):
        raise PermissionDenied
    token = await ApiToken.filter(id=token_id).first()
    if token is None:
        raise NotFound
    async with in_transaction():
        await ApiToken.filter(id=token.id, revoked_at=None).update(revoked_at=datetime.now(UTC))
        await User.filter(id=token.user_id).update(is_active=False)
        await AuditEntry.create(action="api_token_revoked", actor_id=actor.id, subject_id=token.id)


async def tokens(actor: CurrentUser) -> list[ApiToken]:
    if not can_link_systems(actor):
        raise PermissionDenied
    return await ApiToken.all().order_by("-created_at", "-id")


@dataclass(frozen=True)
class TokenRow:
    """A token as the settings page lists it (never its secret: only its first characters)."""

    token: ApiToken
    status: str  # active | expired | revoked
    created_by: str  # the creator's name; "" once their account is deleted
    access: list[tuple[str, list[str]]]  # ("write" | "read", its resources), levels granted


def status_of(token: ApiToken, now: datetime) -> str:
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    return "active"


def access_of(scopes: list[str]) -> list[tuple[str, list[str]]]:
    """The resources by the highest level granted on them (write includes read), in the
    listed order: [("write", ["contacts", ...]), ("read", [...])], levels without any left out."""
    granted = set(scopes)
    writes = [resource for resource in API_RESOURCES if f"{resource}:write" in granted]
    reads = [
        resource
        for resource in API_RESOURCES
        if f"{resource}:read" in granted and resource not in writes
    ]
    return [
        (level, resources) for level, resources in (("write", writes), ("read", reads)) if resources
    ]


async def token_rows(actor: CurrentUser) -> list[TokenRow]:
    """Every token of the tenant, newest first, with who created it (two queries)."""
    listed = await tokens(actor)
    await ApiToken.fetch_for_list(listed, "created_by")
    now = datetime.now(UTC)
    return [
        TokenRow(
            token=token,
            status=status_of(token, now),
            created_by=token.created_by.full_name if token.created_by else "",
            access=access_of(token.scopes),
        )
        for token in listed
    ]


def expiry_of(raw: str) -> tuple[datetime | None, str | None]:
    """The form's expiry date as the moment the token stops working: the end of that day in
    Europe/Berlin (it works through the chosen day). Empty: never expires."""
    if not raw.strip():
        return None, None
    day = rules.parse_date(raw)
    if day is None:
        return None, _("Please enter a valid date, e.g. 03.04.1985.")
    return datetime.combine(day, time(23, 59, 59), tzinfo=DISPLAY_TZ), None


async def create_token_from_form(
    actor: CurrentUser, *, name: str, scopes: list[str], expires_on: str
) -> tuple[ApiToken, str]:
    """The settings page's form: the expiry as a date; every field's error at once."""
    if not can_link_systems(actor):
        raise PermissionDenied
    expires_at, date_error = expiry_of(expires_on)
    if date_error is not None:
        errors = await _refusals(name.strip(), scopes, None)
        raise ValidationFailed({**errors, "expires_at": date_error})
    return await create_token(actor, name=name, scopes=scopes, expires_at=expires_at)


async def authenticate(secret: str) -> ApiCaller | None:
    """The caller of a bearer secret in the current tenant, or None (unknown, revoked,
    expired, or of another tenant: the manager only looks in this one)."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    caller = await _valid(ApiToken.filter(token_hash=_hash(secret)))
    if caller is not None and caller.last_used_due:
        await ApiToken.filter(id=caller.token_id).update(last_used_at=datetime.now(UTC))
    return caller


async def caller_of_account(user_id: int) -> ApiCaller | None:
    """The caller a token's technical account stands for while the token is valid: work a
    request started that runs on later (a CSV import) acts as the request did."""
    return await _valid(ApiToken.filter(user_id=user_id))


async def caller_of_token(token_id: int) -> ApiCaller | None:
    """The caller of token `token_id` while it is valid (not revoked, not expired): what it
    made for later (a jump-in link) works only as long as the token does."""
    return await _valid(ApiToken.filter(id=token_id))


async def _valid(tokens: QuerySet[ApiToken]) -> ApiCaller | None:
    now = datetime.now(UTC)
    token = (
        await tokens.filter(revoked_at=None)
        .filter(Q(expires_at=None) | Q(expires_at__gt=now))
        .select_related("user")
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    return ApiCaller(
        token_id=token.id,
        name=token.name,
        scopes=frozenset(token.scopes),
        actor=_api_actor(token, token.user),
        last_used_due=token.last_used_at is None or token.last_used_at < now - LAST_USED_EVERY,
    )
