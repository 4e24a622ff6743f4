"""Radschutz's wire: every call goes through the core's `InsurerHttp` (timeouts, retries, the
support log) with the firm's credentials as HTTP Basic and the user's agent number in
`X-Agent-Number`; the insurer's answers are read here and its refusals turned into the
interface's errors (401, 5xx and timeouts are raised by `InsurerHttp` already).

The insurer's own words (its German field messages) pass through unchanged; what the plug-in
says itself comes in the reader's language."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx

from tenant_app.plugins import (
    AgentRejected,
    CallContext,
    InsurerAuthFailed,
    InsurerRejected,
    PluginBroken,
    Text,
    text_in,
)
from tenant_app.plugins.radschutz.steps import FIELD_KEYS

FREQUENCIES = ("monthly", "quarterly", "half_yearly", "yearly", "single")
# The insurer names a field of a nested body "object.make", "customer.postal_code".
_NESTED = ("object.", "customer.")
_PATH = re.compile(r"/v1/[A-Za-z0-9/_.%-]+")

MESSAGES: dict[str, Text] = {
    "refused": {
        "de": "Radschutz hat die Angaben abgelehnt.",
        "en": "Radschutz refused the data.",
    },
    "forbidden": {
        "de": "Radschutz verweigert diesem Onlinekonto den Zugriff.",
        "en": "Radschutz refuses this online account access.",
    },
    "key_reused": {
        "de": "Radschutz hat diesen Antrag bereits mit anderen Angaben erhalten. Bitte einen "
        "neuen Antrag beginnen.",
        "en": "Radschutz already received this application with other data. Please start a "
        "new application.",
    },
    "unknown_application": {
        "de": "Radschutz kennt diesen Antrag nicht.",
        "en": "Radschutz does not know this application.",
    },
    "unknown_document": {
        "de": "Radschutz kennt dieses Dokument nicht.",
        "en": "Radschutz does not know this document.",
    },
    "unsigned": {
        "de": "Der Antrag ist noch nicht unterschrieben.",
        "en": "The application is not signed yet.",
    },
    "instant_cover": {
        "de": "Sofortschutz: +{amount} monatlich",
        "en": "Instant cover: +{amount} a month",
    },
    "instant_cover_included": {
        "de": "Sofortschutz ist im Beitrag enthalten.",
        "en": "Instant cover is included in the premium.",
    },
    "instant_cover_unavailable": {
        "de": "Sofortschutz nur bis 30 Tage nach dem Kauf möglich",
        "en": "Instant cover only within 30 days of purchase",
    },
}


def say(ctx: CallContext, key: str, **values: str) -> str:
    """One of the plug-in's own messages in the reader's language."""
    return text_in(MESSAGES[key], ctx.language).format(**values)


def euros(amount: Decimal, language: str) -> str:
    """2,50 € (German) or €2.50."""
    figures = f"{amount:,.2f}"
    if language == "en":
        return f"€{figures}"
    return figures.replace(",", " ").replace(".", ",").replace(" ", ".") + "\u00a0€"


class Wire:
    """The calls of one use case to Radschutz, under the context's account and agent."""

    def __init__(self, ctx: CallContext) -> None:
        self.ctx = ctx
        username = ctx.credentials.get("username", "")
        password = ctx.credentials.get("password", "")
        if not username or not password:
            raise InsurerAuthFailed("the online account's user name or password is missing")
        if not ctx.agent_number:
            raise AgentRejected("the user has no agent number with Radschutz")
        self._auth = (username, password)

    async def send(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        body: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        not_found: str = "unknown_application",
    ) -> httpx.Response:
        """The insurer's answer if it took the request (2xx); every Radschutz call is safe to
        repeat (quotes compute, applications carry an idempotency key, finalizing twice gives
        the same policy), so every one is retried after a timeout or a 5xx."""
        response = await self.ctx.http.request(
            operation,
            method,
            path,
            json_body=body,
            headers={"X-Agent-Number": self.ctx.agent_number, **(headers or {})},
            auth=self._auth,
            idempotent=True,
        )
        status = response.status_code
        if 200 <= status < 300:
            return response
        where = f"{operation}: {method} {path}: HTTP {status}"
        if status == 422:
            raise _refusal(self.ctx, response, where)
        if status == 403:
            if _error_code(response) == "unknown_agent":
                raise AgentRejected(f"{where}: unknown agent {self.ctx.agent_number}")
            raise InsurerRejected(message=say(self.ctx, "forbidden"), detail=where)
        if status == 404:
            raise InsurerRejected(message=say(self.ctx, not_found), detail=where)
        if status == 409:
            raise InsurerRejected(message=say(self.ctx, "key_reused"), detail=where)
        raise PluginBroken(f"{where}: {response.text[:200]}")

    async def json(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        body: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        not_found: str = "unknown_application",
    ) -> dict[str, Any]:
        """The insurer's JSON object for a request it took."""
        response = await self.send(
            operation, method, path, body=body, headers=headers, not_found=not_found
        )
        data = _json(response)
        if not isinstance(data, dict):
            raise PluginBroken(f"{operation}: {method} {path}: no JSON object in the answer")
        return data

    async def pdf(self, operation: str, path: str, *, not_found: str) -> bytes:
        """A PDF the insurer serves at `path` (one it named, or one of the documented)."""
        if not _PATH.fullmatch(path) or ".." in path:
            raise PluginBroken(f"{operation}: unexpected document path {path[:200]!r}")
        response = await self.send(operation, "GET", path, not_found=not_found)
        kind = response.headers.get("content-type", "").split(";")[0].strip()
        if kind != "application/pdf" or not response.content.startswith(b"%PDF-"):
            raise PluginBroken(f"{operation}: GET {path}: {kind or 'no content type'}, no PDF")
        return response.content


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise PluginBroken(
            f"{response.request.method} {response.request.url.path}: "
            f"HTTP {response.status_code}, no JSON"
        ) from None


