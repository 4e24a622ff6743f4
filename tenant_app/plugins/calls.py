"""The HTTP client a plug-in talks to its insurer with: a timeout on every attempt, retries
with back-off where the request is idempotent, and every attempt recorded as an `Exchange`
for the support log, with the credentials taken out (no headers are kept, and any secret
value is masked wherever it appears in a body or URL)."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, quote_plus

import httpx

from tenant_app.plugins.errors import InsurerAuthFailed, InsurerUnavailable

BODY_KEPT = 20_000  # characters of a body kept in the log
MASK = "***"


@dataclass(frozen=True, slots=True)
class Exchange:
    """One attempt of one request, as the support log keeps it."""

    operation: str
    method: str
    url: str
    attempt: int
    status_code: int | None
    request_body: str
    response_body: str
    error: str
    duration_ms: int


def _written_forms(secret: str) -> set[str]:
    """The ways a secret may stand in a recorded URL or body: as typed, JSON-escaped,
    URL-encoded (both ways), and base64 (alone, or as a Basic login's user:secret part)."""
    forms = {
        secret,
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        quote(secret, safe=""),
        quote_plus(secret, safe=""),
        base64.b64encode(secret.encode()).decode().rstrip("="),
    }
    return {form for form in forms if form}


def _summary(response: httpx.Response) -> str:
    kind = response.headers.get("content-type", "").split(";")[0].strip()
    if kind.startswith(("application/json", "text/")):
        return response.text
    return f"<{kind or 'binary'}, {len(response.content)} bytes>"


class InsurerHttp:
    """An async client bound to one insurer's base URL for one use case's calls."""

    def __init__(
        self,
        base_url: str,
        *,
        secrets: Iterable[str] = (),
        timeout: float = 10.0,
        retries: int = 2,
        backoff: float = 0.3,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.exchanges: list[Exchange] = []
        self._secrets = sorted(
            {form for secret in secrets if secret for form in _written_forms(secret)},
            key=len,
            reverse=True,
        )
        self._timeout = timeout
        self._retries = max(0, retries)
        self._backoff = backoff
        self._transport = transport

    def masked(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return text

    async def request(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        json_body: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        idempotent: bool | None = None,
    ) -> httpx.Response:
        """The insurer's answer (any status but 401 and 5xx, which the plug-in reads); retried
        after a timeout, a refused connection or a 5xx only when `idempotent` (by default: GET).
        Raises InsurerUnavailable when no usable answer came, InsurerAuthFailed on 401."""
        repeatable = method.upper() == "GET" if idempotent is None else idempotent
        attempts = 1 + (self._retries if repeatable else 0)
        body = json.dumps(json_body, ensure_ascii=False) if json_body is not None else ""
        url = f"{self.base_url}{path}"
        last = ""
        async with httpx.AsyncClient(timeout=self._timeout, transport=self._transport) as client:
            for attempt in range(1, attempts + 1):
                if attempt > 1:
                    await asyncio.sleep(self._backoff * 2 ** (attempt - 2))
                response, last = await self._attempt(
                    client, (operation, method.upper(), url, attempt), body, headers, auth
                )
                if response is not None and response.status_code == 401:
                    raise InsurerAuthFailed(f"{method} {path}: 401")
                if response is not None and response.status_code < 500:
                    return response
        raise InsurerUnavailable(f"{method} {path}: {last}")

    async def _attempt(
        self,
        client: httpx.AsyncClient,
        what: tuple[str, str, str, int],
        body: str,
        headers: Mapping[str, str] | None,
        auth: tuple[str, str] | None,
    ) -> tuple[httpx.Response | None, str]:
        operation, method, url, attempt = what
        started = time.monotonic()
        response: httpx.Response | None = None
        error = ""
        sent = {**({"content-type": "application/json"} if body else {}), **(headers or {})}
        try:
            response = await client.request(
                method,
                url,
                content=body.encode() if body else None,
                headers=sent,
                auth=auth,
            )
        except httpx.TimeoutException:
            error = "timeout"
        except httpx.HTTPError as exc:
            error = type(exc).__name__
        if response is not None and response.status_code >= 500:
            error = f"HTTP {response.status_code}"
        self.exchanges.append(
            Exchange(
                operation=operation,
                method=method,
                url=self.masked(url),
                attempt=attempt,
                status_code=response.status_code if response is not None else None,
                request_body=self.masked(body)[:BODY_KEPT],
                response_body=self.masked(_summary(response))[:BODY_KEPT]
                if response is not None
                else "",
                error=error,
                duration_ms=round((time.monotonic() - started) * 1000),
            )
        )
        return response, error
