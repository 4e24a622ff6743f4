"""Completing an e-mailed link: new password twice plus the birthdate PIN (TTMMJJJJ).

The PIN is weak by nature, so it is only a second check on top of possessing the link:
wrong PINs are counted per link (dead after MAX_WRONG_PINS), per account and per client.
Neither the PIN nor the password is ever logged.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from tenant_app.errors import ValidationFailed
from tenant_app.logs import log
from tenant_app.mail.notify import notify
from tenant_app.models.accounts import AccountLink, User
from tenant_app.models.scoping import current_tenant_id
from tenant_app.schemas import rules
from tenant_app.security import ratelimit, sessions
from tenant_app.security.cookies import token_digest
from tenant_app.security.passwords import PasswordService
from tenant_app.services.accounts import queue_link_mail
from tenant_app.settings import Settings
from tenant_app.text.i18n import gettext as _

logger = logging.getLogger("tenant_app.registration")

MAX_WRONG_PINS = 5
PIN_PER_ACCOUNT = ratelimit.Limit("pin-account", 10, 24 * 3600)
PIN_PER_CLIENT = ratelimit.Limit("pin-client", 20, 3600)
RESET_PER_CLIENT = ratelimit.Limit("reset-client", 10, 3600)
RESET_PER_ACCOUNT = ratelimit.Limit("reset-account", 3, 3600)  # links revoke older ones
RESET_MIN_SECONDS = 0.35  # every reset request takes at least this long, found or not


class LinkProblem(Exception):
    """The link cannot be used: `reason` is invalid, expired, used or dead."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TooManyAttempts(Exception):
    pass


@dataclass(frozen=True)
class UsableLink:
    link: AccountLink
    user: User


async def check_link(secret: str) -> UsableLink:
    """Look a link up (in the current tenant only) without consuming anything."""
    if not secret or len(secret) > 100:
        raise LinkProblem("invalid")
    link = await AccountLink.get_or_none(token_hash=token_digest(secret))
    if link is None or link.revoked_at is not None:
        raise LinkProblem("invalid")
    if link.used_at is not None:
        raise LinkProblem("used")
    if link.wrong_pins >= MAX_WRONG_PINS:
        raise LinkProblem("dead")
    if link.expires_at <= datetime.now(UTC):
        raise LinkProblem("expired")
    user = await User.get_or_none(id=link.user_id, is_active=True)
    if user is None or user.birthdate is None:
        raise LinkProblem("invalid")
    return UsableLink(link=link, user=user)


async def complete_link(
    settings: Settings,
    passwords: PasswordService,
    *,
    secret: str,
    password: str,
    password2: str,
    pin: str,
    client: str,
) -> User:
    """Set the password if the PIN is right; then queue mail #2 with the username."""
    usable = await check_link(secret)
    link, user = usable.link, usable.user
    allowed = await ratelimit.all_allowed(
        (PIN_PER_CLIENT, client), (PIN_PER_ACCOUNT, f"{current_tenant_id()}:{user.id}")
    )
    if not allowed:
        log(logger, logging.WARNING, "pin attempts throttled", user_id=user.id)
        raise TooManyAttempts
    assert user.birthdate is not None
    if not secrets.compare_digest(pin.strip().encode(), rules.pin_for(user.birthdate).encode()):
        await AccountLink.filter(id=link.id).update(wrong_pins=F("wrong_pins") + 1)
        left = MAX_WRONG_PINS - link.wrong_pins - 1
        log(logger, logging.WARNING, "wrong pin", user_id=user.id, link_id=link.id, left=left)
        if left <= 0:
            raise LinkProblem("dead")
        raise ValidationFailed(
            {
                "pin": _(
                    "The PIN is not correct. Please enter your date of birth as DDMMYYYY "
                    "(%(left)s attempts left).",
                    left=left,
                )
            }
        )
    errors = rules.password_errors(
        password, password2, birthdate=user.birthdate, username=user.username, email=user.email
    )
    if errors:
        raise ValidationFailed(errors)
    password_hash = await passwords.hash(password)
    now = datetime.now(UTC)
    async with in_transaction():
        claimed = await AccountLink.filter(id=link.id, used_at=None).update(used_at=now)
        if claimed != 1:  # the same link submitted twice at once
            raise LinkProblem("used")
        await User.filter(id=user.id).update(password_hash=password_hash)
        await sessions.end_all_sessions(user.id)
        await notify(
            settings,
            to=user.email,
            language=user.language,
            template="username",
            context={"user": user},
            links={"login_url": "/login"},
        )
    log(logger, logging.INFO, "password set through link", user_id=user.id, purpose=link.purpose)
    return user


async def request_password_reset(settings: Settings, *, identifier: str, client: str) -> None:
    """Mail a reset link to the stored address if the account exists. Says nothing either way."""
    started = time.monotonic()
    identifier = identifier.strip().lower()
    if identifier and await ratelimit.hit(RESET_PER_CLIENT, client):
        query = (
            User.filter(email=identifier) if "@" in identifier else User.filter(username=identifier)
        )
        user = await query.filter(is_active=True).first()
        if (
            user is not None
            and user.birthdate is not None
            and await ratelimit.hit(RESET_PER_ACCOUNT, f"{current_tenant_id()}:{user.id}")
        ):
            async with in_transaction():
                await queue_link_mail(settings, user, purpose="reset")
            log(logger, logging.INFO, "password reset link queued", user_id=user.id)
    # The same answer in the same time, whether or not the account exists.
    await asyncio.sleep(max(0.0, RESET_MIN_SECONDS - (time.monotonic() - started)))
