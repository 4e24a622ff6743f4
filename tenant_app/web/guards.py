"""The one place where handlers ask whether the current user may be here."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse

from tenant_app import htmx
from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound
from tenant_app.pages import second_factor_state


class LoginRequired(Exception):
    pass


class PasswordChangeRequired(LoginRequired):
    """Logged in with a one-time password: the login completes once it has been replaced."""


class SecondFactorRequired(LoginRequired):
    """A staff member past the tenant's deadline without a second factor: every page but
    their own login's ones leads to setting one up."""


# Reachable then, as are logout and static files.
CHANGE_PASSWORD_PATH = "/account/password"  # noqa: S105 - a path, not a password
SECURITY_PATH = "/account/security"
# The user's own login (security page, its factor set-up, password, language) stays
# reachable while the second factor is due: that is where it gets set up.
OWN_ACCOUNT_PREFIX = "/account/"


def current_user(request: Request) -> CurrentUser | None:
    user: CurrentUser | None = request.scope.get("state", {}).get("user")
    return user


def require(request: Request, predicate: Callable[[CurrentUser], bool]) -> CurrentUser:
    """The logged-in user if the predicate allows them; else login redirect or 403."""
    user = current_user(request)
    if user is None:
        raise LoginRequired
    if user.must_change_password:
        raise PasswordChangeRequired
    if second_factor_state(request.scope) == "due" and not request.url.path.startswith(
        OWN_ACCOUNT_PREFIX
    ):
        raise SecondFactorRequired
    if not predicate(user):
        raise HTTPException(403)
    return user


async def login_required(request: Request, exc: Exception) -> RedirectResponse:
    if isinstance(exc, PasswordChangeRequired):
        return _whole_page(request, CHANGE_PASSWORD_PATH)
    if isinstance(exc, SecondFactorRequired):
        return _whole_page(request, SECURITY_PATH)
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    return _whole_page(request, f"/login?next={quote(target, safe='')}")


def _whole_page(request: Request, target: str) -> RedirectResponse:
    """A redirect that an htmx request follows with the whole page, not inside a fragment."""
    response = RedirectResponse(target, status_code=303)
    if htmx.is_htmx_request(request):
        htmx.redirect_whole_page(response, target.partition("?")[0])
    return response


def require_module(request: Request, module: str) -> None:
    """A switched-off portal module (offers, claims, ...) is not there: 404, for staff too."""
    if not request.state.tenant.has_module(module):
        raise NotFound
