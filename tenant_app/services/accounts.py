"""Staff users and customer accounts: create, change, deactivate, and e-mail their links."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, PermissionDenied, ValidationFailed
from tenant_app.mail.notify import notify
from tenant_app.models.accounts import AccountLink, User
from tenant_app.models.contacts import Contact
from tenant_app.permissions import can_manage_contacts, can_manage_users, is_admin, is_staff
from tenant_app.queries.sql import database_time
from tenant_app.schemas import rules
from tenant_app.schemas.base import checked
from tenant_app.schemas.people import StaffUserInput
from tenant_app.schemas.settings import LanguageInput
from tenant_app.security import sessions
from tenant_app.security.cookies import token_digest
from tenant_app.services import legal_profile
from tenant_app.services.tenants import unique_username
from tenant_app.services.unique import write_unless_taken
from tenant_app.services.versions import save_if_unchanged, version_of
from tenant_app.settings import Settings
from tenant_app.text import labels
from tenant_app.text.i18n import gettext as _

MAX_WRONG_PINS = 5  # a password link dies after this many wrong PINs
USERNAME_TRIES = 5  # a username taken meanwhile moves on to the next number, this often


def _staff_values(
    form_values: dict[str, str], rights: dict[str, Any]
) -> tuple[StaffUserInput | None, dict[str, str]]:
    """The staff user's columns from the form, and a message per failing field."""
    staff, errors = checked(StaffUserInput, {**form_values, **rights})
    names = {name: form_values.get(name, "") for name in ("first_name", "last_name", "phone")}
    rules.check_lengths(User, names, errors)
    return staff, errors


def _role(values: dict[str, str]) -> str:
    """The role asked for, valid or not: who may ask for it is decided on it either way."""
    return values.get("role", "mitarbeiter")


def _email(values: dict[str, str]) -> str:
    """The address as stored (only looked up once the form model found it valid)."""
    return values.get("email", "").strip().lower()


async def _email_taken(email: str, *, except_user: int | None = None) -> bool:
    query = User.filter(email=email)
    if except_user is not None:
        query = query.exclude(id=except_user)
    return await query.exists()


def _email_in_use(field: str = "email") -> dict[str, str]:
    return {field: _("There is already an account with this e-mail address.")}


async def _staff_email_taken(
    values: dict[str, str], *, except_user: int | None = None
) -> dict[str, str]:
    """The e-mail field's error if another account has the address, else nothing."""
    return _email_in_use() if await _email_taken(_email(values), except_user=except_user) else {}


async def _adopt_trust_login(contact: Contact) -> User | None:
    """The contact's address already has a login without a contact (someone named them as a
    trusted person): the same address, so the same mailbox and person. That login becomes
    the contact's own, with the broker's data (the birthdate is the PIN of its links)."""
    if await User.filter(contact_id=contact.id).exists():
        return None
    login = await User.get_or_none(email=contact.email.lower(), kind="customer", contact_id=None)
    if login is None:
        return None
    adopted = await User.filter(id=login.id, contact_id=None).update(
        contact_id=contact.id,
        first_name=contact.first_name,
        last_name=contact.last_name,
        birthdate=contact.birthdate,
    )
    return await User.get(id=login.id) if adopted else None


async def _account_taken(contact: Contact) -> dict[str, str]:
    """Why the contact cannot get an account (another one came first), if it cannot."""
    if await User.filter(contact_id=contact.id).exists():
        return {"account": _("This contact already has a user account.")}
    return _email_in_use("account") if await _email_taken(contact.email) else {}


async def insert_user(
    columns: dict[str, Any], *, taken: Callable[[], Awaitable[dict[str, str]]]
) -> User:
    """Insert a user under the next free username of their name.

    The checks before ran unlocked, so an identical creation may have come first: then the
    unique constraints (username, e-mail per tenant) refuse this insert, and `taken` (those
    checks, asked again) names the field that lost. If none did, only the username was
    taken meanwhile, and the next number is tried.
    """
    for attempt in range(1, USERNAME_TRIES + 1):
        username = await unique_username(columns["first_name"], columns["last_name"])
        try:
            async with in_transaction():  # a savepoint: a refusal keeps the caller's transaction
                return await User.create(username=username, **columns)
        except IntegrityError:
            if errors := await taken():
                raise ValidationFailed(errors) from None
            if attempt == USERNAME_TRIES:
                raise
    raise AssertionError("unreachable")


