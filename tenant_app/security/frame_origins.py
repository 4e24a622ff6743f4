"""Website origins that may frame the login page: checked when saved and again when they go
into a header, so a stored value can never add a directive or a header of its own."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# https://host[:port], the host a DNS name of at least two labels (IDN as punycode).
_ORIGIN = re.compile(
    r"^https://(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}(?::[0-9]{1,5})?$"
)


def clean_origin(raw: str) -> str | None:
    """`https://www.makler.de` from a typed line (a trailing "/" is forgiven), else None."""
    value = raw.strip()
    try:
        parts = urlsplit(value)
        port = parts.port
        host = (parts.hostname or "").encode("idna").decode("ascii")
    except (ValueError, UnicodeError):
        return None
    if parts.scheme.lower() != "https" or parts.username or parts.password:
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return None
    origin = f"https://{host}" + (f":{port}" if port and port != 443 else "")
    return origin if _ORIGIN.fullmatch(origin) else None


def allowed_origins(stored: str) -> list[str]:
    """The stored lines that are still well-formed origins, for `frame-ancestors`."""
    return [line for line in stored.split() if _ORIGIN.fullmatch(line)]
