"""Operator console: the backoffices (list, new, one with its people) and a new person for
one, whose one-time password is shown once, in the answer to the form."""

from __future__ import annotations

from typing import Any, cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, ValidationFailed
from tenant_app.pages import redirect, render
from tenant_app.permissions import is_operator
from tenant_app.schemas.product_lines import line_label
from tenant_app.services import operator_pages
from tenant_app.vocabulary import PRODUCT_LINES
from tenant_app.web import forms
from tenant_app.web.guards import require

HOME = "operator/home.html"
FORM = "operator/backoffice_form.html"
DETAIL = "operator/backoffice.html"
ONCE_PAGE = "operator/member_created.html"  # the one-time password, shown once
# Read this far (the columns' sizes): longer input is refused next to its field.
BACKOFFICE_LIMITS = {"name": 200, "legal_form": 60, "email": 254}
MEMBER_LIMITS = {"email": 254, "first_name": 100, "last_name": 100}


def require_operator(request: Request) -> CurrentUser:
    """An operator on the platform host; anyone else finds no such page (404), and someone
    not logged in there is asked to log in, as everywhere."""
    if not request.state.tenant.is_platform:
        raise NotFound
    actor = require(request, lambda _user: True)
    if not is_operator(actor):
        raise NotFound
    return actor


def _backoffice_id(request: Request) -> int:
    return cast(int, request.path_params["backoffice_id"])


def _form(request: Request, values: dict[str, str], errors: dict[str, str]) -> Response:
    lines = [(f"{operator_pages.DAY_FIELD}{line}", line_label(line)) for line in PRODUCT_LINES]
    context = {"values": values, "errors": errors, "lines": lines}
    return render(request, FORM, context, status_code=422 if errors else 200)


async def _detail(request: Request, actor: CurrentUser, **extra: Any) -> Response:
    page = await operator_pages.backoffice_page(actor, _backoffice_id(request))
    context = {"page": page, "values": {}, "errors": {}, "line_label": line_label, **extra}
    return render(request, DETAIL, context, status_code=422 if extra.get("errors") else 200)


async def operator_home(request: Request) -> Response:
    actor = require_operator(request)
    rows = await operator_pages.backoffice_rows(actor)
    return render(request, HOME, {"rows": rows})


async def operator_backoffice_form(request: Request) -> Response:
    require_operator(request)
    return _form(request, operator_pages.empty_backoffice_form(), {})


async def operator_backoffice_create(request: Request) -> Response:
    actor = require_operator(request)
    form = await forms.read_form(request, max_fields=40)
    values, errors = forms.bounded_texts(
        form, BACKOFFICE_LIMITS | dict.fromkeys(operator_pages.day_fields(), 9)
    )
    try:
        if errors:
            raise ValidationFailed(errors)
        backoffice = await operator_pages.create_backoffice(actor, values=values)
    except ValidationFailed as failed:
        return _form(request, values, forms.translated(failed))
    return redirect(request, "operator_backoffice", flash="created", backoffice_id=backoffice.id)


async def operator_backoffice(request: Request) -> Response:
    actor = require_operator(request)
    return await _detail(request, actor)


async def operator_member_create(request: Request) -> Response:
    actor = require_operator(request)
    form = await forms.read_form(request, max_fields=10)
    values, errors = forms.bounded_texts(form, MEMBER_LIMITS)
    try:
        if errors:
            raise ValidationFailed(errors)
        passwords = request.app.state.passwords
        made = await operator_pages.add_member(
            actor, passwords, _backoffice_id(request), values=values
        )
    except ValidationFailed as failed:
        return await _detail(request, actor, values=values, errors=forms.translated(failed))
    page = await operator_pages.backoffice_page(actor, _backoffice_id(request))
    context = {"page": page, "login": made.user, "password": made.password}
    return render(request, ONCE_PAGE, context, headers={"Cache-Control": "no-store"})


async def operator_backoffice_active(request: Request) -> Response:
    actor = require_operator(request)
    form = await forms.read_form(request, max_fields=5)
    active = forms.checkbox(form, "active")
    await operator_pages.set_backoffice_active(actor, _backoffice_id(request), active=active)
    flash = "activated" if active else "deactivated"
    return redirect(
        request, "operator_backoffice", flash=flash, backoffice_id=_backoffice_id(request)
    )


async def operator_member_active(request: Request) -> Response:
    actor = require_operator(request)
    form = await forms.read_form(request, max_fields=5)
    active, user_id = forms.checkbox(form, "active"), cast(int, request.path_params["user_id"])
    await operator_pages.set_member_active(actor, _backoffice_id(request), user_id, active=active)
    flash = "member_activated" if active else "member_deactivated"
    return redirect(
        request, "operator_backoffice", flash=flash, backoffice_id=_backoffice_id(request)
    )


BASE = "/operator/backoffices"
ONE = BASE + "/{backoffice_id:id}"
routes = [
    Route("/operator", operator_home, methods=["GET"], name="operator_home"),
    Route(
        BASE + "/new", operator_backoffice_form, methods=["GET"], name="operator_backoffice_form"
    ),
    Route(BASE, operator_backoffice_create, methods=["POST"], name="operator_backoffice_create"),
    Route(ONE, operator_backoffice, methods=["GET"], name="operator_backoffice"),
    Route(
        ONE + "/members", operator_member_create, methods=["POST"], name="operator_member_create"
    ),
    Route(
        ONE + "/active",
        operator_backoffice_active,
        methods=["POST"],
        name="operator_backoffice_active",
    ),
    Route(
        ONE + "/members/{user_id:id}/active",
        operator_member_active,
        methods=["POST"],
        name="operator_member_active",
    ),
]
