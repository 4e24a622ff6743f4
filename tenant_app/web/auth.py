"""Login and logout, for staff and customers alike."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from tenant_app.actors import CurrentUser
from tenant_app.edge.headers import allow_framing
from tenant_app.edge.locale import LANGUAGE_COOKIE
from tenant_app.errors import ValidationFailed
from tenant_app.pages import redirect, render, url_for
from tenant_app.permissions import home_path_for
from tenant_app.security import cookies, sessions
from tenant_app.services import accounts, auth
from tenant_app.text import i18n
from tenant_app.text.i18n import gettext as _
from tenant_app.web import forms
from tenant_app.web.guards import CHANGE_PASSWORD_PATH, LoginRequired, current_user

LANGUAGE_COOKIE_SECONDS = 400 * 24 * 3600  # the longest browsers keep a cookie
DEVICE_COOKIE_SECONDS = LANGUAGE_COOKIE_SECONDS
# Between the password and the second factor: who, and where to after. Short, so a
# half-finished login on a shared computer cannot be completed by the next person later.
PENDING_LOGIN_SECONDS = 10 * 60
SECOND_FACTOR_PATH = "/login/second-factor"


async def login_form(request: Request) -> Response:
    user = current_user(request)
    if user is not None:
        return RedirectResponse(home_path_for(user), status_code=303)
    next_path = forms.safe_next(request.query_params.get("next"), "")
    allow_framing(request.scope)  # by the tenant's own website origins, if it named any
    context = {"next": next_path, "values": {}, "errors": {}, "framed": _framed_elsewhere(request)}
    return render(request, "auth/login.html", context)


def _framed_elsewhere(request: Request) -> bool:
    """In a frame of another site: browsers keep no login cookies there, so the page offers a
    button to the login page instead of a form that could only fail."""
    headers = request.headers
    return (
        headers.get("sec-fetch-dest") == "iframe" and headers.get("sec-fetch-site") == "cross-site"
    )


def _login_values(form: FormData) -> dict[str, str]:
    return {
        "identifier": forms.text(form, "identifier", max_chars=254),
        "next": forms.text(form, "next", max_chars=500),
    }


async def _log_in(request: Request, values: dict[str, str], password: str) -> auth.LoginResult:
    return await auth.log_in(
        request.app.state.passwords,
        request.app.state.settings,
        identifier=values["identifier"],
        password=password,
        client=forms.client_address(request),
        user_agent=request.headers.get("user-agent", ""),
        device=device_secret(request),
    )


def _set_signed(
    request: Request, response: Response, purpose: str, value: str, *, max_age: int
) -> None:
    settings = request.app.state.settings
    response.set_cookie(
        cookies.cookie_name(settings, purpose),
        cookies.sign(settings, purpose, request.state.tenant.id, value),
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )


def _read_signed(request: Request, purpose: str, *, max_age: int) -> str | None:
    settings = request.app.state.settings
    raw = request.cookies.get(cookies.cookie_name(settings, purpose))
    return cookies.unsign(settings, purpose, request.state.tenant.id, raw, max_age=max_age)


def _forget(request: Request, response: Response, purpose: str) -> None:
    settings = request.app.state.settings
    response.delete_cookie(
        cookies.cookie_name(settings, purpose),
        path="/",
        secure=settings.secure_cookies,
        httponly=True,
        samesite="lax",
    )


def device_secret(request: Request) -> str | None:
    """The browser's own random id, set at its first login (see services/devices.py)."""
    return _read_signed(request, "device", max_age=DEVICE_COOKIE_SECONDS)


def finish_login(request: Request, result: auth.LoginResult, target: str) -> Response:
    """The answer to every completed login: the session cookie (and a device cookie for a
    browser seen the first time), then on to `target` or to the one-time password's change."""
    if result.cookie_secret is None:
        raise ValueError("the login is not complete")
    settings = request.app.state.settings
    if result.user.must_change_password:
        target = CHANGE_PASSWORD_PATH
    response = RedirectResponse(target, status_code=303)
    _set_signed(
        request,
        response,
        "session",
        result.cookie_secret,
        max_age=settings.session_max_hours * 3600,
    )
    if result.device_secret:
        secret = result.device_secret
        _set_signed(request, response, "device", secret, max_age=DEVICE_COOKIE_SECONDS)
    _forget(request, response, "login2")
    return response


async def complete_login(request: Request, user: Any, target: str) -> Response:
    """A user proven after the password (a code, a recovery code, a passkey): the session
    starts as after every login (services/auth.start_login), then `finish_login`."""
    result = await auth.start_login(
        request.app.state.settings,
        user,
        client=forms.client_address(request),
        user_agent=request.headers.get("user-agent", ""),
        device=device_secret(request),
    )
    return finish_login(request, result, target)


