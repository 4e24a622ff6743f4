"""Radschutz Versicherung AG's web interface for brokers: quotes, applications with a PDF to
sign, finalizing into a policy with its documents (the wire contract of issue 20's plan).

Every /v1 call carries HTTP Basic credentials of a broker's account (401 otherwise) and,
except the downloads of PDFs, the agent number (Vermittlernummer) it is made under in
`X-Agent-Number` (403 when unknown). Refused data answers 422 with German messages per field.

For tests, the service plays faults on request (`POST /_faults`: slow, error, auth, for the
next `count` /v1 requests or until changed), lists the requests it received without their
credentials (`GET /_requests`) and forgets everything on `POST /_reset`.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from reference_insurer import papers
from reference_insurer.state import FAULT_MODES, Insurer
from reference_insurer.tariff import read_application, read_finalize, read_quote

DEMO_ACCOUNTS = {"demo-makler": "radschutz-demo"}
DEMO_AGENTS = {f"VM-1000{n}" for n in range(1, 10)}
AGENT_NUMBER = re.compile(r"^VM-\d{5}$")


@dataclass(frozen=True)
class Call:
    """A /v1 request that passed the checks: whose account, under which agent, what body."""

    insurer: Insurer
    account: str
    agent: str
    body: dict[str, Any]


Handler = Callable[[Request, Call], Awaitable[Response]]


def _error(status: int, code: str, **headers: str) -> JSONResponse:
    return JSONResponse({"error": code}, status_code=status, headers=headers or None)


def _unauthorized() -> JSONResponse:
    return _error(401, "invalid_credentials", **{"WWW-Authenticate": 'Basic realm="Radschutz"'})


def _refused(errors: list[dict[str, str]]) -> JSONResponse:
    return JSONResponse({"errors": errors}, status_code=422)


def _account(request: Request, insurer: Insurer) -> str | None:
    """The account whose Basic credentials the request carries, if they are right."""
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        username, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    expected = insurer.accounts.get(username)
    if expected is None or not hmac.compare_digest(expected.encode(), password.encode()):
        return None
    return username


async def _body(request: Request) -> tuple[Any, bool]:
    """The JSON body (None when empty) and whether it could be read."""
    raw = await request.body()
    if not raw:
        return None, True
    try:
        return json.loads(raw), True
    except (ValueError, UnicodeDecodeError):
        return raw.decode(errors="replace"), False


async def _checked(request: Request, handler: Handler, agent_needed: bool, body: Any) -> Response:
    insurer: Insurer = request.app.state.insurer
    mode, seconds = insurer.faults.take()
    if mode == "slow":
        await asyncio.sleep(seconds)
    elif mode == "error":
        return _error(500, "internal_error")
    elif mode == "auth":
        return _unauthorized()
    account = _account(request, insurer)
    if account is None:
        return _unauthorized()
    agent = request.headers.get("x-agent-number", "")
    if agent_needed and not (AGENT_NUMBER.match(agent) and agent in insurer.agents):
        return _error(403, "unknown_agent")
    if request.method == "POST" and not isinstance(body, dict):
        return _error(400, "invalid_json")
    return await handler(request, Call(insurer, account, agent, body or {}))


def v1(handler: Handler, *, agent_needed: bool = True) -> Callable[[Request], Awaitable[Response]]:
    """The endpoint for a /v1 handler: recorded, faults played, credentials and agent checked."""

    async def endpoint(request: Request) -> Response:
        body, _readable = await _body(request)
        insurer: Insurer = request.app.state.insurer
        entry = insurer.record(request.method, request.url.path, dict(request.headers), body)
        response = await _checked(request, handler, agent_needed, body)
        entry["status"] = response.status_code
        return response

    return endpoint


async def quote(request: Request, call: Call) -> Response:
    tariff, errors = read_quote(call.body)
    if tariff is None:
        return _refused(errors.items)
    return JSONResponse(tariff.as_json())


async def apply(request: Request, call: Call) -> Response:
    key = request.headers.get("idempotency-key", "").strip()
    if not key or len(key) > 200:
        return _error(400, "idempotency_key_required")
    earlier = call.insurer.existing(call.account, key)
    if earlier is not None:
        if earlier.body != call.body:
            return _error(409, "idempotency_key_reused")
        return JSONResponse(earlier.as_json(), status_code=200)
    checked, errors = read_application(call.body)
    if checked is None:
        return _refused(errors.items)
    made = call.insurer.add_application(call.account, call.agent, key, call.body, checked.tariff)
    return JSONResponse(made.as_json(), status_code=201)


async def application_pdf(request: Request, call: Call) -> Response:
    application = call.insurer.application(call.account, request.path_params["id"])
    if application is None:
        return _error(404, "not_found")
    if application.pdf is None:
        application.pdf = await run_in_threadpool(papers.application_pdf, application)
    filename = f"Antrag-{application.id}.pdf"
    return _pdf(application.pdf, filename)


def _pdf(content: bytes, filename: str) -> Response:
    headers = {"Content-Disposition": f'inline; filename="{filename}"'}
    return Response(content, media_type="application/pdf", headers=headers)


async def finalize(request: Request, call: Call) -> Response:
    application = call.insurer.application(call.account, request.path_params["id"])
    if application is None:
        return _error(404, "not_found")
    signed_at, errors = read_finalize(call.body)
    if signed_at is None:
        return _refused(errors.items)
    policy = call.insurer.finalize(application, signed_at, call.body["signature"])
    return JSONResponse(policy.as_json(application))


async def document(request: Request, call: Call) -> Response:
    found = call.insurer.policy(call.account, request.path_params["number"])
    doc_id = request.path_params["doc_id"]
    if found is None or doc_id not in ("policy", "terms"):
        return _error(404, "not_found")
    policy, application = found
    if doc_id not in policy.documents:
        content = await run_in_threadpool(papers.policy_document, policy, application, doc_id)
        policy.documents[doc_id] = content or b""
    return _pdf(policy.documents[doc_id], f"{doc_id}-{policy.number}.pdf")


async def health(request: Request) -> Response:
    return JSONResponse({"ok": True})


async def set_faults(request: Request) -> Response:
    body, readable = await _body(request)
    body = body if readable and isinstance(body, dict) else {}
    mode, seconds, count = body.get("mode"), body.get("seconds", 0.0), body.get("count", 0)
    if (
        mode not in FAULT_MODES
        or not isinstance(seconds, int | float)
        or not isinstance(count, int)
        or seconds < 0
        or count < 0
    ):
        return _refused([{"field": "mode", "message": "mode none|slow|error|auth, count ≥ 0"}])
    faults = request.app.state.insurer.faults
    faults.mode, faults.seconds, faults.remaining = mode, float(seconds), count
    return JSONResponse({"ok": True})


async def recorded(request: Request) -> Response:
    return JSONResponse(request.app.state.insurer.requests)


async def reset(request: Request) -> Response:
    request.app.state.insurer.reset()
    return JSONResponse({"ok": True})


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    code = {404: "not_found", 405: "method_not_allowed"}.get(status, "error")
    return _error(status, code)


def create_app(accounts: dict[str, str], agents: set[str]) -> Starlette:
    """A Radschutz service with its own memory, accepting these accounts ({user: password})
    and agent numbers."""
    app = Starlette(
        routes=[
            Route("/health", health),
            Route("/v1/quotes", v1(quote), methods=["POST"]),
            Route("/v1/applications", v1(apply), methods=["POST"]),
            Route("/v1/applications/{id}/pdf", v1(application_pdf, agent_needed=False)),
            Route("/v1/applications/{id}/finalize", v1(finalize), methods=["POST"]),
            Route(
                "/v1/policies/{number}/documents/{doc_id}",
                v1(document, agent_needed=False),
            ),
            Route("/_faults", set_faults, methods=["POST"]),
            Route("/_requests", recorded),
            Route("/_reset", reset, methods=["POST"]),
        ],
        exception_handlers={HTTPException: _http_error},
    )
    app.state.insurer = Insurer(accounts, agents)
    return app


app = create_app(DEMO_ACCOUNTS, DEMO_AGENTS)
