"""Passkeys (WebAuthn) of the actor's own login: register several, name them, remove them;
log in with one instead of the password, or confirm a password login with one.

The ceremonies are in security/webauthn_ceremony.py; here they meet the database. A challenge
comes back signed (its cookie is the web layer's), and is claimed here exactly once: a response
sent again, even within the challenge's few minutes, is refused.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, ValidationFailed
from tenant_app.logs import log
from tenant_app.models.accounts import User
from tenant_app.models.factors import Passkey, RecoveryCode, TotpFactor
from tenant_app.models.scoping import current_tenant_id
from tenant_app.security import ratelimit
from tenant_app.security.passwords import PasswordService
from tenant_app.security.webauthn_ceremony import (
    CHALLENGE_SECONDS,
    CeremonyFailed,
    Challenge,
    RelyingParty,
    StoredCredential,
    authentication_options,
    read_assertion,
    registration_options,
    user_handle,
    verify_authentication,
    verify_registration,
)
from tenant_app.services import factor_codes, second_factor, security_mail
from tenant_app.services.password_check import check_current_password, ensure_own_login
from tenant_app.settings import Settings
from tenant_app.tenancy import current_tenant
from tenant_app.text.i18n import gettext as _

logger = logging.getLogger("tenant_app.passkeys")

NAME_CHARS = 80
# Failed passkey logins per client, like failed passwords: a response cannot be guessed, but
# each costs a signature check and a look-up, and a broken script must not loop for ever.
PER_CLIENT = ratelimit.Limit("passkey-client", 30, 15 * 60)
# A challenge is claimed once; the window outlives the challenge, so it never counts anew.
_CHALLENGE_USE = ratelimit.Limit("passkey-challenge", 1, 2 * CHALLENGE_SECONDS)
MAX_PER_USER = 20


class PasskeyFailed(Exception):
    """The passkey did not prove anything (or the challenge is gone). `reason` is for the page:
    failed | expired | unknown (no such passkey here) | exists (registered already)."""

    def __init__(self, reason: str = "failed") -> None:
        super().__init__(reason)
        self.reason = reason


class PasskeyThrottled(Exception):
    """Too many failed passkey attempts from this client."""


@dataclass(frozen=True)
class PasskeyRow:
    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None


@dataclass(frozen=True)
class Registered:
    passkey: PasskeyRow
    recovery_codes: list[str]  # issued with the first passkey (shown once); else empty


def clean_name(raw: str) -> str:
    """The name the user gave, tidied: spaces collapsed, no control characters, 1-80 chars."""
    name = " ".join(raw.split())
    if not name:
        raise ValidationFailed({"name": _("Please give the passkey a name.")})
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise ValidationFailed({"name": _("Invalid input.")})
    if len(name) > NAME_CHARS:
        message = _("Please enter at most %(n)s characters.", n=NAME_CHARS)
        raise ValidationFailed({"name": message})
    return name


def _stored(passkey: Passkey) -> StoredCredential:
    return StoredCredential(
        credential_id=passkey.credential_id,
        public_key=passkey.public_key,
        sign_count=passkey.sign_count,
        transports=passkey.transports,
    )


def _row(passkey: Passkey) -> PasskeyRow:
    return PasskeyRow(passkey.id, passkey.name, passkey.created_at, passkey.last_used_at)


async def passkeys_of(actor: CurrentUser) -> list[PasskeyRow]:
    """The actor's passkeys, oldest first (the section of "Anmeldung & Sicherheit")."""
    ensure_own_login(actor)
    rows = await Passkey.filter(user_id=actor.id).order_by("created_at", "id")
    return [_row(passkey) for passkey in rows]