async def create_staff_user(
    actor: CurrentUser, *, settings: Settings, values: dict[str, str], rights: dict[str, Any]
) -> User:
    """Create a staff user and, in the same transaction, queue password mail #1."""
    if not can_manage_users(actor):
        raise PermissionDenied
    staff, errors = _staff_values(values, rights)
    if _role(values) == "admin" and not is_admin(actor):
        errors["role"] = _("Only an administrator can create administrators.")
    if "email" not in errors:
        errors |= await _staff_email_taken(values)
    if errors or staff is None:
        raise ValidationFailed(errors)
    async with in_transaction():
        user = await insert_user(
            {"kind": "staff", **staff.model_dump()}, taken=lambda: _staff_email_taken(values)
        )
        await queue_link_mail(settings, user, purpose="register")
    return user


async def update_staff_user(
    actor: CurrentUser, *, user_id: int, values: dict[str, str], rights: dict[str, Any]
) -> User:
    if not can_manage_users(actor):
        raise PermissionDenied
    user = await User.get_or_none(id=user_id, kind="staff")
    if user is None:
        raise NotFound
    staff, errors = _staff_values(values, rights)
    role = _role(values)
    if (user.role == "admin" or role == "admin") and not is_admin(actor):
        raise PermissionDenied
    if user.id == actor.id and role != "admin" and user.role == "admin":
        errors["role"] = _("You cannot take away your own administrator role.")
    if "email" not in errors:
        errors |= await _staff_email_taken(values, except_user=user.id)
    if errors or staff is None:
        raise ValidationFailed(errors)
    saved = await write_unless_taken(  # EditConflict if someone saved the user meanwhile
        lambda: save_if_unchanged(
            User,
            where={"id": user.id},
            version=version_of(values),
            changes=staff.model_dump(),
            labels=labels.staff_user_fields(),
        )
    )
    if saved is None:  # another account took the address since the check
        raise ValidationFailed(_email_in_use())
    return await User.get(id=user.id)


async def set_user_active(actor: CurrentUser, *, user_id: int, active: bool) -> User:
    """Deactivate (sessions end at once, history stays) or reactivate a staff user."""
    user = await colleague_for(actor, user_id)
    async with in_transaction():
        await User.filter(id=user.id).update(is_active=active)
        if not active:
            await sessions.end_all_sessions(user.id)
    return await User.get(id=user.id)


async def set_customer_active(actor: CurrentUser, *, contact_id: int, active: bool) -> User:
    """Lock a customer's login (lost phone, ended mandate) or unlock it; the contact stays.

    Locking ends their sessions and revokes open links at once; unlocking restores the login
    with the password they had.
    """
    if not can_manage_contacts(actor):
        raise PermissionDenied
    user = await User.get_or_none(contact_id=contact_id, kind="customer")
    if user is None:
        raise NotFound
    async with in_transaction():
        await User.filter(id=user.id).update(is_active=active)
        if not active:
            await sessions.end_all_sessions(user.id)
            await AccountLink.filter(user_id=user.id, used_at=None, revoked_at=None).update(
                revoked_at=datetime.now(UTC)
            )
    return await User.get(id=user.id)


async def create_customer_account(actor: CurrentUser, *, contact_id: int) -> User:
    """Step 1 for a customer: the account exists, no mail is sent yet."""
    if not can_manage_contacts(actor):
        raise PermissionDenied
    contact = await Contact.get_or_none(id=contact_id)
    if contact is None:
        raise NotFound
    if adopted := await _adopt_trust_login(contact):
        return adopted
    if errors := await _account_taken(contact):
        raise ValidationFailed(errors)
    columns = {
        "kind": "customer",
        "role": "kunde",
        "email": contact.email,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "birthdate": contact.birthdate,
        "contact_id": contact.id,
    }
    return await insert_user(columns, taken=lambda: _account_taken(contact))


async def send_registration_mail(actor: CurrentUser, *, settings: Settings, user_id: int) -> None:
    """(Re)send password mail #1; older links of the account stop working. An API token's
    technical account has none (it never logs in)."""
    user = await User.filter(id=user_id).exclude(kind="api").first()
    if user is None:
        raise NotFound
    allowed = can_manage_contacts(actor) if user.kind == "customer" else can_manage_users(actor)
    if not allowed:
        raise PermissionDenied
    if not user.is_active:
        raise ValidationFailed({"account": _("The account is deactivated.")})
    if user.kind == "customer" and not user.password_hash:  # an invitation to the portal
        await legal_profile.require_live()
    async with in_transaction():
        await queue_link_mail(
            settings, user, purpose="register" if not user.password_hash else "reset"
        )


