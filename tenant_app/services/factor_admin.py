"""What staff decide about other people's second factors: the tenant-wide requirement for
staff, and a lost factor (a customer's or a colleague's) reset through the same link-and-PIN
flow as a forgotten password (the link removes the factors once used with the PIN)."""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, PermissionDenied, ValidationFailed
from tenant_app.models.accounts import User
from tenant_app.models.scoping import current_tenant_id
from tenant_app.models.tenancy import Tenant
from tenant_app.permissions import (
    can_manage_contacts,
    can_manage_settings,
)
from tenant_app.services.accounts import colleague_for, queue_link_mail
from tenant_app.settings import Settings
from tenant_app.tenancy import tenant_cache
from tenant_app.text.i18n import gettext as _

MAX_GRACE_DAYS = 90


def _grace_days(value: str) -> int:
    text = value.strip()
    if not text.isascii() or not text.isdigit() or int(text) > MAX_GRACE_DAYS:
        message = _("Please enter a number of days from 0 to %(most)s.", most=MAX_GRACE_DAYS)
        raise ValidationFailed({"grace_days": message})
    return int(text)


async def require_staff_factor(
    actor: CurrentUser, *, grace_days: str, now: datetime | None = None
) -> None:
    """Every staff login needs a second factor once `grace_days` have passed. Already
    required: only the grace period changes, counted from when it was first required."""
    if not can_manage_settings(actor):
        raise PermissionDenied
    days = _grace_days(grace_days)
    tenant = Tenant.filter(id=current_tenant_id())
    await tenant.filter(staff_2fa_required_at__isnull=False).update(staff_2fa_grace_days=days)
    await tenant.filter(staff_2fa_required_at=None).update(
        staff_2fa_required_at=now or datetime.now(UTC), staff_2fa_grace_days=days
    )
    tenant_cache.invalidate()  # other processes follow within the cache's few seconds


async def lift_staff_factor(actor: CurrentUser) -> None:
    """Staff choose again whether they use a second factor."""
    if not can_manage_settings(actor):
        raise PermissionDenied
    await Tenant.filter(id=current_tenant_id()).update(staff_2fa_required_at=None)
    tenant_cache.invalidate()


async def send_factor_reset(actor: CurrentUser, *, settings: Settings, contact_id: int) -> User:
    """Mail the customer of a (visible) contact a reset link that, used with their PIN and a
    new password, removes their second factors; older links stop working."""
    if not can_manage_contacts(actor):
        raise PermissionDenied
    user = await User.get_or_none(contact_id=contact_id, kind="customer")
    if user is None:
        raise NotFound
    await _send_reset(settings, user)
    return user


async def send_staff_factor_reset(actor: CurrentUser, *, settings: Settings, user_id: int) -> User:
    """The same for a colleague who lost their phone and recovery codes, by who manages
    users (an admin's only by an admin; one's own factors are on one's security page)."""
    user = await colleague_for(actor, user_id)
    await _send_reset(settings, user)
    return user


async def _send_reset(settings: Settings, user: User) -> None:
    if not user.has_second_factor:
        raise ValidationFailed({"account": _("The account has no second factor.")})
    if not user.is_active:
        raise ValidationFailed({"account": _("The account is deactivated.")})
    if user.birthdate is None:  # the link's PIN is the date of birth
        raise ValidationFailed({"account": _("The date of birth (the link's PIN) is missing.")})
    async with in_transaction():
        await queue_link_mail(settings, user, purpose="reset", clears_factors=True)
