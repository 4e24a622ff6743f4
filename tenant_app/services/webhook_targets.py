"""Where a webhook may be sent: no server-side request forgery.

A tenant admin types the URL, so it must never reach the product's own network: unless the
settings allow private targets (development, tests, an install inside the broker's network),
an endpoint must be https and its host must resolve only to public addresses. Loopback,
private, shared (CGNAT), link-local (cloud metadata), multicast, reserved and unspecified
addresses are refused, also inside IPv4-mapped, 6to4, Teredo and NAT64 IPv6 addresses, and
also when written as a number (`https://2130706433/` resolves to 127.0.0.1 and is refused).

The URL is checked when the endpoint is saved and again before every delivery, which then
connects to the very address that was checked (a name that resolved to a public address for
the check cannot resolve to a private one for the connection).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from tenant_app.text.i18n import gettext as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]  # host, port -> addresses
URL_MAX_CHARS = 500  # WebhookEndpoint.url
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT, not global


class TargetRefused(Exception):
    """The URL may not receive webhooks; the message says why, in the reader's language."""


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (`address`, None when private targets are allowed and
    the system resolver may choose) and the name to send as Host and in TLS."""

    url: str
    host: str
    port: int
    address: str | None


def is_public(address: str) -> bool:
    """Whether an IP address is one anybody on the internet may reach (never ours)."""
    ip: IPAddress = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is not None:
            return is_public(str(embedded))
        if ip.teredo is not None:
            return False
        if ip in _NAT64:
            return is_public(str(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)))
    refused = (
        ip.is_private,
        ip.is_loopback,
        ip.is_link_local,
        ip.is_multicast,
        ip.is_reserved,
        ip.is_unspecified,
        ip in _SHARED,
    )
    return ip.is_global and not any(refused)


def _parts(url: str) -> SplitResult:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        message = _("Please enter a web address such as https://crm.example.com/hooks.")
        raise TargetRefused(message) from None
    return parts


def checked_syntax(url: str, *, allow_private: bool) -> SplitResult:
    """The URL's parts if its form is acceptable: https (http only where private targets are
    allowed), a host, no user name or password in it, no fragment."""
    url = url.strip()
    if len(url) > URL_MAX_CHARS:
        raise TargetRefused(_("Please enter at most %(n)s characters.", n=URL_MAX_CHARS))
    parts = _parts(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise TargetRefused(_("Please enter a web address such as https://crm.example.com/hooks."))
    if parts.scheme == "http" and not allow_private:
        raise TargetRefused(_("Webhooks are sent only over https://."))
    if parts.username is not None or parts.password is not None:
        raise TargetRefused(_("The address must not contain a user name or password."))
    if parts.fragment:
        raise TargetRefused(_("The address must not contain a #fragment."))
    return parts


async def system_resolver(host: str, port: int) -> list[str]:
    """The addresses the system resolver gives for `host` (which may be an IP literal)."""
    loop = asyncio.get_running_loop()
    found = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in found))


async def check_target(
    url: str, *, allow_private: bool, resolver: Resolver = system_resolver
) -> Target:
    """The URL as a checked target, or TargetRefused. Where private targets are allowed the
    name is not resolved here (development machines without DNS can still save one)."""
    parts = checked_syntax(url, allow_private=allow_private)
    host = str(parts.hostname)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if allow_private:
        return Target(url=url.strip(), host=host, port=port, address=None)
    try:
        addresses = await resolver(host, port)
    except (OSError, UnicodeError) as error:
        raise TargetRefused(_("The server %(host)s could not be found.", host=host)) from error
    if not addresses:
        raise TargetRefused(_("The server %(host)s could not be found.", host=host))
    if not all(is_public(address) for address in addresses):
        raise TargetRefused(
            _(
                "This address is in a private or internal network. Webhooks go only to"
                " servers reachable from the internet."
            )
        )
    return Target(url=url.strip(), host=host, port=port, address=addresses[0])