async def start_registration(
    actor: CurrentUser,
    rp: RelyingParty,
    passwords: PasswordService,
    *,
    name: str,
    current_password: str,
) -> tuple[dict[str, Any], Challenge]:
    """Options for the browser and the challenge to keep, for a passkey named `name`. The
    current password comes first (counted as on the password form): whoever has only the
    session cannot give themselves a way in that outlives a new password."""
    ensure_own_login(actor)
    try:
        name = clean_name(name)
    except ValidationFailed as failed:  # both messages at once; no password checked yet
        if not current_password:
            failed.errors["current_password"] = _("Please enter the current password.")
        raise
    existing = await Passkey.filter(user_id=actor.id)
    if len(existing) >= MAX_PER_USER:
        message = _("At most %(n)s passkeys per login.", n=MAX_PER_USER)
        raise ValidationFailed({"name": message})
    await check_current_password(passwords, actor.id, current_password)
    options, value = registration_options(
        rp,
        handle=user_handle(current_tenant_id(), actor.id),
        user_name=actor.username,
        display_name=actor.full_name,
        existing=[_stored(passkey) for passkey in existing],
    )
    return options, Challenge("register", value, actor.id, name)


async def _claim(challenge: Challenge | None, kind: str, user_id: int = 0) -> Challenge:
    """The challenge, if it is of this ceremony and user and has not been used before."""
    if challenge is None or challenge.kind != kind or challenge.user_id != user_id:
        raise PasskeyFailed("expired")
    subject = f"{current_tenant_id()}:{challenge.value}"
    if not await ratelimit.hit(_CHALLENGE_USE, subject):
        log(logger, logging.WARNING, "passkey challenge replayed", kind=kind)
        raise PasskeyFailed("expired")
    return challenge


async def register(
    actor: CurrentUser,
    rp: RelyingParty,
    *,
    settings: Settings,
    challenge: Challenge | None,
    credential: Any,
) -> Registered:
    """Store the passkey the browser made for the challenge of `start_registration` (and tell
    the user by mail). The first factor of a login also brings its recovery codes (unless it
    still has unused ones)."""
    ensure_own_login(actor)
    claimed = await _claim(challenge, "register", actor.id)
    if not isinstance(credential, dict):
        raise PasskeyFailed
    try:
        new = verify_registration(rp, credential=credential, challenge=claimed.value)
    except CeremonyFailed as failure:
        log(logger, logging.WARNING, "passkey registration refused", reason=str(failure))
        raise PasskeyFailed from failure
    codes: list[str] = []
    try:
        async with in_transaction():
            passkey = await Passkey.create(
                user_id=actor.id,
                credential_id=new.credential_id,
                public_key=new.public_key,
                sign_count=new.sign_count,
                transports=new.transports,
                name=claimed.name,
            )
            if not await RecoveryCode.filter(user_id=actor.id, used_at__isnull=True).exists():
                codes = await second_factor.issue_recovery_codes(actor.id)
            await second_factor.sync_flag(actor.id)
            await security_mail.tell(settings, actor, kind="passkey_added", passkey=passkey.name)
    except IntegrityError as duplicate:  # this authenticator's key is registered already
        raise PasskeyFailed("exists") from duplicate
    return Registered(passkey=_row(passkey), recovery_codes=codes)


async def _own_passkey(actor: CurrentUser, passkey_id: int) -> Passkey:
    ensure_own_login(actor)
    passkey = await Passkey.get_or_none(id=passkey_id, user_id=actor.id)
    if passkey is None:  # another user's, another tenant's (scoped away), or gone
        raise NotFound
    return passkey


async def rename(actor: CurrentUser, passkey_id: int, *, name: str) -> None:
    passkey = await _own_passkey(actor, passkey_id)
    await Passkey.filter(id=passkey.id).update(name=clean_name(name))


async def remove(
    actor: CurrentUser,
    passwords: PasswordService,
    passkey_id: int,
    *,
    settings: Settings,
    current_password: str,
) -> bool:
    """Remove one of the actor's passkeys; the current password proves it is them (wrong
    ones are counted as on the password form), and a mail tells them. True while a second
    factor remains; without one the recovery codes go too (they stand in for a factor that
    no longer exists)."""
    passkey = await _own_passkey(actor, passkey_id)
    if actor.is_staff and current_tenant().staff_2fa_required_at and await _is_last_factor(actor):
        message = _(
            "Your firm requires a second factor for all staff. Add another passkey or the "
            "authenticator app before you remove this passkey."
        )
        raise ValidationFailed({"current_password": message})
    await check_current_password(passwords, actor.id, current_password)
    async with in_transaction():
        await Passkey.filter(id=passkey.id).delete()
        remaining = await second_factor.after_removal(actor.id)
        await security_mail.tell(settings, actor, kind="passkey_removed", passkey=passkey.name)
    return remaining


