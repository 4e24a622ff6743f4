"""Passkeys: the JSON ends of the WebAuthn ceremonies (static/js/passkeys.js), and the forms
that rename and remove a passkey on "Anmeldung & Sicherheit".

Each ceremony is two requests: options (a fresh challenge, kept signed in a short-lived cookie
bound to the tenant) and the browser's response. The requests are same-origin `fetch` calls
that carry the CSRF token in the `X-CSRF-Token` header, as htmx's requests do. Failures answer
`{"error": reason}`; the page shows its own translated message for each reason.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tenant_app.actors import CurrentUser
from tenant_app.errors import ValidationFailed
from tenant_app.pages import redirect, render
from tenant_app.permissions import home_path_for
from tenant_app.security import cookies
from tenant_app.security.webauthn_ceremony import (
    CHALLENGE_SECONDS,
    MAX_CREDENTIAL_CHARS,
    Challenge,
    RelyingParty,
)
from tenant_app.services import account_security, passkeys
from tenant_app.tenancy import normalize_host
from tenant_app.web import auth as web_auth
from tenant_app.web import forms
from tenant_app.web.guards import require

CHALLENGE_COOKIE = "passkey"
ACCOUNT_PATH = "/account/passkeys"
LOGIN_PATH = "/login/passkey"


def relying_party(request: Request) -> RelyingParty:
    """The tenant's host is the relying party; the origin is the one the browser is on, as the
    CSRF check expects it (scheme as uvicorn saw it, behind a proxy from trusted headers)."""
    host = request.headers.get("host", "")
    scheme = request.scope.get("scheme", "http")
    return RelyingParty(
        id=normalize_host(host),  # the edge resolved the tenant from it: well-formed
        name=request.state.tenant.name,
        origin=f"{scheme}://{host}".lower(),
    )


async def _json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object, read up to a bound (a credential is a few KB)."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_CREDENTIAL_CHARS:
            raise HTTPException(413)
    try:
        data = json.loads(body or b"{}")
    except (ValueError, RecursionError):  # RecursionError: nested a few thousand levels deep
        raise HTTPException(400) from None
    if not isinstance(data, dict):
        raise HTTPException(400)
    return data


def _text(data: dict[str, Any], name: str, *, max_chars: int = 500) -> str:
    value = data.get(name, "")
    if not isinstance(value, str) or len(value) > max_chars:
        raise HTTPException(400)
    return value


def _with_challenge(request: Request, payload: dict[str, Any], challenge: Challenge) -> Response:
    settings = request.app.state.settings
    response = JSONResponse(payload)
    response.set_cookie(
        cookies.cookie_name(settings, CHALLENGE_COOKIE),
        cookies.sign(settings, CHALLENGE_COOKIE, request.state.tenant.id, challenge.dumps()),
        max_age=CHALLENGE_SECONDS,
        path="/",
        httponly=True,
        samesite="strict",
        secure=settings.secure_cookies,
    )
    return response


def _challenge(request: Request) -> Challenge | None:
    settings = request.app.state.settings
    raw = request.cookies.get(cookies.cookie_name(settings, CHALLENGE_COOKIE))
    value = cookies.unsign(
        settings, CHALLENGE_COOKIE, request.state.tenant.id, raw, max_age=CHALLENGE_SECONDS
    )
    return Challenge.loads(value)


def _answer(request: Request, payload: dict[str, Any], status: int = 200) -> Response:
    """The answer to a response: the challenge is spent either way, so its cookie goes."""
    settings = request.app.state.settings
    response = JSONResponse(payload, status_code=status)
    response.delete_cookie(
        cookies.cookie_name(settings, CHALLENGE_COOKIE),
        path="/",
        httponly=True,
        samesite="strict",
        secure=settings.secure_cookies,
    )
    return response


def _refused(request: Request, reason: str) -> Response:
    return _answer(request, {"error": reason}, 429 if reason == "throttled" else 400)


def _invalid(failed: ValidationFailed) -> Response:
    return JSONResponse({"error": "invalid", "errors": failed.errors}, status_code=422)


# --- Registering a passkey (logged in) ----------------------------------------------------


async def passkey_register_options(request: Request) -> Response:
    """A challenge for a new passkey, once its name is fine and the current password right
    (else `{"error": "invalid", "errors": {field: message}}`, shown at the fields)."""
    user = require(request, lambda u: True)
    data = await _json_body(request)
    try:
        name = _text(data, "name", max_chars=1000)
        password = _text(data, "current_password", max_chars=1024)
        options, challenge = await passkeys.start_registration(
            user,
            relying_party(request),
            request.app.state.passwords,
            name=name,
            current_password=password,
        )
    except ValidationFailed as failed:
        return _invalid(failed)
    return _with_challenge(request, {"publicKey": options}, challenge)


async def passkey_register(request: Request) -> Response:
    """Store the new passkey; the answer is the section again (with the recovery codes when
    this was the login's first factor: shown this once)."""
    user = require(request, lambda u: True)
    credential = (await _json_body(request)).get("credential")
    settings, challenge = request.app.state.settings, _challenge(request)
    try:
        registered = await passkeys.register(
            user,
            relying_party(request),
            settings=settings,
            challenge=challenge,
            credential=credential,
        )
    except passkeys.PasskeyFailed as failure:
        return _refused(request, failure.reason)
    return await _added(request, user, registered)


async def _added(request: Request, user: CurrentUser, registered: Any) -> Response:
    """The section again, naming the new passkey (and the recovery codes when this was the
    login's first factor: shown this once)."""
    context = {
        "passkeys": await passkeys.passkeys_of(user),
        "passkey_added": registered.passkey.name,
        "passkey_codes": registered.recovery_codes,
    }
    section = render(request, "account/_passkeys.html", context)
    return _answer(request, {"html": bytes(section.body).decode()})


# --- Renaming and removing (plain forms) -------------------------------------------------


async def _security_page(
    request: Request, user: CurrentUser, passkey_id: int, failed: ValidationFailed
) -> Response:
    settings = request.app.state.settings
    context = await account_security.overview(user, settings=settings)
    context |= {"passkey_failed": passkey_id, "passkey_errors": failed.errors}
    return render(request, "account/security.html", context, status_code=failed.status_code)


async def passkey_rename(request: Request) -> Response:
    user = require(request, lambda u: True)
    passkey_id = request.path_params["passkey_id"]
    form = await forms.read_form(request)
    try:
        name = forms.text(form, "name", max_chars=1000)
        await passkeys.rename(user, passkey_id, name=name)
    except ValidationFailed as failed:
        return await _security_page(request, user, passkey_id, failed)
    return redirect(request, "account_security", flash="passkey_renamed")


async def passkey_remove(request: Request) -> Response:
    user = require(request, lambda u: True)
    passkey_id = request.path_params["passkey_id"]
    form = await forms.read_form(request)
    try:
        password = forms.text(form, "current_password", max_chars=1024)
        await passkeys.remove(
            user,
            request.app.state.passwords,
            passkey_id,
            settings=request.app.state.settings,
            current_password=password,
        )
    except ValidationFailed as failed:
        return await _security_page(request, user, passkey_id, failed)
    return redirect(request, "account_security", flash="passkey_removed")


# --- Logging in -------------------------------------------------------------------------


async def passkey_login_options(request: Request) -> Response:
    """Passwordless: the browser offers the passkeys it holds for this host."""
    options, challenge = await passkeys.start_login(relying_party(request), user_id=None)
    return _with_challenge(request, {"publicKey": options}, challenge)


async def passkey_second_options(request: Request) -> Response:
    """The second step of a password login: only the passkeys of the login it is for."""
    pending = web_auth.pending_login(request)
    if pending is None:
        return _refused(request, "expired")
    try:
        options, challenge = await passkeys.start_login(relying_party(request), user_id=pending[0])
    except passkeys.PasskeyFailed as failure:
        return _refused(request, failure.reason)
    return _with_challenge(request, {"publicKey": options}, challenge)


async def passkey_login(request: Request) -> Response:
    data = await _json_body(request)
    next_path = _text(data, "next")
    return await _log_in(request, data, user_id=None, target=next_path)


async def passkey_second(request: Request) -> Response:
    pending = web_auth.pending_login(request)
    if pending is None:
        return _refused(request, "expired")
    data = await _json_body(request)
    return await _log_in(request, data, user_id=pending[0], target=pending[1])


async def _log_in(
    request: Request, data: dict[str, Any], *, user_id: int | None, target: str
) -> Response:
    """Check the passkey, start the session as every login does, and tell the page where to."""
    try:
        user = await passkeys.authenticate(
            relying_party(request),
            challenge=_challenge(request),
            credential=data.get("credential"),
            client=forms.client_address(request),
            user_id=user_id,
        )
    except passkeys.PasskeyThrottled:
        return _refused(request, "throttled")
    except passkeys.PasskeyFailed as failure:
        return _refused(request, failure.reason)
    return await _logged_in(request, user, forms.safe_next(target, home_path_for(user)))


async def _logged_in(request: Request, user: Any, target: str) -> Response:
    finished = await web_auth.complete_login(request, user, target)
    # The same cookies as a password login's redirect, with the target for the script.
    answer = _answer(request, {"redirect": finished.headers["location"]})
    answer.raw_headers += [(k, v) for k, v in finished.raw_headers if k == b"set-cookie"]
    return answer


routes = [
    Route(
        f"{ACCOUNT_PATH}/options",
        passkey_register_options,
        methods=["POST"],
        name="passkey_register_options",
    ),
    Route(ACCOUNT_PATH, passkey_register, methods=["POST"], name="passkey_register"),
    Route(
        f"{ACCOUNT_PATH}/{{passkey_id:id}}/name",
        passkey_rename,
        methods=["POST"],
        name="passkey_rename",
    ),
    Route(
        f"{ACCOUNT_PATH}/{{passkey_id:id}}/delete",
        passkey_remove,
        methods=["POST"],
        name="passkey_remove",
    ),
    Route(
        f"{LOGIN_PATH}/options",
        passkey_login_options,
        methods=["POST"],
        name="passkey_login_options",
    ),
    Route(LOGIN_PATH, passkey_login, methods=["POST"], name="passkey_login"),
    Route(
        f"{web_auth.SECOND_FACTOR_PATH}/passkey/options",
        passkey_second_options,
        methods=["POST"],
        name="passkey_second_options",
    ),
    Route(
        f"{web_auth.SECOND_FACTOR_PATH}/passkey",
        passkey_second,
        methods=["POST"],
        name="passkey_second",
    ),
]
