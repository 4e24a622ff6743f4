"""Einstellungen › API (services/api_tokens.py): the tenant's API tokens listed, a new one
created (its secret shown once, in the answer to the form: never in a URL or a cookie) and
one revoked at once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.actors import CurrentUser
from tenant_app.errors import ValidationFailed
from tenant_app.pages import redirect, render
from tenant_app.permissions import can_link_systems
from tenant_app.services import api_tokens
from tenant_app.text import labels
from tenant_app.text.i18n import gettext as _
from tenant_app.vocabulary import API_RESOURCES, API_SCOPES
from tenant_app.web import forms
from tenant_app.web.guards import require

TEMPLATE = "staff/api_tokens/page.html"
MAX_NAME_CHARS = 500  # read this far, so that the service's own message says what is allowed


@dataclass(frozen=True)
class Created:
    """A token just created: its secret exists as text only in this answer."""

    name: str
    secret: str


def _scopes(form: FormData) -> list[str]:
    chosen = form.getlist("scopes")
    if len(chosen) > len(API_SCOPES) or not all(isinstance(value, str) for value in chosen):
        raise ValidationFailed({"scopes": _("Invalid input.")})
    return [str(value) for value in chosen]


def _values(form: FormData) -> dict[str, Any]:
    return {
        "name": forms.text(form, "name", max_chars=MAX_NAME_CHARS),
        "expires_at": forms.text(form, "expires_at", max_chars=20),
        "scopes": _scopes(form),
    }


async def _page(
    request: Request,
    actor: CurrentUser,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    created: Created | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "rows": await api_tokens.token_rows(actor),
        "values": values or {"scopes": []},
        "errors": errors or {},
        "created": created,
        "resources": API_RESOURCES,
        "resource_labels": labels.API_RESOURCES,
    }
    return render(request, TEMPLATE, context, status_code=status_code)


async def api_token_list(request: Request) -> Response:
    actor = require(request, can_link_systems)
    return await _page(request, actor)


async def api_token_create(request: Request) -> Response:
    actor = require(request, can_link_systems)
    form = await forms.read_form(request, max_fields=30)
    values: dict[str, Any] = {"scopes": []}
    try:
        values = _values(form)
        token, secret = await api_tokens.create_token_from_form(
            actor, name=values["name"], scopes=values["scopes"], expires_on=values["expires_at"]
        )
    except ValidationFailed as failed:
        return await _page(request, actor, values=values, errors=failed.errors, status_code=422)
    return await _page(request, actor, created=Created(token.name, secret))


async def api_token_revoke(request: Request) -> Response:
    actor = require(request, can_link_systems)
    await api_tokens.revoke_token(actor, int(request.path_params["token_id"]))
    return redirect(request, "settings_api_tokens", flash="revoked")


routes = [
    Route("/staff/settings/api", api_token_list, methods=["GET"], name="settings_api_tokens"),
    Route(
        "/staff/settings/api", api_token_create, methods=["POST"], name="settings_api_token_create"
    ),
    Route(
        "/staff/settings/api/{token_id:id}/revoke",
        api_token_revoke,
        methods=["POST"],
        name="settings_api_token_revoke",
    ),
]
