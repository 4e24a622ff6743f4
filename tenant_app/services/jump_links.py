"""Jump-in links (Absprung): the broker's own system asks for a short-lived, single-use link
that logs a named staff member into an advice case (or a contact) here.

A link is for an adviser working cases, never for an account that administers the tenant
(an admin, or staff who manage users or settings): their session could make tokens or staff
of any rights, so a token allowed to ask for links (scope `jump_links:write`) would reach
everything through them.

The link carries a random secret; only its sha256 is stored. Opening it uses it up at once
(one atomic UPDATE: a second opening, or one after it expired, changes nothing), checks
again that the staff member is active, administers nothing and sees the contact, and that
the token that asked for it is still valid (not revoked, not expired), and then logs them
in exactly as the login form does (services/auth.start_login: session, login history,
new-device mail), or, with a second factor, hands over to the login's second step first.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from tenant_app.actors import CurrentUser, actor_from
from tenant_app.errors import NotFound, PermissionDenied, ValidationFailed
from tenant_app.models.accounts import User
from tenant_app.models.cases import AdviceCase
from tenant_app.models.contacts import Contact
from tenant_app.models.integration import ApiToken, JumpLink
from tenant_app.permissions import can_manage_settings, can_manage_users, is_admin
from tenant_app.queries.sql import database_time
from tenant_app.security.cookies import token_digest
from tenant_app.services import api_tokens, auth
from tenant_app.services.cases import staff_sees_contact
from tenant_app.settings import Settings
from tenant_app.tenancy import current_tenant, public_base_url
from tenant_app.text.i18n import gettext as _
from tenant_app.vocabulary import JUMP_TARGETS

JUMP_PATH = "/jump/"  # + the secret: the public route (web/jump.py)
DEFAULT_TTL = 120  # seconds
MIN_TTL, MAX_TTL = 10, 600  # seconds: long enough to click, too short to pass around
SECRET_MAX = 100  # characters: token_urlsafe(32) is 43; anything longer is no link of ours
SCOPE = "jump_links:write"  # what a token needs to ask for a link (api/jump_links.py)


class JumpLinkGone(Exception):
    """The link was used already or has expired (410)."""


class JumpLinkRefused(Exception):
    """The link was good, but its staff member is no longer active, administers the tenant
    now, or no longer sees the case or contact it leads to, or the token that asked for it
    was revoked or has expired (it is used up all the same)."""


@dataclass(frozen=True)
class Jump:
    """A redeemed link: the login (without a session yet when a second factor must follow)
    and where it leads."""

    login: auth.LoginResult
    target_type: str  # case | contact
    target_id: int


def is_api_caller(actor: CurrentUser) -> bool:
    """An API token's actor (services/api_tokens.py: staff of role `api`)."""
    return actor.kind == "staff" and actor.role == "api"


def may_issue_jump_links(actor: CurrentUser) -> bool:
    """The broker's system through its API token (scope `jump_links:write`), or an admin."""
    return is_api_caller(actor) or is_admin(actor)


def administers(user: User) -> bool:
    """An admin, or staff who may manage users or settings: no jump-in link is made for them,
    nor logs them in (see the module's description)."""
    account = actor_from(user)
    return is_admin(account) or can_manage_users(account) or can_manage_settings(account)


async def _refuse_administrators(user_id: int) -> None:
    user = await User.get_or_none(id=user_id, kind="staff")
    if user is not None and administers(user):
        message = _(
            "Jump-in links are only for staff who work on cases, not for administrators or"
            " staff who manage users or settings."
        )
        raise ValidationFailed({"user_id": message})


async def _token_still_valid(token_id: int | None) -> bool:
    """A link a token asked for works only while the token does (and may still ask)."""
    if token_id is None:
        return True
    caller = await api_tokens.caller_of_token(token_id)
    return caller is not None and caller.allows(SCOPE)


async def _contact_of(target_type: str, target_id: int) -> int | None:
    """The contact a case or contact target belongs to, if it exists in this tenant."""
    if target_type == "case":
        rows = await AdviceCase.filter(id=target_id).values_list("contact_id", flat=True)
    else:
        rows = await Contact.filter(id=target_id).values_list("id", flat=True)
    return int(str(rows[0])) if rows else None


