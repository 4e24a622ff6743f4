"""Where a login is signed in: its browsers (a new one is told to the user by mail), its
sessions ("Angemeldete Geräte") ended by the user one by one or all others at once, and all of
a user's sessions ended by staff who manage that user or customer.

Forms name a session by a reference, never by its id: the id is the SHA-256 of the cookie's
secret, so it must not reach a page, and the reference (an HMAC of the id under the app's
secret) cannot be turned back into the id nor into a cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound
from tenant_app.mail.notify import notify
from tenant_app.models.accounts import Session, User
from tenant_app.models.factors import KnownDevice
from tenant_app.queries.sql import database_time
from tenant_app.security import sessions
from tenant_app.security.cookies import token_digest
from tenant_app.security.passwords import PasswordService
from tenant_app.services import accounts, contacts, security_mail
from tenant_app.services.password_check import check_current_password, ensure_own_login
from tenant_app.settings import Settings
from tenant_app.text.formatting import fmt_ago
from tenant_app.text.user_agents import DeviceName, device_name

DEVICES_LINK = "/account/security#devices"


async def remember(
    settings: Settings, user: User, *, device: str | None, client: str, user_agent: str
) -> str | None:
    """Called inside the login's transaction: the secret for the browser's device cookie
    (its own again, so the cookie's life starts anew, or a new one).

    The cookie names the browser, not the user: several people may share one computer, and
    each of them keeps it as a known device. A browser new to this user is told to them by
    mail, unless it is the very first one they used or they turned these mails off."""
    now = datetime.now(UTC)
    if device:
        known = KnownDevice.filter(user_id=user.id, device_hash=token_digest(device))
        if await known.update(user_agent=user_agent[:200], last_seen_at=now):
            return device
    had_devices = await KnownDevice.filter(user_id=user.id).exists()
    secret = device or secrets.token_urlsafe(32)
    await KnownDevice.create(
        user_id=user.id, device_hash=token_digest(secret), user_agent=user_agent[:200]
    )
    if had_devices and user.login_alerts:
        await notify(
            settings,
            to=user.email,
            language=user.language,
            template="new_device",
            context={
                "name": user.first_name,
                "device": device_name(user_agent),
                "client": client,
                "at": now,
            },
            links={"devices_url": DEVICES_LINK},
            user_id=user.id,
        )
    return secret


@dataclass(frozen=True)
class SignedInDevice:
    """One active session of the actor, as "Angemeldete Geräte" lists it."""

    ref: str  # names the session in forms (see the module's docstring)
    device: DeviceName
    client: str  # the address it signed in from
    signed_in_at: datetime
    last_seen_at: datetime
    last_seen: str  # "vor 5 Minuten"
    is_current: bool


@dataclass(frozen=True)
class DevicesSection:
    devices: list[SignedInDevice]  # the current session first, then by last activity
    login_alerts: bool

    @property
    def has_others(self) -> bool:
        return any(not device.is_current for device in self.devices)


def session_ref(settings: Settings, session_id: str) -> str:
    key = f"tenant-app.session-ref:{settings.secret_key}".encode()
    return hmac.new(key, session_id.encode(), hashlib.sha256).hexdigest()[:32]


async def devices_section(actor: CurrentUser, *, settings: Settings) -> DevicesSection:
    """The actor's sessions that are still valid (idle and absolute limits as at login)."""
    ensure_own_login(actor)
    now = await database_time()
    rows = await Session.filter(
        user_id=actor.id,
        last_seen_at__gte=now - timedelta(minutes=settings.session_idle_minutes),
        created_at__gte=now - timedelta(hours=settings.session_max_hours),
    ).order_by("-last_seen_at", "-created_at")
    alerts = await User.filter(id=actor.id).values_list("login_alerts", flat=True)
    devices = [
        SignedInDevice(
            ref=session_ref(settings, row.id),
            device=device_name(row.user_agent),
            client=row.client,
            signed_in_at=row.created_at,
            last_seen_at=row.last_seen_at,
            last_seen=fmt_ago(row.last_seen_at, now),
            is_current=row.id == actor.session_id,
        )
        for row in rows
    ]
    devices.sort(key=lambda device: not device.is_current)  # stable: the rest keep their order
    return DevicesSection(devices=devices, login_alerts=bool(alerts and alerts[0]))


async def end_device_session(actor: CurrentUser, *, settings: Settings, ref: str) -> None:
    """End one other session of the actor's own; NotFound for any other reference (another
    user's session, an ended one, the current one: logging out is the way to end that)."""
    ensure_own_login(actor)
    ids = (
        await Session.filter(user_id=actor.id)
        .exclude(id=actor.session_id)
        .values_list("id", flat=True)
    )
    for session_id in ids:
        if hmac.compare_digest(session_ref(settings, str(session_id)), ref):
            await sessions.end_session(str(session_id))
            return
    raise NotFound


async def end_other_sessions(actor: CurrentUser) -> None:
    """Log the actor out everywhere but here."""
    ensure_own_login(actor)
    await sessions.end_all_sessions(actor.id, keep=actor.session_id)


async def set_login_alerts(
    actor: CurrentUser,
    passwords: PasswordService,
    *,
    settings: Settings,
    enabled: bool,
    password: str = "",
) -> None:
    """Whether a sign-in from a new browser is told to the actor by mail. Turning it off
    takes the current password and is itself told by mail: whoever has only the session
    must not silence the mails before they add a way in."""
    ensure_own_login(actor)
    if enabled:
        await User.filter(id=actor.id).update(login_alerts=True)
        return
    if not await User.filter(id=actor.id, login_alerts=True).exists():
        return  # off already: nothing changes, nothing to prove
    await check_current_password(passwords, actor.id, password, field="alerts_password")
    async with in_transaction():
        if await User.filter(id=actor.id, login_alerts=True).update(login_alerts=False):
            await security_mail.tell(settings, actor, kind="alerts_off")


async def end_staff_user_sessions(actor: CurrentUser, *, user_id: int) -> bool:
    """Staff who manage users log a colleague out everywhere (a lost laptop, a left job).
    Admins only by admins, as for deactivation. On one's own account the session in use
    stays; True if that was so."""
    user = await accounts.colleague_for(actor, user_id, itself=True)
    own = user.id == actor.id
    await sessions.end_all_sessions(user.id, keep=actor.session_id if own else None)
    return own


async def end_customer_sessions(actor: CurrentUser, *, contact_id: int) -> None:
    """Staff who manage contacts log a customer's account out everywhere (404 for a contact
    they cannot see or without an account)."""
    contact = await contacts.contact_to_manage(actor, contact_id)
    user = await User.get_or_none(contact_id=contact.id, kind="customer")
    if user is None:
        raise NotFound
    await sessions.end_all_sessions(user.id)
