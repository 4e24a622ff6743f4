"""Logging in: rate limits first, then one Argon2id check, no hint whether an account exists."""

from __future__ import annotations

from dataclasses import dataclass

from tenant_app.errors import ValidationFailed
from tenant_app.models.accounts import User
from tenant_app.models.scoping import current_tenant_id
from tenant_app.schemas.auth import LoginInput
from tenant_app.schemas.base import checked
from tenant_app.security import ratelimit, sessions
from tenant_app.security.passwords import PasswordService


class LoginFailed(Exception):
    """Wrong name or password, or an inactive account. Deliberately says no more."""


class LoginThrottled(Exception):
    """Too many attempts for this account or from this client."""


@dataclass(frozen=True)
class LoginResult:
    user: User
    cookie_secret: str


async def log_in(
    passwords: PasswordService,
    *,
    identifier: str,
    password: str,
    client: str,
    user_agent: str = "",
) -> LoginResult:
    """ValidationFailed if a field is blank (nothing counted then), else the session or why not."""
    login, errors = checked(LoginInput, {"identifier": identifier, "password": password})
    if login is None:
        raise ValidationFailed(errors)
    identifier = login.identifier  # stripped, lower-case
    if not await ratelimit.hit(ratelimit.LOGIN_PER_CLIENT, client):
        raise LoginThrottled
    by_email = "@" in identifier
    query = User.filter(email=identifier) if by_email else User.filter(username=identifier)
    user = await query.first()
    # Per account, whether named by username or e-mail; unknown names count under the name.
    tenant_id = current_tenant_id()
    account_key = f"{tenant_id}:user:{user.id}" if user else f"{tenant_id}:name:{identifier}"
    if not await ratelimit.hit(ratelimit.LOGIN_PER_ACCOUNT, account_key):
        raise LoginThrottled  # checked before hashing, so login cannot be used to burn CPU
    stored_hash = user.password_hash if user and user.is_active else None
    if not await passwords.verify(stored_hash, password) or user is None:
        raise LoginFailed
    if passwords.needs_rehash(user.password_hash or ""):
        user.password_hash = await passwords.hash(password)
        await user.save(update_fields=["password_hash"])
    secret = await sessions.start_session(tenant_id, user.id, user_agent=user_agent)
    return LoginResult(user=user, cookie_secret=secret)
