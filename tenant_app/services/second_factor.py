"""Second factors of the actor's own login: shared by the authenticator app and passkeys.

The authenticator app (TOTP) is set up in two steps: a fresh secret shown as a QR code
(unconfirmed, replaced if started again), then the first code confirms it and ten recovery
codes are shown once. How a code is checked (limits, replay): services/factor_codes.py.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from markupsafe import Markup
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import ValidationFailed
from tenant_app.models.accounts import User
from tenant_app.models.factors import Passkey, RecoveryCode, TotpFactor
from tenant_app.models.scoping import current_tenant_id
from tenant_app.security import totp
from tenant_app.security.passwords import PasswordService
from tenant_app.services import factor_codes, security_mail
from tenant_app.services.factor_codes import TooManyAttempts as TooManyAttempts
from tenant_app.services.factor_codes import recovery_digest as recovery_digest
from tenant_app.services.password_check import check_current_password, ensure_own_login
from tenant_app.settings import Settings
from tenant_app.tenancy import current_tenant
from tenant_app.text.i18n import addressed as _a
from tenant_app.text.i18n import gettext as _

RECOVERY_CODES = 10
# A set-up is confirmed within this time after the password started it; later it is gone (a
# session left open must not finish a set-up its owner began and left).
SETUP_MINUTES = 30


class LoginGone(Exception):
    """The login waiting for its second factor is deactivated, gone, or has no factor."""


async def sync_flag(user_id: int) -> bool:
    """Keep `User.has_second_factor` true exactly while a confirmed authenticator app or a
    passkey exists; call inside the transaction that added or removed one. The new value."""
    has = (
        await TotpFactor.filter(user_id=user_id, confirmed_at__isnull=False).exists()
        or await Passkey.filter(user_id=user_id).exists()
    )
    await User.filter(id=user_id).update(has_second_factor=has)
    return has


async def after_removal(user_id: int) -> bool:
    """A factor went (inside its transaction): the flag follows, and with no factor left the
    recovery codes go too (they stand in for a factor that no longer exists). Whether one
    remains."""
    remaining = await sync_flag(user_id)
    if not remaining:
        await RecoveryCode.filter(user_id=user_id).delete()
    return remaining


def _recovery_code() -> str:
    """Ten characters of an unambiguous alphabet in two groups (about 50 bits)."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


async def issue_recovery_codes(user_id: int) -> list[str]:
    """Replace the user's recovery codes by ten new ones; the codes, to be shown once."""
    codes = [_recovery_code() for _ in range(RECOVERY_CODES)]
    await RecoveryCode.filter(user_id=user_id).delete()
    tenant_id = current_tenant_id()  # bulk_create skips save(), which sets it
    await RecoveryCode.bulk_create(
        [
            RecoveryCode(tenant_id=tenant_id, user_id=user_id, code_hash=recovery_digest(code))
            for code in codes
        ]
    )
    return codes


async def clear_factors(settings: Settings, user: User) -> None:
    """Remove every second factor of a login (app, recovery codes, passkeys): a reset by link.
    Inside the caller's transaction, which also queues the mail telling the user."""
    removed = await TotpFactor.filter(user_id=user.id).delete()
    await RecoveryCode.filter(user_id=user.id).delete()
    removed += await Passkey.filter(user_id=user.id).delete()
    await sync_flag(user.id)
    if removed:
        await security_mail.tell(settings, user, kind="factors_reset")


# --- What the security page shows ------------------------------------------------------------


@dataclass(frozen=True)
class Enrolment:
    """A set-up started and not yet confirmed: what the app needs to read."""

    secret: str  # grouped in fours, for typing it in
    qr: Markup


@dataclass(frozen=True)
class TotpSection:
    enabled: bool
    confirmed_at: datetime | None
    codes_left: int  # unused recovery codes
    pending: Enrolment | None

    @property
    def codes_low(self) -> bool:
        return self.codes_left <= 3


def _enrolment(actor: CurrentUser, secret: str) -> Enrolment:
    issuer = current_tenant().name
    uri = totp.provisioning_uri(secret, account=actor.email or actor.username, issuer=issuer)
    label = _("QR code for the authenticator app")
    return Enrolment(secret=totp.grouped(secret), qr=totp.qr_svg(uri, label=label))


