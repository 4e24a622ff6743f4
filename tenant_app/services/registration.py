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

from tortoise.transactions import in_transaction

from tenant_app.errors import ValidationFailed
from tenant_app.logs import log
from tenant_app.mail.notify import notify
from tenant_app.models.accounts import AccountLink, User
from tenant_app.models.scoping import current_tenant_id
from tenant_app.queries import sql
from tenant_app.schemas import rules
from tenant_app.security import ratelimit, sessions
from tenant_app.security.cookies import token_digest
from tenant_app.security.passwords import PasswordService
from tenant_app.services import notices, second_factor
from tenant_app.services.accounts import MAX_WRONG_PINS, queue_link_mail
from tenant_app.settings import Settings
from tenant_app.text.i18n import addressed as _a

logger = logging.getLogger("tenant_app.registration")

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
    if link.expires_at <= await sql.database_time():  # the clock it was written by
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
    """Set the password if the PIN is right; after a registration, queue mail #2 (username).

    The new password is judged first: a refused one spends none of the PIN attempts.
    """
    usable = await check_link(secret)
    link, user = usable.link, usable.user
    errors = rules.password_errors_of(user, password, password2)
    if not pin.strip():
        errors["pin"] = _a("Please enter your PIN: your date of birth as DDMMYYYY.")
    if errors:
        raise ValidationFailed(errors)
    await _check_pin(settings, secret, usable, pin=pin, client=client)
    password_hash = await passwords.hash(password)
    now = datetime.now(UTC)
    async with in_transaction():
        claimed = await AccountLink.filter(id=link.id, used_at=None, revoked_at=None).update(
            used_at=now
        )
        if claimed != 1:  # the same link submitted twice at once, or revoked meanwhile
            raise LinkProblem("used")
        registered = {"registered_at": now} if user.registered_at is None else {}
        await User.filter(id=user.id).update(password_hash=password_hash, **registered)
        await sessions.end_all_sessions(user.id)
        if link.clears_factors:  # sent by staff for someone who lost their second factor
            await second_factor.clear_factors(settings, user)
        if link.purpose == "register":  # a reset was asked for by name: no second mail
            await notify(
                settings,
                to=user.email,
                language=user.language,
                template="username",
                context={"user": user},
                links={"login_url": "/login"},
                user_id=user.id,  # its form of address, if an invitation chose one
            )
    log(
        logger,
        logging.INFO,
        "password set through link",
        user_id=user.id,
        purpose=link.purpose,
        cleared_factors=link.clears_factors,
    )
    return user


# One statement claims an attempt, so parallel requests cannot all pass a check made before:
# the link dies after MAX_WRONG_PINS however many PINs arrive at once.
_CLAIM_SQL = (
    "UPDATE account_link SET wrong_pins = wrong_pins + 1"
    " WHERE id = :link_id AND tenant_id = :tenant_id AND wrong_pins < :most"
    " AND used_at IS NULL AND revoked_at IS NULL RETURNING wrong_pins"
)
_RELEASE_SQL = (
    "UPDATE account_link SET wrong_pins = wrong_pins - 1"
    " WHERE id = :link_id AND tenant_id = :tenant_id AND wrong_pins > 0"
)


async def _check_pin(
    settings: Settings, secret: str, usable: UsableLink, *, pin: str, client: str
) -> None:
    """Claim an attempt (per client, account and link), then compare; a right PIN gives it back."""
    link, user = usable.link, usable.user
    limits = ((PIN_PER_CLIENT, client), (PIN_PER_ACCOUNT, f"{current_tenant_id()}:{user.id}"))
    if not await ratelimit.all_allowed(*limits):
        log(logger, logging.WARNING, "pin attempts throttled", user_id=user.id)
        raise TooManyAttempts
    row = await sql.fetch_one(_CLAIM_SQL, link_id=link.id, most=MAX_WRONG_PINS)
    if row is None:  # dead, used or replaced since it was looked up: say which
        await check_link(secret)
        raise LinkProblem("dead")
    assert user.birthdate is not None  # check_link lets no link without one through
    if secrets.compare_digest(pin.strip().encode(), rules.pin_for(user.birthdate).encode()):
        await sql.execute(_RELEASE_SQL, link_id=link.id)
        await ratelimit.release_all(*limits)
        return
    left = MAX_WRONG_PINS - int(row["wrong_pins"])
    log(logger, logging.WARNING, "wrong pin", user_id=user.id, link_id=link.id, left=left)
    if left <= 0:
        await _link_locked(settings, user)
        raise LinkProblem("dead")
    raise ValidationFailed(
        {
            "pin": _a(
                "The PIN is not correct. Please enter your date of birth as DDMMYYYY "
                "(%(left)s attempts left).",
                left=left,
            )
        }
    )


async def _link_locked(settings: Settings, user: User) -> None:
    """Someone must call the person: customers' staff learn it by a notice on the contact
    (and its mail); a staff member's link shows as locked in the user list for the admins."""
    log(logger, logging.WARNING, "link locked after wrong pins", user_id=user.id)
    if user.contact_id is None:
        return
    async with in_transaction():
        await notices.record(
            contact_id=user.contact_id,
            kind="link_locked",
            details=f"{MAX_WRONG_PINS} wrong PINs for {user.username}",
            settings=settings,
        )


async def request_password_reset(settings: Settings, *, identifier: str, client: str) -> None:
    """Mail a reset link to the stored address if the account exists. Says nothing either way."""
    started = time.monotonic()
    identifier = identifier.strip().lower()
    if identifier and await ratelimit.hit(RESET_PER_CLIENT, client):
        query = (
            User.filter(email=identifier) if "@" in identifier else User.filter(username=identifier)
        )
        user = await query.filter(is_active=True).exclude(kind="api").first()  # people only
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
