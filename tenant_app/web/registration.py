"""The page behind an e-mailed link (GET shows, POST acts) and the forgotten-password form."""

from __future__ import annotations

from typing import Any, cast

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.errors import ValidationFailed
from tenant_app.pages import render
from tenant_app.services import registration
from tenant_app.web import forms

NO_REFERRER = {"Referrer-Policy": "no-referrer"}  # the link must not leak to other sites


def _problem_page(request: Request, problem: registration.LinkProblem) -> Response:
    status = 410 if problem.reason in {"expired", "used", "dead"} else 404
    return render(
        request,
        "auth/link_problem.html",
        {"reason": problem.reason},
        status_code=status,
        headers=NO_REFERRER,
    )


def _password_page(
    request: Request,
    purpose: str,
    secret: str,
    errors: dict[str, str],
    *,
    pin: str = "",
    status_code: int = 200,
) -> Response:
    """The form again with every message; the PIN as typed (passwords never go back out)."""
    context = {"purpose": purpose, "errors": errors, "token": secret, "values": {"pin": pin}}
    return render(
        request, "auth/set_password.html", context, status_code=status_code, headers=NO_REFERRER
    )


async def link_form(request: Request) -> Response:
    secret = cast(str, request.path_params["token"])
    try:
        usable = await registration.check_link(secret)
    except registration.LinkProblem as problem:
        return _problem_page(request, problem)
    return _password_page(request, usable.link.purpose, secret, {})


def _link_fields(form: FormData) -> dict[str, str]:
    return {
        "password": forms.text(form, "password", max_chars=1024),
        "password2": forms.text(form, "password2", max_chars=1024),
        "pin": forms.text(form, "pin", max_chars=20),
    }


async def _complete(request: Request, secret: str, fields: dict[str, str]) -> Any:
    """Set the password through the link; the account it belongs to."""
    return await registration.complete_link(
        request.app.state.settings,
        request.app.state.passwords,
        secret=secret,
        password=fields["password"],
        password2=fields["password2"],
        pin=fields["pin"],
        client=forms.client_address(request),
    )


async def link_submit(request: Request) -> Response:
    secret = cast(str, request.path_params["token"])
    form = await forms.read_form(request)
    purpose, fields = "register", {"pin": ""}
    try:
        purpose = (await registration.check_link(secret)).link.purpose
        fields = _link_fields(form)
        user = await _complete(request, secret, fields)
    except registration.LinkProblem as problem:
        return _problem_page(request, problem)
    except registration.TooManyAttempts:
        errors = {"form": _too_many()}
        return _password_page(request, purpose, secret, errors, pin=fields["pin"], status_code=429)
    except ValidationFailed as failed:
        errors = failed.errors
        return _password_page(request, purpose, secret, errors, pin=fields["pin"], status_code=422)
    context = {"account": user, "purpose": purpose}
    return render(request, "auth/password_set.html", context, headers=NO_REFERRER)


def _too_many() -> str:
    from tenant_app.text.i18n import gettext as _

    return _("Too many attempts. Please wait an hour and try again.")


async def reset_form(request: Request) -> Response:
    return render(request, "auth/forgot_password.html", {"errors": {}, "values": {}, "done": False})


async def reset_submit(request: Request) -> Response:
    form = await forms.read_form(request)
    try:
        identifier = forms.text(form, "identifier", max_chars=254)
    except ValidationFailed as failed:
        context = {"errors": failed.errors, "values": {}, "done": False}
        return render(request, "auth/forgot_password.html", context, status_code=422)
    await registration.request_password_reset(
        request.app.state.settings,
        identifier=identifier,
        client=forms.client_address(request),
    )
    return render(request, "auth/forgot_password.html", {"errors": {}, "values": {}, "done": True})


routes = [
    Route("/passwort/{token}", link_form, methods=["GET"], name="link_form"),
    Route("/passwort/{token}", link_submit, methods=["POST"], name="link_submit"),
    Route("/passwort-vergessen", reset_form, methods=["GET"], name="reset_form"),
    Route("/passwort-vergessen", reset_submit, methods=["POST"], name="reset_submit"),
]