def ask_second_factor(request: Request, user_id: int, target: str) -> Response:
    """The password was right and the account has a second factor: remember who (signed,
    bound to the tenant, for a few minutes) and ask for it."""
    response = RedirectResponse(SECOND_FACTOR_PATH, status_code=303)
    _set_signed(request, response, "login2", f"{user_id}|{target}", max_age=PENDING_LOGIN_SECONDS)
    return response


def pending_login(request: Request) -> tuple[int, str] | None:
    """Who passed the password step in this browser, and where they were going; or None."""
    value = _read_signed(request, "login2", max_age=PENDING_LOGIN_SECONDS)
    user_id, _sep, target = (value or "").partition("|")
    if not user_id.isdigit():
        return None
    return int(user_id), forms.safe_next(target, "")


async def login_submit(request: Request) -> Response:
    form = await forms.read_form(request)
    values: dict[str, str] = {}
    try:
        values = _login_values(form)
        password = forms.text(form, "password", max_chars=1024)
        result = await _log_in(request, values, password)
    except ValidationFailed as failed:
        return _login_page(request, values, failed.errors, status=422)
    except auth.LoginThrottled:
        message = _("Too many login attempts. Please wait a few minutes and try again.")
        return _login_page(request, values, {"form": message}, status=429)
    except auth.LoginFailed:
        message = _("The username/e-mail or password is not correct.")
        return _login_page(request, values, {"form": message}, status=401)
    target = forms.safe_next(values.get("next"), home_path_for(result.user))
    if result.cookie_secret is None:
        return ask_second_factor(request, result.user.id, target)
    return finish_login(request, result, target)


def _login_page(
    request: Request, values: dict[str, str], errors: dict[str, str], *, status: int
) -> Response:
    context = {"next": values.get("next", ""), "values": values, "errors": errors}
    return render(request, "auth/login.html", context, status_code=status)


async def logout(request: Request) -> Response:
    user = current_user(request)
    if user is not None:
        await sessions.end_session(user.session_id)
    response = redirect(request, "login_form", flash="bye")
    _forget(request, response, "session")
    return response


def _with_language(request: Request, response: Response, choice: str) -> Response:
    settings = request.app.state.settings
    response.set_cookie(
        cookies.cookie_name(settings, LANGUAGE_COOKIE),
        choice,
        max_age=LANGUAGE_COOKIE_SECONDS,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )
    return response


async def language_save(request: Request) -> Response:
    """The language of pages (and of a user's mails): the user's own setting, and a cookie
    so that the login and link pages speak it too, before and after a session."""
    form = await forms.read_form(request)
    choice = forms.text(form, "language", max_chars=5)
    user = current_user(request)
    if user is not None:
        await accounts.set_language(user, language=choice)
    elif choice not in i18n.LOCALES:
        raise ValidationFailed({"language": _("Please choose a language.")})
    # The form names the page it sits on; the Referer is the fallback of older pages.
    referer = urlsplit(request.headers.get("referer", "")).path
    back = forms.text(form, "next", max_chars=500) or referer
    home = home_path_for(user) if user is not None else url_for(request, "login_form")
    response = RedirectResponse(forms.safe_next(back, home), status_code=303)
    return _with_language(request, response, choice)


def _signed_in(request: Request) -> CurrentUser:
    """The logged-in user, also one who must still replace a one-time password."""
    user = current_user(request)
    if user is None:
        raise LoginRequired
    return user


def _password_page(
    request: Request, user: CurrentUser, errors: dict[str, str], *, status_code: int = 200
) -> Response:
    context = {"forced": user.must_change_password, "errors": errors}
    return render(request, "auth/change_password.html", context, status_code=status_code)


async def password_change_form(request: Request) -> Response:
    return _password_page(request, _signed_in(request), {})


async def password_change(request: Request) -> Response:
    """A new password for the logged-in user; their other sessions end."""
    user = _signed_in(request)
    form = await forms.read_form(request)
    try:
        fields = forms.texts(form, ("current_password", "password", "password2"), max_chars=1024)
        await auth.change_password(
            user,
            request.app.state.passwords,
            settings=request.app.state.settings,
            current=fields["current_password"],
            new=fields["password"],
            repeat=fields["password2"],
        )
    except ValidationFailed as failed:
        return _password_page(request, user, failed.errors, status_code=422)
    return redirect(request, "password_change_form", flash="changed")


routes = [
    Route("/account/language", language_save, methods=["POST"], name="language_save"),
    Route(CHANGE_PASSWORD_PATH, password_change_form, methods=["GET"], name="password_change_form"),
    Route(CHANGE_PASSWORD_PATH, password_change, methods=["POST"], name="password_change"),
    Route("/login", login_form, methods=["GET"], name="login_form"),
    Route("/login", login_submit, methods=["POST"], name="login_submit"),
    Route("/logout", logout, methods=["POST"], name="logout"),
]