def _error_code(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return ""
    return str(data.get("error", "")) if isinstance(data, dict) else ""


def _refusal(ctx: CallContext, response: httpx.Response, where: str) -> InsurerRejected:
    """The insurer's 422: its messages on the plug-in's field keys where a field is meant,
    the rest (and refusals of a whole part) as the message of the application."""
    data = _json(response)
    items = data.get("errors") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise PluginBroken(f"{where}: a refusal without errors")
    errors: dict[str, str] = {}
    general: list[str] = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("message"), str):
            raise PluginBroken(f"{where}: an error that is no {{field, message}}")
        field = str(item.get("field", ""))
        key = field.removeprefix(_NESTED[0]).removeprefix(_NESTED[1])
        message = item["message"]
        if key in FIELD_KEYS:
            errors[key] = f"{errors[key]} {message}" if key in errors else message
        else:
            general.append(message)
    message = " ".join(general) or (say(ctx, "refused") if not errors else "")
    return InsurerRejected(errors, message=message, detail=where)


# Reading the insurer's JSON: each reader raises PluginBroken for what it cannot read.


def _broken(data: Mapping[str, Any], key: str, wanted: str) -> PluginBroken:
    return PluginBroken(f"answer's {key!r} is no {wanted}: {str(data.get(key))[:100]!r}")


def text_of(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _broken(data, key, "text")
    return value.strip()


def amount_of(data: Mapping[str, Any], key: str) -> Decimal:
    value = data.get(key)
    try:
        amount = Decimal(value) if isinstance(value, str) else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0:
        raise _broken(data, key, "amount")
    return amount


def date_of(data: Mapping[str, Any], key: str) -> date:
    value = data.get(key)
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise _broken(data, key, "date")


def frequency_of(data: Mapping[str, Any]) -> str:
    value = data.get("frequency")
    if value not in FREQUENCIES:
        raise _broken(data, "frequency", "payment frequency")
    return str(value)


def mapping_of(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise _broken(data, key, "object")
    return value


def texts_of(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _broken(data, key, "list of texts")
    return tuple(value)


def flag_of(data: Mapping[str, Any], key: str) -> bool:
    value = data.get(key)
    if not isinstance(value, bool):
        raise _broken(data, key, "yes/no")
    return value