@dataclass(frozen=True)
class IssuedLink:
    url: str  # absolute: the tenant's own address, /jump/, the secret
    expires_at: datetime


async def create_jump_link(
    actor: CurrentUser,
    *,
    settings: Settings,
    user_id: int,
    target_type: str = "case",
    target_id: int,
    ttl: int = DEFAULT_TTL,
) -> str:
    """The absolute URL of a new link for staff member `user_id` to the case (or contact)
    `target_id`, valid for `ttl` seconds. NotFound if the target does not exist here;
    ValidationFailed if the user is not an active staff member who sees its contact."""
    issued = await issue_jump_link(
        actor,
        settings=settings,
        user_id=user_id,
        target_type=target_type,
        target_id=target_id,
        ttl=ttl,
    )
    return issued.url


async def issue_jump_link(
    actor: CurrentUser,
    *,
    settings: Settings,
    user_id: int,
    target_type: str,
    target_id: int,
    ttl: int,
) -> IssuedLink:
    """`create_jump_link`, with when the link expires (what the API answers)."""
    if not may_issue_jump_links(actor):
        raise PermissionDenied
    if target_type not in JUMP_TARGETS:
        raise ValidationFailed({"target_type": _("Please choose one of the options.")})
    if not MIN_TTL <= ttl <= MAX_TTL:
        message = _("Please enter a number from %(low)s to %(high)s.", low=MIN_TTL, high=MAX_TTL)
        raise ValidationFailed({"ttl": message})
    contact_id = await _contact_of(target_type, target_id)
    if contact_id is None:
        raise NotFound
    await _refuse_administrators(user_id)
    if not await staff_sees_contact(user_id, contact_id):
        message = _("This is no active staff member who may see the contact.")
        raise ValidationFailed({"user_id": message})
    token = await ApiToken.get_or_none(user_id=actor.id) if is_api_caller(actor) else None
    secret = secrets.token_urlsafe(32)
    expires_at = await database_time() + timedelta(seconds=ttl)
    await JumpLink.create(
        token_hash=token_digest(secret),
        user_id=user_id,
        target_type=target_type,
        target_id=target_id,
        created_by_token_id=token.id if token else None,
        expires_at=expires_at,
    )
    url = f"{public_base_url(settings, current_tenant())}{JUMP_PATH}{secret}"
    return IssuedLink(url=url, expires_at=expires_at)


async def staff_member_id(username: str) -> int:
    """The active staff member with this username or e-mail address (how the broker's system
    may name them), else ValidationFailed on `username`."""
    name = username.strip().lower()
    query = User.filter(email=name) if "@" in name else User.filter(username=name)
    found = await query.filter(kind="staff", is_active=True).first()
    if found is None:
        raise ValidationFailed({"username": _("There is no active staff member with this name.")})
    return found.id


async def _use_up(secret: str) -> JumpLink:
    """Mark the link used, once: NotFound if there is none, JumpLinkGone if it is spent."""
    if not secret or len(secret) > SECRET_MAX:
        raise NotFound
    digest = token_digest(secret)
    now = await database_time()  # the clock it was dated by
    used = await JumpLink.filter(token_hash=digest, used_at=None, expires_at__gt=now).update(
        used_at=now
    )
    link = await JumpLink.get_or_none(token_hash=digest)
    if link is None:
        raise NotFound
    if not used:
        raise JumpLinkGone
    return link


async def redeem_jump_link(
    settings: Settings, *, secret: str, client: str, user_agent: str, device: str | None
) -> Jump:
    """Use the link up and log its staff member in (see the module's description)."""
    link = await _use_up(secret)
    user = await User.get_or_none(id=link.user_id, kind="staff", is_active=True)
    if user is None or administers(user) or not await _token_still_valid(link.created_by_token_id):
        raise JumpLinkRefused
    contact_id = await _contact_of(link.target_type, link.target_id)
    if contact_id is None or not await staff_sees_contact(user.id, contact_id):
        raise JumpLinkRefused
    if user.has_second_factor:  # the login's second step follows, as after a password
        login = auth.LoginResult(user=user, cookie_secret=None)
    else:
        login = await auth.start_login(
            settings, user, client=client, user_agent=user_agent, device=device
        )
    return Jump(login=login, target_type=link.target_type, target_id=link.target_id)
