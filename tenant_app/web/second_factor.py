"""The authenticator app: the login's second step, and setting it up on the security page.

Recovery codes are shown once, in the answer to the form that made them (confirming the app,
or asking for new ones): they are stored only as hashes, so no later page could show them.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.actors import CurrentUser
from tenant_app.errors import ValidationFailed
from tenant_app.pages import redirect, render
from tenant_app.permissions import home_path_for
from tenant_app.services import account_security, second_factor
from tenant_app.text.i18n import addressed as _a
from tenant_app.web import forms
from tenant_app.web.auth import SECOND_FACTOR_PATH, complete_login, pending_login
from tenant_app.web.guards import require

CODE_CHARS = 64  # far above any code; longer input is refused before anything is counted


def _too_many() -> str:
    return _a("Too many wrong codes. Please wait an hour and try again.")


# --- The login's second step ------------------------------------------------------------------


def _login_page(
    request: Request,
    options: second_factor.LoginOptions,
    errors: dict[str, str],
    *,
    status_code: int = 200,
) -> Response:
    # The recovery-code form when asked for, or when there is no app to take a code from.
    recovery = options.recovery_codes > 0 and (
        request.query_params.get("recovery") == "1" or not options.has_totp
    )
    context = {
        "options": options,
        "recovery": recovery,
        "errors": errors,
        "passkey_available": options.has_passkey,  # auth/_passkey_login.html
    }
    return render(request, "auth/second_factor.html", context, status_code=status_code)


async def second_factor_form(request: Request) -> Response:
    pending = pending_login(request)
    if pending is None:
        return redirect(request, "login_form")
    try:
        options = await second_factor.login_options(pending[0])
    except second_factor.LoginGone:
        return redirect(request, "login_form")
    return _login_page(request, options, {})


async def _verified(request: Request, user_id: int, form: FormData) -> Any:
    code = forms.text(form, "code", max_chars=CODE_CHARS)
    client = forms.client_address(request)
    return await second_factor.verify_login(
        settings=request.app.state.settings, user_id=user_id, code=code, client=client
    )


async def second_factor_submit(request: Request) -> Response:
    pending = pending_login(request)
    if pending is None:
        return redirect(request, "login_form")
    form = await forms.read_form(request)
    try:
        options = await second_factor.login_options(pending[0])
        user = await _verified(request, pending[0], form)
    except second_factor.LoginGone:
        return redirect(request, "login_form")
    except ValidationFailed as failed:
        return _login_page(request, options, failed.errors, status_code=422)
    except second_factor.TooManyAttempts:
        return _login_page(request, options, {"form": _too_many()}, status_code=429)
    return await complete_login(request, user, pending[1] or home_path_for(user))


# --- Set-up and management on the security page ------------------------------------------------


def _own_login(request: Request) -> CurrentUser:
    """Anyone logged in, for their own login (also staff whose second factor is due)."""
    return require(request, lambda user: True)


async def _security_page(
    request: Request, user: CurrentUser, errors: dict[str, str], *, status_code: int
) -> Response:
    """The security page again, with this section's messages next to its fields."""
    context: dict[str, Any] = await account_security.overview(
        user, settings=request.app.state.settings
    )
    context["totp_errors"] = errors
    return render(request, "account/security.html", context, status_code=status_code)


def _codes_page(request: Request, codes: list[str], *, renewed: bool) -> Response:
    context = {"codes": codes, "renewed": renewed}
    return render(request, "account/recovery_codes.html", context)


async def totp_start(request: Request) -> Response:
    user = _own_login(request)
    form = await forms.read_form(request)
    try:
        password = forms.text(form, "start_password", max_chars=1024)
        await second_factor.start_totp(user, request.app.state.passwords, password=password)
    except ValidationFailed as failed:
        return await _security_page(request, user, failed.errors, status_code=422)
    return redirect(request, "account_security", flash="totp_started")


async def totp_cancel(request: Request) -> Response:
    user = _own_login(request)
    await second_factor.cancel_totp(user)
    return redirect(request, "account_security", flash="totp_cancelled")


async def totp_confirm(request: Request) -> Response:
    user = _own_login(request)
    form = await forms.read_form(request)
    try:
        code = forms.text(form, "code", max_chars=CODE_CHARS)
        codes = await second_factor.confirm_totp(
            user,
            settings=request.app.state.settings,
            code=code,
            client=forms.client_address(request),
        )
    except ValidationFailed as failed:
        return await _security_page(request, user, failed.errors, status_code=422)
    except second_factor.TooManyAttempts:
        return await _security_page(request, user, {"code": _too_many()}, status_code=429)
    return _codes_page(request, codes, renewed=False)


async def totp_disable(request: Request) -> Response:
    user = _own_login(request)
    form = await forms.read_form(request)
    try:
        password = forms.text(form, "disable_password", max_chars=1024)
        code = forms.text(form, "disable_code", max_chars=CODE_CHARS)
        await second_factor.disable_totp(
            user,
            request.app.state.passwords,
            settings=request.app.state.settings,
            password=password,
            code=code,
            client=forms.client_address(request),
        )
    except ValidationFailed as failed:
        return await _security_page(request, user, failed.errors, status_code=422)
    except second_factor.TooManyAttempts:
        return await _security_page(request, user, {"disable_code": _too_many()}, status_code=429)
    return redirect(request, "account_security", flash="totp_disabled")


async def recovery_codes_renew(request: Request) -> Response:
    user = _own_login(request)
    form = await forms.read_form(request)
    try:
        code = forms.text(form, "regenerate_code", max_chars=CODE_CHARS)
        codes = await second_factor.regenerate_recovery_codes(
            user,
            settings=request.app.state.settings,
            code=code,
            client=forms.client_address(request),
        )
    except ValidationFailed as failed:
        return await _security_page(request, user, failed.errors, status_code=422)
    except second_factor.TooManyAttempts:
        errors = {"regenerate_code": _too_many()}
        return await _security_page(request, user, errors, status_code=429)
    return _codes_page(request, codes, renewed=True)


TOTP_PATH = "/account/security/totp"

routes = [
    Route(SECOND_FACTOR_PATH, second_factor_form, methods=["GET"], name="second_factor_form"),
    Route(SECOND_FACTOR_PATH, second_factor_submit, methods=["POST"], name="second_factor_submit"),
    Route(f"{TOTP_PATH}/start", totp_start, methods=["POST"], name="totp_start"),
    Route(f"{TOTP_PATH}/cancel", totp_cancel, methods=["POST"], name="totp_cancel"),
    Route(f"{TOTP_PATH}/confirm", totp_confirm, methods=["POST"], name="totp_confirm"),
    Route(f"{TOTP_PATH}/disable", totp_disable, methods=["POST"], name="totp_disable"),
    Route(
        f"{TOTP_PATH}/recovery-codes",
        recovery_codes_renew,
        methods=["POST"],
        name="recovery_codes_renew",
    ),
]
