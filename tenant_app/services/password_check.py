"""Changes to one's own login: only by the user themselves (never by staff viewing the
portal as them), and with the current password asked again before a change to its security:
a new password, adding or removing a second factor, turning the sign-in mails off."""

from __future__ import annotations

from tenant_app.actors import CurrentUser
from tenant_app.errors import PermissionDenied, ValidationFailed
from tenant_app.models.accounts import User
from tenant_app.models.scoping import current_tenant_id
from tenant_app.security import ratelimit
from tenant_app.security.passwords import PasswordService
from tenant_app.text.i18n import gettext as _

# Wrong current passwords per account, on every form that asks for it together: a session
# left open on a shared computer must not become a way to guess the password it was opened
# with. Attempts are claimed before the hash is checked; a right one gives its attempt back.
CHANGE_PER_ACCOUNT = ratelimit.Limit("password-change", 5, 15 * 60)


def ensure_own_login(actor: CurrentUser) -> None:
    """PermissionDenied while staff view the portal as this customer: the login is not theirs
    to look into or change."""
    if actor.read_only:
        raise PermissionDenied


async def check_current_password(
    passwords: PasswordService, user_id: int, password: str, *, field: str = "current_password"
) -> None:
    """ValidationFailed on `field` unless `password` is the login's current one (an empty
    field is a message, not an attempt)."""
    if not password:
        raise ValidationFailed({field: _("Please enter the current password.")})
    attempt = (CHANGE_PER_ACCOUNT, f"{current_tenant_id()}:{user_id}")
    if not await ratelimit.hit(*attempt):
        message = _("Too many attempts. Please wait a few minutes and try again.")
        raise ValidationFailed({field: message})
    user = await User.get(id=user_id)
    if not await passwords.verify(user.password_hash, password):
        raise ValidationFailed({field: _("The current password is not correct.")})
    await ratelimit.release(*attempt)