def _setup_since() -> datetime:
    """A set-up started before this moment has expired."""
    return datetime.now(UTC) - timedelta(minutes=SETUP_MINUTES)


async def totp_section(actor: CurrentUser) -> TotpSection:
    ensure_own_login(actor)
    factor = await TotpFactor.get_or_none(user_id=actor.id)
    codes_left = await RecoveryCode.filter(user_id=actor.id, used_at=None).count()
    confirmed = factor is not None and factor.confirmed_at is not None
    pending = factor is not None and not confirmed and factor.created_at >= _setup_since()
    return TotpSection(
        enabled=confirmed,
        confirmed_at=factor.confirmed_at if factor else None,
        codes_left=codes_left,
        pending=_enrolment(actor, factor.secret) if factor and pending else None,
    )


# --- Setting it up, and taking it away -------------------------------------------------------


async def start_totp(actor: CurrentUser, passwords: PasswordService, *, password: str) -> None:
    """A fresh, unconfirmed secret (replacing one not yet confirmed), for the current password:
    whoever has only the session cannot put their own app on the login."""
    ensure_own_login(actor)
    secret = totp.new_secret()
    if await TotpFactor.filter(user_id=actor.id, confirmed_at__isnull=False).exists():
        raise ValidationFailed({"form": _a("The authenticator app is already set up.")})
    await check_current_password(passwords, actor.id, password, field="start_password")
    restarted = await TotpFactor.filter(user_id=actor.id, confirmed_at=None).update(
        secret=secret, last_step=0, created_at=datetime.now(UTC)
    )
    if not restarted:
        try:
            async with in_transaction():
                await TotpFactor.create(user_id=actor.id, secret=secret)
        except IntegrityError:  # started twice at once: the other one's secret stays
            pass


async def cancel_totp(actor: CurrentUser) -> None:
    """Drop a set-up that was not confirmed (a confirmed app is removed by `disable_totp`)."""
    ensure_own_login(actor)
    await TotpFactor.filter(user_id=actor.id, confirmed_at=None).delete()


async def confirm_totp(
    actor: CurrentUser,
    *,
    settings: Settings,
    code: str,
    client: str,
    now: datetime | None = None,
) -> list[str]:
    """The first code proves the app holds the secret: on, ten recovery codes to show, and
    the user told by mail."""
    ensure_own_login(actor)
    factor = await TotpFactor.get_or_none(
        user_id=actor.id, confirmed_at=None, created_at__gte=_setup_since()
    )
    if factor is None:
        raise ValidationFailed({"form": _a("Please start the set-up again.")})
    factor_codes.required(code, "code")
    step = await factor_codes.claimed_step(
        actor.id, factor, code, client=client, now=now, field="code"
    )
    moment = now or datetime.now(UTC)
    async with in_transaction():
        confirmed = await TotpFactor.filter(id=factor.id, confirmed_at=None).update(
            confirmed_at=moment, last_step=step
        )
        if not confirmed:  # confirmed meanwhile by the same form sent twice
            raise ValidationFailed({"code": factor_codes.used_code()})
        codes = await issue_recovery_codes(actor.id)
        await sync_flag(actor.id)
        await security_mail.tell(settings, actor, kind="totp_on")
    return codes


async def disable_totp(
    actor: CurrentUser,
    passwords: PasswordService,
    *,
    settings: Settings,
    password: str,
    code: str,
    client: str,
    now: datetime | None = None,
) -> None:
    """Remove the app with the current password and a code (or a recovery code); without a
    passkey left, the recovery codes go too."""
    ensure_own_login(actor)
    factor = await TotpFactor.get_or_none(user_id=actor.id, confirmed_at__isnull=False)
    if factor is None:
        raise ValidationFailed({"form": _a("The authenticator app is not set up.")})
    errors: dict[str, str] = {}
    if not password:
        errors["disable_password"] = _("Please enter the current password.")
    if not code.strip():
        errors["disable_code"] = factor_codes.enter_code()
    if errors:
        raise ValidationFailed(errors)
    has_passkey = await Passkey.filter(user_id=actor.id).exists()
    if actor.is_staff and current_tenant().staff_2fa_required_at and not has_passkey:
        raise ValidationFailed(
            {
                "form": _(
                    "Your firm requires a second factor for all staff. Add a passkey before "
                    "you remove the authenticator app."
                )
            }
        )
    await check_current_password(passwords, actor.id, password, field="disable_password")
    await factor_codes.check_code(
        actor.id, factor, code, client=client, now=now, field="disable_code"
    )
    async with in_transaction():
        await TotpFactor.filter(id=factor.id).delete()
        await after_removal(actor.id)
        await security_mail.tell(settings, actor, kind="totp_off")


