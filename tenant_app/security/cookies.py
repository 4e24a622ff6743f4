"""Signed values: cookies bound to the tenant inside the signed payload, token digests."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.datastructures import Headers
from starlette.types import Scope

from tenant_app.settings import Settings


def cookie_name(settings: Settings, base: str) -> str:
    # `__Host-` forbids Domain and requires Secure: sibling subdomains cannot plant or read it.
    return f"__Host-{base}" if settings.secure_cookies else base


def sign(settings: Settings, purpose: str, tenant_id: int, value: str) -> str:
    return str(signer(settings, purpose).dumps({"t": tenant_id, "v": value}))


def unsign(
    settings: Settings, purpose: str, tenant_id: int, raw: str | None, max_age: int
) -> str | None:
    """The value inside a signed cookie, or None if forged, expired or of another tenant.

    Only a cookie older than `max_age` (seconds) is expired. One that seems signed in the
    future was signed by a host whose clock runs ahead of this one's; itsdangerous would
    refuse it, and the user would be logged out at every request this host answers.
    """
    if not raw:
        return None
    try:
        payload: Any
        payload, signed_at = signer(settings, purpose).loads(raw, return_timestamp=True)
    except BadSignature:
        return None
    if (datetime.now(UTC) - signed_at).total_seconds() > max_age:
        return None
    if not isinstance(payload, dict) or payload.get("t") != tenant_id:
        return None
    value = payload.get("v")
    return value if isinstance(value, str) else None


def set_cookie_header(settings: Settings, name: str, value: str, *, max_age: int | None) -> bytes:
    parts = [f"{name}={value}", "Path=/", "HttpOnly", "SameSite=Lax"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    if settings.secure_cookies:
        parts.append("Secure")
    return "; ".join(parts).encode("latin-1")


def signer(settings: Settings, purpose: str) -> URLSafeTimedSerializer:
    """One serializer per purpose, each with its own salt."""
    return URLSafeTimedSerializer(settings.secret_key, salt=f"tenant-app.{purpose}")


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def read_cookies(scope: Scope) -> dict[str, str]:
    """The request's cookies, parsed once (SimpleCookie is slow and the header is long)."""
    raw = Headers(scope=scope).get("cookie")
    if not raw:
        return {}
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:  # noqa: BLE001 - a mangled cookie header is just no cookie
        return {}
    return {name: morsel.value for name, morsel in jar.items()}
