"""Web push, the notification centre's extra channel: the installation's VAPID key pair and
the browsers that subscribed (the account switches push on per device).

The key pair is one for the whole installation: the operator's `VAPID_PRIVATE_KEY`, or else
made on first use and stored in `vapid_key` with the fixed id 1, so two processes that make
one at the same moment end with the same key (the second insert fails and reads the first).
A subscription is the browser's endpoint (https to a public host: the same SSRF checks as
webhooks) and its two keys; the same endpoint is stored once per tenant (a browser that
logs in as someone else now gets that account's pushes).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid02
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, ValidationFailed
from tenant_app.models.push import PushSubscription, VapidKey
from tenant_app.services.webhook_targets import TargetRefused, check_target
from tenant_app.settings import Settings
from tenant_app.text.i18n import gettext as _
from tenant_app.text.user_agents import device_name

ENDPOINT_MAX_CHARS = 1000  # PushSubscription.endpoint
MAX_DEVICES = 10  # per account: the oldest goes when an eleventh subscribes
_B64URL = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")
_KEY_ROW = 1
_cached: dict[str, Vapid02] = {}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_key_of(vapid: Vapid02) -> str:
    """The public key as the browser's applicationServerKey wants it (uncompressed point)."""
    raw = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url(raw)


def _from_setting(value: str) -> Vapid02:
    text = value.replace("\\n", "\n").strip()
    if text.startswith("-----BEGIN"):
        return Vapid02.from_pem(text.encode())
    return Vapid02.from_string(text)


async def _stored() -> Vapid02:
    row = await VapidKey.filter(id=_KEY_ROW).first()
    if row is None:
        made = Vapid02()
        made.generate_keys()
        pem = made.private_pem().decode()
        try:
            async with in_transaction():
                await VapidKey.create(id=_KEY_ROW, private_key=pem, public_key=public_key_of(made))
        except IntegrityError:
            pass  # another process was first: use its key
        row = await VapidKey.get(id=_KEY_ROW)
    return Vapid02.from_pem(row.private_key.encode())


async def vapid(settings: Settings) -> Vapid02:
    """The installation's key pair (kept per process once read)."""
    if "key" not in _cached:
        configured = settings.vapid_private_key
        _cached["key"] = _from_setting(configured) if configured else await _stored()
    return _cached["key"]


def forget_cached_key() -> None:
    """Tests: read the key again (a new database)."""
    _cached.clear()


async def public_key(settings: Settings) -> str:
    return public_key_of(await vapid(settings))


@dataclass(frozen=True)
class Device:
    id: int
    label: str
    created_at: datetime
    last_sent_at: datetime | None


def _key(value: str, *, size: int, field: str) -> str:
    value = value.strip()
    message = _("This key of the browser is not valid.")
    if not value or len(value) > 200 or not _B64URL.fullmatch(value):
        raise ValidationFailed({field: message})
    try:
        raw = _unb64url(value.rstrip("="))
    except (binascii.Error, ValueError):
        raise ValidationFailed({field: message}) from None
    if len(raw) != size or (field == "p256dh" and raw[0] != 4):
        raise ValidationFailed({field: message})
    return value.rstrip("=")


async def _endpoint(value: str, *, allow_private: bool) -> str:
    value = value.strip()
    if not value or len(value) > ENDPOINT_MAX_CHARS:
        raise ValidationFailed({"endpoint": _("This push address of the browser is not valid.")})
    try:
        target = await check_target(value, allow_private=allow_private)
    except TargetRefused as refused:
        raise ValidationFailed({"endpoint": str(refused)}) from None
    return target.url


def endpoint_hash(endpoint: str) -> str:
    return hashlib.sha256(endpoint.encode()).hexdigest()


async def subscribe(
    actor: CurrentUser,
    *,
    endpoint: str,
    p256dh: str,
    auth: str,
    user_agent: str,
    allow_private: bool,
) -> int:
    """Store (or take over) the browser's subscription for the account; its id."""
    checked = await _endpoint(endpoint, allow_private=allow_private)
    values: dict[str, Any] = {
        "endpoint": checked,
        "p256dh": _key(p256dh, size=65, field="p256dh"),
        "auth": _key(auth, size=16, field="auth"),
        "user_agent": user_agent[:200],
        "user_id": actor.id,
        "failures": 0,
    }
    digest = endpoint_hash(checked)
    async with in_transaction():
        existing = await PushSubscription.filter(endpoint_hash=digest).first()
        if existing is None:
            try:
                async with in_transaction():
                    created = await PushSubscription.create(endpoint_hash=digest, **values)
            except IntegrityError:  # the same browser, twice at once
                existing = await PushSubscription.get(endpoint_hash=digest)
            else:
                await _keep_newest(actor.id)
                return created.id
        await PushSubscription.filter(id=existing.id).update(**values)
        await _keep_newest(actor.id)
        return existing.id


async def _keep_newest(user_id: int) -> None:
    ids = (
        await PushSubscription.filter(user_id=user_id).order_by("-id").values_list("id", flat=True)
    )
    if len(ids) > MAX_DEVICES:
        await PushSubscription.filter(id__in=list(ids[MAX_DEVICES:])).delete()


async def remove(actor: CurrentUser, *, subscription_id: int) -> None:
    """One of the account's own devices stops receiving pushes; anything else: NotFound."""
    if not await PushSubscription.filter(id=subscription_id, user_id=actor.id).delete():
        raise NotFound


async def remove_endpoint(actor: CurrentUser, *, endpoint: str) -> int:
    """The browser switched push off: its subscription goes (if it is the account's)."""
    digest = endpoint_hash(endpoint.strip()[:ENDPOINT_MAX_CHARS])
    return await PushSubscription.filter(endpoint_hash=digest, user_id=actor.id).delete()


async def devices(actor: CurrentUser) -> list[Device]:
    rows = await PushSubscription.filter(user_id=actor.id).order_by("-id")
    return [
        Device(
            id=row.id,
            label=str(device_name(row.user_agent)),
            created_at=row.created_at,
            last_sent_at=row.last_sent_at,
        )
        for row in rows
    ]