async def _is_last_factor(actor: CurrentUser) -> bool:
    if await TotpFactor.filter(user_id=actor.id, confirmed_at__isnull=False).exists():
        return False
    return await Passkey.filter(user_id=actor.id).count() <= 1


async def start_login(rp: RelyingParty, *, user_id: int | None) -> tuple[dict[str, Any], Challenge]:
    """Options to log in: passwordless (`user_id` None: any passkey of this host, the person
    verified by the device) or as the second step of `user_id`'s password login (only their
    passkeys)."""
    if user_id is None:
        options, value = authentication_options(rp, allowed=[], require_user_verification=True)
        return options, Challenge("login", value)
    allowed = [_stored(p) for p in await Passkey.filter(user_id=user_id).order_by("id")]
    if not allowed:
        raise PasskeyFailed("unknown")
    options, value = authentication_options(rp, allowed=allowed, require_user_verification=False)
    return options, Challenge("second", value, user_id)


async def authenticate(
    rp: RelyingParty,
    *,
    challenge: Challenge | None,
    credential: Any,
    client: str,
    user_id: int | None,
) -> User:
    """The user the passkey proves, for `auth.start_login`. Failures are counted per client
    (a success gives its attempt back); `user_id` as for `start_login`."""
    by_client = (PER_CLIENT, client)
    if not await ratelimit.hit(*by_client):
        raise PasskeyThrottled
    user = await _authenticated(rp, challenge, credential, user_id)
    await ratelimit.release(*by_client)
    if user_id is not None:  # the second step: wrong codes typed before no longer add up
        await factor_codes.right_at_login(user.id)
    return user


async def _authenticated(
    rp: RelyingParty, challenge: Challenge | None, credential: Any, user_id: int | None
) -> User:
    passwordless = user_id is None
    claimed = await _claim(challenge, "login" if passwordless else "second", user_id or 0)
    if not isinstance(credential, dict):
        raise PasskeyFailed
    try:
        assertion = read_assertion(credential)
    except CeremonyFailed as failure:
        log(logger, logging.WARNING, "passkey login refused", reason=str(failure))
        raise PasskeyFailed from failure
    passkey = await Passkey.get_or_none(credential_id=assertion.credential_id)
    if passkey is None or (not passwordless and passkey.user_id != user_id):
        raise PasskeyFailed("unknown")
    # The device's account for this key must be the key's owner (WebAuthn §7.2 step 6).
    if assertion.handle is not None and assertion.handle != user_handle(
        current_tenant_id(), passkey.user_id
    ):
        raise PasskeyFailed
    try:
        sign_count = verify_authentication(
            rp,
            credential=credential,
            challenge=claimed.value,
            stored=_stored(passkey),
            require_user_verification=passwordless,
        )
    except CeremonyFailed as failure:
        log(logger, logging.WARNING, "passkey login refused", reason=str(failure))
        raise PasskeyFailed from failure
    user = await User.get_or_none(id=passkey.user_id, is_active=True)
    if user is None or not user.password_hash:  # deactivated, or never registered
        raise PasskeyFailed
    used = Passkey.filter(id=passkey.id)
    if sign_count:  # in the same statement: of two logins with one count, only one passes
        used = used.filter(sign_count__lt=sign_count)
    if not await used.update(sign_count=sign_count, last_used_at=datetime.now(UTC)):
        raise PasskeyFailed
    return user


async def export_of(user_ids: list[int]) -> dict[int, list[dict[str, str | None]]]:
    """Per login, its passkeys for the data export: name and dates, never a key."""
    rows = await Passkey.filter(user_id__in=user_ids).order_by("created_at", "id")
    exported: dict[int, list[dict[str, str | None]]] = {user_id: [] for user_id in user_ids}
    for passkey in rows:
        used = passkey.last_used_at.isoformat() if passkey.last_used_at else None
        exported[passkey.user_id].append(
            {
                "name": passkey.name,
                "created_at": passkey.created_at.isoformat(),
                "last_used_at": used,
            }
        )
    return exported