async def regenerate_recovery_codes(
    actor: CurrentUser,
    *,
    settings: Settings,
    code: str,
    client: str,
    now: datetime | None = None,
) -> list[str]:
    """Ten new recovery codes (the old ones stop working), for a current code."""
    ensure_own_login(actor)
    factor = await TotpFactor.get_or_none(user_id=actor.id, confirmed_at__isnull=False)
    if factor is None:
        raise ValidationFailed({"form": _a("The authenticator app is not set up.")})
    factor_codes.required(code, "regenerate_code")
    await factor_codes.check_code(
        actor.id, factor, code, client=client, now=now, field="regenerate_code"
    )
    async with in_transaction():
        codes = await issue_recovery_codes(actor.id)
        await security_mail.tell(settings, actor, kind="recovery_codes")
    return codes


# --- The second step of a login --------------------------------------------------------------


@dataclass(frozen=True)
class LoginOptions:
    """Which second factors the login waiting for one can use (passkeys: their own page part)."""

    has_totp: bool
    has_passkey: bool
    recovery_codes: int


async def login_options(user_id: int) -> LoginOptions:
    """LoginGone if the login cannot continue (deactivated meanwhile, or no factor left)."""
    user = await User.get_or_none(id=user_id, is_active=True)
    if user is None or not user.has_second_factor:
        raise LoginGone
    has_totp = await TotpFactor.filter(user_id=user_id, confirmed_at__isnull=False).exists()
    has_passkey = await Passkey.filter(user_id=user_id).exists()
    codes = await RecoveryCode.filter(user_id=user_id, used_at=None).count()
    return LoginOptions(has_totp=has_totp, has_passkey=has_passkey, recovery_codes=codes)


async def verify_login(
    *, settings: Settings, user_id: int, code: str, client: str, now: datetime | None = None
) -> User:
    """The user who passed the password step, once a code of their app or an unused recovery
    code is right; the caller then starts the session (`auth.start_login`). Wrong codes in a
    row are told to the user (factor_codes.note_wrong_at_login)."""
    user = await User.get_or_none(id=user_id, is_active=True)
    if user is None or not user.has_second_factor:
        raise LoginGone
    factor_codes.required(code, "code")
    factor = await TotpFactor.get_or_none(user_id=user_id, confirmed_at__isnull=False)
    try:
        await factor_codes.check_code(user_id, factor, code, client=client, now=now, field="code")
    except ValidationFailed:
        await factor_codes.note_wrong_at_login(settings, user)
        raise
    await factor_codes.right_at_login(user_id)
    return user


# --- The data export ---------------------------------------------------------------------------


def _app_export(factor: TotpFactor | None) -> dict[str, str | None] | None:
    if factor is None:
        return None
    confirmed = factor.confirmed_at.isoformat() if factor.confirmed_at else None
    return {"created_at": factor.created_at.isoformat(), "confirmed_at": confirmed}


async def export_of(user_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Per login: that an authenticator app exists and since when, and how many recovery codes
    (never a secret or a hash)."""
    factors = {f.user_id: f for f in await TotpFactor.filter(user_id__in=user_ids)}
    codes = await RecoveryCode.filter(user_id__in=user_ids).values_list("user_id", "used_at")
    return {
        user_id: {
            "authenticator_app": _app_export(factors.get(user_id)),
            "recovery_codes": {
                "issued": sum(1 for owner, _used in codes if owner == user_id),
                "unused": sum(1 for owner, used in codes if owner == user_id and used is None),
            },
        }
        for user_id in user_ids
    }