async def queue_link_mail(
    settings: Settings,
    user: User,
    *,
    purpose: str,
    clears_factors: bool = False,
    template: str = "password_link",
    extra: dict[str, Any] | None = None,
) -> int:
    """Revoke older links, store a new one as a hash, queue the mail; the mail's id.
    `clears_factors`: staff reset a customer's second factors, which go once the link is
    used. `template` and `extra` (more context and links): an invitation's own mail.

    Runs inside the caller's transaction. The link expires by the database's clock, the one
    every host checks it against.
    """
    now = await database_time()
    await AccountLink.filter(user_id=user.id, used_at=None, revoked_at=None).update(revoked_at=now)
    secret = secrets.token_urlsafe(32)  # 256 random bits
    expires_at = now + timedelta(hours=settings.link_valid_hours)
    await AccountLink.create(
        user_id=user.id,
        token_hash=token_digest(secret),
        purpose=purpose,
        expires_at=expires_at,
        clears_factors=clears_factors,
    )
    extra = extra or {}
    mail_id = await notify(
        settings,
        to=user.email,
        language=user.language,
        template=template,
        context={
            "user": user,
            "expires_at": expires_at,
            "purpose": purpose,
            "hours": settings.link_valid_hours,
            "clears_factors": clears_factors,
            **extra.get("context", {}),
        },
        links={"link": f"/passwort/{secret}", **extra.get("links", {})},
        contact_id=user.contact_id,
        user_id=user.id,
    )
    await User.filter(id=user.id).update(registration_sent_at=now)
    return mail_id


def account_state(user: User | None, *, link_sent: bool) -> str:
    """none / created / mail_sent / active / deactivated: what staff see on a contact."""
    if user is None:
        return "none"
    if not user.is_active:
        return "deactivated"
    if user.password_hash:
        return "active"
    return "mail_sent" if link_sent else "created"


async def set_language(actor: CurrentUser, *, language: str) -> None:
    """The actor's own language for pages and mails."""
    choice, errors = checked(LanguageInput, {"language": language})
    if choice is None:
        raise ValidationFailed(errors)
    await User.filter(id=actor.id).update(language=choice.language)


async def customer_account(actor: CurrentUser, *, contact_id: int) -> tuple[User | None, str]:
    """A visible contact's customer account (if any) and its state as staff see it."""
    if not is_staff(actor):
        raise PermissionDenied
    account = await User.get_or_none(contact_id=contact_id)
    link_sent = account is not None and await AccountLink.filter(user_id=account.id).exists()
    return account, account_state(account, link_sent=link_sent)


async def staff_users(actor: CurrentUser) -> list[User]:
    if not can_manage_users(actor):
        raise PermissionDenied
    return list(await User.filter(kind="staff").order_by("last_name", "first_name"))


async def locked_links(actor: CurrentUser) -> set[int]:
    """Staff users whose password link died from wrong PINs (customers' show on the contact):
    an admin should call them and send a new link."""
    if not can_manage_users(actor):
        raise PermissionDenied
    user_ids = await AccountLink.filter(
        user__kind="staff", used_at=None, revoked_at=None, wrong_pins__gte=MAX_WRONG_PINS
    ).values_list("user_id", flat=True)
    return {int(user_id) for user_id in cast(list[int], user_ids)}


async def staff_user_for(actor: CurrentUser, user_id: int) -> User:
    if not can_manage_users(actor):
        raise PermissionDenied
    user = await User.get_or_none(id=user_id, kind="staff")
    if user is None:
        raise NotFound
    return user


async def colleague_for(actor: CurrentUser, user_id: int, *, itself: bool = False) -> User:
    """A staff user the actor may act on (deactivate, log out, reset a factor): for who
    manages users; an admin only for an admin; oneself only where `itself` allows it."""
    user = await staff_user_for(actor, user_id)
    if (user.id == actor.id and not itself) or (user.role == "admin" and not is_admin(actor)):
        raise PermissionDenied
    return user
