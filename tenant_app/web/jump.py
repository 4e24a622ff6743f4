"""Opening a jump-in link from the broker's own system (Absprung): a GET that logs a staff
member in. That is safe here because the link is single-use and lives two minutes: it is
used up at the first request, and the answer is a redirect that is neither cached nor
passed on as a referrer (services/jump_links.py)."""

from __future__ import annotations

from typing import cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.errors import NotFound
from tenant_app.pages import render, url_for
from tenant_app.services import jump_links
from tenant_app.web import forms
from tenant_app.web.auth import ask_second_factor, device_secret, finish_login

# The secret must reach no other site, and no cache may keep the answer.
PRIVATE = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}
TARGETS = {"case": ("case_detail", "case_id"), "contact": ("contact_detail", "contact_id")}


def _problem(request: Request, reason: str, status: int) -> Response:
    context = {"reason": reason}
    return render(request, "auth/jump_problem.html", context, status_code=status, headers=PRIVATE)


async def _redeem(request: Request) -> jump_links.Jump:
    return await jump_links.redeem_jump_link(
        request.app.state.settings,
        secret=cast(str, request.path_params["secret"]),
        client=forms.client_address(request),
        user_agent=request.headers.get("user-agent", ""),
        device=device_secret(request),
    )


def _logged_in(request: Request, found: jump_links.Jump) -> Response:
    """As after the login form: the session, or the second factor first; then the target."""
    route, param = TARGETS[found.target_type]
    target = url_for(request, route, **{param: found.target_id})
    if found.login.cookie_secret is None:
        response = ask_second_factor(request, found.login.user.id, target)
    else:
        response = finish_login(request, found.login, target)
    response.headers.update(PRIVATE)
    return response


async def jump(request: Request) -> Response:
    try:
        found = await _redeem(request)
    except NotFound:
        return _problem(request, "unknown", 404)
    except jump_links.JumpLinkGone:
        return _problem(request, "gone", 410)
    except jump_links.JumpLinkRefused:
        return _problem(request, "refused", 403)
    return _logged_in(request, found)


routes = [Route(jump_links.JUMP_PATH + "{secret}", jump, methods=["GET"], name="jump")]
