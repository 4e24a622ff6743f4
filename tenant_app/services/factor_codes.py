"""Checking a second-factor code: limits claimed first, replay refused, recovery codes used up.

Codes are claimed against the limits before they are checked, as PINs are, and a right one
gives its attempt back: only failures add up. An app code's time step is stored when it is
used, so neither it nor an older one works again.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tenant_app.errors import ValidationFailed
from tenant_app.models.accounts import User
from tenant_app.models.factors import RecoveryCode, TotpFactor
from tenant_app.models.scoping import current_tenant_id
from tenant_app.security import ratelimit, totp
from tenant_app.security.cookies import token_digest
from tenant_app.services import security_mail
from tenant_app.settings import Settings
from tenant_app.text.i18n import addressed as _a

# Wrong codes (app or recovery) per account, and per client whatever account: like PINs. With
# three codes valid at a time, 10 an hour leave a guesser about 1 in 4,000 a day.
CODE_PER_ACCOUNT = ratelimit.Limit("factor-code-account", 10, 3600)
CODE_PER_CLIENT = ratelimit.Limit("factor-code-client", 20, 3600)
# Wrong codes in a row at the login's second step, per account: at the fifth the owner is
# mailed (someone has their password), then again at most once an hour (WARNED_AT_LOGIN).
WRONG_AT_LOGIN = ratelimit.Limit("factor-login-wrong", 5, 3600)
WARNED_AT_LOGIN = ratelimit.Limit("factor-login-warned", 1, 3600)


class TooManyAttempts(Exception):
    """Too many wrong codes for this account, or from this client, within the hour."""


def recovery_digest(code: str) -> str:
    """Codes are compared without case, spaces or dashes, as people type them."""
    return token_digest("".join(ch for ch in code.lower() if ch.isalnum()))


def enter_code() -> str:
    return _a("Please enter the 6-digit code from your authenticator app or a recovery code.")


def used_code() -> str:
    return _a("This code has already been used. Please wait for the next code of your app.")


def required(code: str, field: str) -> None:
    """An empty field is a message, not an attempt."""
    if not code.strip():
        message = _a("Please enter the 6-digit code from your authenticator app.")
        raise ValidationFailed({field: message if field == "code" else enter_code()})


async def _claim(user_id: int, client: str) -> tuple[tuple[ratelimit.Limit, str], ...]:
    limits = (
        (CODE_PER_CLIENT, client),
        (CODE_PER_ACCOUNT, f"{current_tenant_id()}:{user_id}"),
    )
    if not await ratelimit.all_allowed(*limits):
        raise TooManyAttempts
    return limits


async def claimed_step(
    user_id: int,
    factor: TotpFactor,
    code: str,
    *,
    client: str,
    now: datetime | None,
    field: str,
) -> int:
    """The time step of a right app code not used before (with its attempt given back)."""
    limits = await _claim(user_id, client)
    step = totp.matched_step(factor.secret, code, now=now)
    if step is None:
        raise ValidationFailed({field: wrong_code(code)})
    if step <= factor.last_step:
        raise ValidationFailed({field: used_code()})
    await ratelimit.release_all(*limits)
    return step


def wrong_code(code: str) -> str:
    if totp.looks_like_code(code):
        return _a("The code is not correct. Please enter the current code from your app.")
    return _a("The code is not correct. Please check the 6-digit code or the recovery code.")


async def check_code(
    user_id: int,
    factor: TotpFactor | None,
    code: str,
    *,
    client: str,
    now: datetime | None,
    field: str,
) -> None:
    """A code of the (confirmed) app, used up by its time step, or an unused recovery code,
    used up; ValidationFailed (on `field`) or TooManyAttempts otherwise."""
    if factor is not None and totp.looks_like_code(code):
        step = await claimed_step(user_id, factor, code, client=client, now=now, field=field)
        # One statement: two logins with the same code at once cannot both pass.
        if not await TotpFactor.filter(id=factor.id, last_step__lt=step).update(last_step=step):
            raise ValidationFailed({field: used_code()})
        return
    limits = await _claim(user_id, client)
    if totp.looks_like_code(code) or not await use_recovery_code(user_id, code, now=now):
        raise ValidationFailed({field: wrong_code(code)})
    await ratelimit.release_all(*limits)


async def use_recovery_code(user_id: int, code: str, *, now: datetime | None) -> bool:
    """Mark an unused recovery code used; whether there was one (one statement: single use
    even when sent twice at once)."""
    if len(code) > 40:
        return False
    used = await RecoveryCode.filter(
        user_id=user_id, code_hash=recovery_digest(code), used_at=None
    ).update(used_at=now or datetime.now(UTC))
    return bool(used)


async def note_wrong_at_login(settings: Settings, user: User) -> None:
    """A wrong code at the login's second step (the password was right): the fifth in a row
    tells the owner that someone knows their password, at most once an hour."""
    subject = f"{current_tenant_id()}:{user.id}"
    if await ratelimit.counted(WRONG_AT_LOGIN, subject) < WRONG_AT_LOGIN.attempts:
        return
    if await ratelimit.hit(WARNED_AT_LOGIN, subject):
        await security_mail.tell(settings, user, kind="factor_failed")


async def right_at_login(user_id: int) -> None:
    """The second step succeeded: wrong codes before it no longer add up."""
    await ratelimit.reset(WRONG_AT_LOGIN, f"{current_tenant_id()}:{user_id}")
