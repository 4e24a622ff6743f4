"""Logging in and changing one's own password: limits first, then one Argon2id check.

Login never hints whether an account exists. Attempts are claimed before the hash is
checked (so parallel guesses cannot overrun a limit, nor burn CPU past it) and released
when the password was right, so only failures count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from tenant_app import metrics
from tenant_app.actors import CurrentUser
from tenant_app.errors import ValidationFailed
from tenant_app.models.accounts import LoginRecord, User
from tenant_app.models.scoping import current_tenant_id
from tenant_app.schemas import rules
from tenant_app.schemas.auth import LoginInput
from tenant_app.schemas.base import checked
from tenant_app.security import ratelimit, sessions
from tenant_app.security.passwords import PasswordService
from tenant_app.services import devices, security_mail
from tenant_app.services.password_check import check_current_password
from tenant_app.settings import Settings
from tenant_app.text.i18n import gettext as _


class LoginFailed(Exception):
    """Wrong name or password, or an inactive account. Deliberately says no more."""


class LoginThrottled(Exception):
    """Too many failed attempts for this account from this client, or from this client."""


@dataclass(frozen=True)
class LoginResult:
    user: User
    cookie_secret: str | None  # None: the password was right, the second factor is to come
    device_secret: str | None = None  # the browser's device cookie, set (or renewed) at login


async def _account(identifier: str) -> User | None:
    """A person's account: an API token's technical account never logs in, whatever is sent
    for it (it has no password either)."""
    by_email = "@" in identifier
    query = User.filter(email=identifier) if by_email else User.filter(username=identifier)
    return await query.exclude(kind="api").first()


async def log_in(
    passwords: PasswordService,
    settings: Settings,
    *,
    identifier: str,
    password: str,
    client: str,
    user_agent: str = "",
    device: str | None = None,
) -> LoginResult:
    """ValidationFailed if a field is blank (nothing counted then), else the session or why not.

    `device` is the secret of the browser's device cookie, if it has one."""
    login, errors = checked(LoginInput, {"identifier": identifier, "password": password})
    if login is None:
        raise ValidationFailed(errors)
    identifier = login.identifier  # stripped, lower-case
    by_client = (ratelimit.LOGIN_PER_CLIENT, client)
    if not await ratelimit.hit(*by_client):
        metrics.count_login("throttled")
        raise LoginThrottled
    user = await _account(identifier)
    # Per account (named by username or e-mail; unknown names under the name) and client.
    account = f"user:{user.id}" if user else f"name:{identifier}"
    by_account = (ratelimit.LOGIN_PER_ACCOUNT, f"{current_tenant_id()}:{client}:{account}")
    if not await ratelimit.hit(*by_account):
        metrics.count_login("throttled")
        raise LoginThrottled  # checked before hashing, so login cannot be used to burn CPU
    stored_hash = user.password_hash if user and user.is_active else None
    if not await passwords.verify(stored_hash, password) or user is None:
        metrics.count_login("failed")
        raise LoginFailed
    await ratelimit.release_all(by_client, by_account)
    if passwords.needs_rehash(user.password_hash or ""):
        user.password_hash = await passwords.hash(password)
        await user.save(update_fields=["password_hash"])
    if user.has_second_factor:
        return LoginResult(user=user, cookie_secret=None)
    return await start_login(settings, user, client=client, user_agent=user_agent, device=device)


async def start_login(
    settings: Settings, user: User, *, client: str, user_agent: str, device: str | None
) -> LoginResult:
    """Every way in ends here once the user proved who they are: the session starts, the
    login goes into the user's history, and a browser not seen before is remembered (and
    told to the user by mail)."""
    now = datetime.now(UTC)
    async with in_transaction():
        secret = await sessions.start_session(
            current_tenant_id(), user.id, user_agent=user_agent, client=client
        )
        await User.filter(id=user.id).update(last_login_at=now)
        await LoginRecord.create(user_id=user.id, client=client[:64], user_agent=user_agent[:200])
        device_secret = await devices.remember(
            settings, user, device=device, client=client, user_agent=user_agent
        )
    user.last_login_at = now
    metrics.count_login("ok")
    return LoginResult(user=user, cookie_secret=secret, device_secret=device_secret)


async def change_password(
    actor: CurrentUser,
    passwords: PasswordService,
    *,
    settings: Settings,
    current: str,
    new: str,
    repeat: str,
) -> None:
    """The actor's own password: the current one proves it is them; other sessions end, and
    the user is told by mail."""
    user = await User.get(id=actor.id)
    errors = rules.password_errors_of(user, new, repeat)
    if not current:
        errors["current_password"] = _("Please enter the current password.")
    elif new and new == current:
        errors["password"] = _("The new password must differ from the current one.")
    if errors:
        raise ValidationFailed(errors)  # nothing counted: the current one was not checked
    await check_current_password(passwords, user.id, current)
    password_hash = await passwords.hash(new)
    async with in_transaction():
        await User.filter(id=user.id).update(
            password_hash=password_hash, must_change_password=False
        )
        await sessions.end_all_sessions(user.id, keep=actor.session_id)
        await security_mail.tell(settings, user, kind="password_changed")
