"""The one place where handlers ask whether the current user may be here."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse

from tenant_app import htmx
from tenant_app.actors import CurrentUser


class LoginRequired(Exception):
    pass


def current_user(request: Request) -> CurrentUser | None:
    user: CurrentUser | None = request.scope.get("state", {}).get("user")
    return user


def require(request: Request, predicate: Callable[[CurrentUser], bool]) -> CurrentUser:
    """The logged-in user if the predicate allows them; else login redirect or 403."""
    user = current_user(request)
    if user is None:
        raise LoginRequired
    if not predicate(user):
        raise HTTPException(403)
    return user


async def login_required(request: Request, exc: Exception) -> RedirectResponse:
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    response = RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    if htmx.is_htmx_request(request):
        htmx.redirect_whole_page(response, "/login")
    return response
