"""Does a broker's domain answer its verification token? One HTTP look, bounded every way.

The check fetches `http://<domain>/.well-known/tenant-app-verification/<token>`: once the
domain's CNAME points at the platform, the app itself answers it (web/well_known.py). It
follows a redirect only to the same host (a load balancer's HTTP -> HTTPS step), reads at
most a few hundred bytes and gives up after a few seconds: the domain is the broker's, and
whatever answers there must not make the worker wait or read a large body.

A DNS TXT record is not checked: the standard library has no TXT lookup and no resolver
library is installed; the HTTP token is the one way to verify (README).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from tenant_app.services.webhook_targets import TargetRefused, is_public, system_resolver
from tenant_app.text.labels import N_

VERIFICATION_PATH = "/.well-known/tenant-app-verification/"
MAX_BODY_BYTES = 512  # a token is 32 characters; anything longer is not ours
MAX_REDIRECTS = 2
REDIRECTS = {301, 302, 303, 307, 308}

# Stored in TenantHost.check_error (msgids, translated where shown).
UNREACHABLE = N_(
    "We could not reach the domain. Is the CNAME record set? A new record can take up to a"
    " day to spread."
)
TIMEOUT = N_("The domain did not answer in time. Please try again later.")
ELSEWHERE = N_("The domain redirects to another address instead of answering itself.")
NOT_FOUND = N_(
    "The domain answered, but not with the verification code. Does its CNAME record point"
    " to the address shown below?"
)
PRIVATE = N_(
    "The domain points into a private or internal network. It must point to the address"
    " shown below."
)
WRONG_TOKEN = N_(
    "The domain answered with a different verification code. It may point to another portal."
)


@dataclass
class HttpTokenCheck:
    """The check the job and the "Check now" button use; "" when the domain answered right.

    `connect_to` ("host:port") connects there instead of to the domain itself, still sending
    the domain as the Host header: tests and development point it at the app they run.
    """

    connect_to: str = ""
    timeout: float = 5.0  # seconds, for connecting and for each read
    # Whether the domain may resolve to a private address; the app sets it by the rule for
    # webhooks (settings.allows_private_webhooks). Where it may not, the check connects to
    # the public address it resolved, so a second lookup cannot turn inwards.
    allow_private: bool = False

    async def __call__(self, hostname: str, token: str) -> str:
        url = f"http://{hostname}{VERIFICATION_PATH}{token}"
        try:
            connect_to = self.connect_to or await self._public_address(hostname)
        except TargetRefused:
            return PRIVATE
        except (OSError, UnicodeError):
            return UNREACHABLE
        try:
            async with httpx.AsyncClient(timeout=self.timeout, follow_redirects=False) as client:
                for _hop in range(MAX_REDIRECTS + 1):
                    status, body, location = await self._get(client, url, hostname, connect_to)
                    if status not in REDIRECTS:
                        return _verdict(status, body, token)
                    url = urljoin(url, location)
                    if (urlsplit(url).hostname or "").lower() != hostname:
                        return ELSEWHERE
                return ELSEWHERE
        except httpx.TimeoutException:
            return TIMEOUT
        except (httpx.HTTPError, ValueError):
            return UNREACHABLE

    async def _public_address(self, hostname: str) -> str:
        """ "" where private addresses are allowed (the system resolver decides), else the
        domain's address for port 80, or TargetRefused when any of its addresses is private."""
        if self.allow_private:
            return ""
        addresses = await system_resolver(hostname, 80)  # OSError when nobody knows the name
        if not addresses:
            raise OSError(f"no address for {hostname}")
        if not all(is_public(address) for address in addresses):
            raise TargetRefused(PRIVATE)
        address = addresses[0]
        return f"[{address}]:80" if ":" in address else f"{address}:80"

    async def _get(
        self, client: httpx.AsyncClient, url: str, hostname: str, connect_to: str
    ) -> tuple[int, bytes, str]:
        target = url
        if connect_to:
            parts = urlsplit(url)
            target = parts._replace(scheme="http", netloc=connect_to).geturl()
        headers = {"Host": hostname, "Accept": "text/plain"}
        async with client.stream("GET", target, headers=headers) as response:
            body = b""
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > MAX_BODY_BYTES:
                    break
            return response.status_code, body, response.headers.get("location", "")


def _verdict(status: int, body: bytes, token: str) -> str:
    if status != 200:
        return NOT_FOUND
    answer = body[: MAX_BODY_BYTES + 1].strip()
    if len(answer) > MAX_BODY_BYTES:
        return NOT_FOUND
    return "" if hmac.compare_digest(answer, token.encode()) else WRONG_TOKEN


check_token = HttpTokenCheck()
