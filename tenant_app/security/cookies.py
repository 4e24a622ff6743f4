"""Signed values: cookies bound to the tenant inside the signed payload, token digests."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.datastructures import Headers
from starlette.requests import cookie_parser
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
    verified = _verified(settings.secret_key, purpose, raw)
    if verified is None:
        return None
    payload, signed_at = verified
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
    return _serializer(settings.secret_key, purpose)


@lru_cache(maxsize=64)
def _serializer(secret_key: str, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=f"tenant-app.{purpose}")


@lru_cache(maxsize=4096)
def _verified(secret_key: str, purpose: str, raw: str) -> tuple[Any, datetime] | None:
    """The payload and signing time of a signed value, None if its signature is wrong.

    Kept per value: a browser sends the same cookie with every request, and checking its
    signature (key derivation, two HMACs, base64, JSON) costs more than the rest of reading
    it. What a value says never changes under the same key; its age is checked at each use.
    """
    try:
        payload, signed_at = _serializer(secret_key, purpose).loads(raw, return_timestamp=True)
    except BadSignature:
        return None
    return payload, signed_at


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def read_cookies(scope: Scope) -> dict[str, str]:
    """The request's cookies, parsed once per request (as browsers read them: Starlette's
    parser) and kept in the request's state for the next reader."""
    state = scope.setdefault("state", {})
    jar: dict[str, str] | None = state.get(_JAR)
    if jar is None:
        raw = Headers(scope=scope).get("cookie")
        jar = state[_JAR] = cookie_parser(raw) if raw else {}
    return jar


_JAR = "cookies"  # request state: the parsed Cookie header
