"""Einstellungen › Onlinekonten (services/insurer_account_pages.py and
insurer_account_settings.py): every installed insurer plug-in with the firm's account; one
plug-in's page with the credentials (a password is never shown again), switching the
interface on or off, the reminder on new insured objects, and the staff's agent numbers.
Administrators only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.actors import CurrentUser
from tenant_app.errors import ValidationFailed
from tenant_app.pages import redirect, render
from tenant_app.permissions import can_link_systems
from tenant_app.services import insurer_account_pages, insurer_account_settings
from tenant_app.services.insurer_account_pages import AGENT_PREFIX, CREDENTIAL_PREFIX
from tenant_app.settings import Settings
from tenant_app.text.i18n import gettext as _
from tenant_app.web import forms
from tenant_app.web.guards import require

LIST = "staff/insurer_accounts/list.html"
PAGE = "staff/insurer_accounts/page.html"
PLAIN_FIELDS = ("version", "action", "remind")
MAX_FIELDS = 400  # the agent numbers of a large office, the credentials, the token
MAX_CHARS = 500  # a field's read limit; the plug-in's field says what it allows


def _key(request: Request) -> str:
    return cast(str, request.path_params["plugin"])


def _settings(request: Request) -> Settings:
    return cast(Settings, request.app.state.settings)


def _values(form: FormData) -> dict[str, str]:
    """The form's fields this page knows, each one string of bounded length."""
    names = {
        name
        for name in form
        if name in PLAIN_FIELDS or name.startswith((CREDENTIAL_PREFIX, AGENT_PREFIX))
    }
    return {name: forms.text(form, name, max_chars=MAX_CHARS) for name in sorted(names)}


async def _page(
    request: Request,
    actor: CurrentUser,
    *,
    failed: ValidationFailed | None = None,
    typed: dict[str, str] | None = None,
) -> Response:
    page = await insurer_account_pages.account_page(
        actor, _settings(request), _key(request), typed=failed.kept(typed or {}) if failed else None
    )
    context = {"page": page, "values": page.values, "errors": failed.errors if failed else {}}
    return render(request, PAGE, context, status_code=failed.status_code if failed else 200)


async def _apply(request: Request, actor: CurrentUser, values: Mapping[str, str]) -> str:
    """Do what the pressed button asks; returns the confirmation to show."""
    key, action = _key(request), values.get("action", "")
    if action == "credentials":
        await insurer_account_settings.save_credentials(actor, _settings(request), key, values)
        return "credentials_saved"
    if action in ("activate", "deactivate"):
        active = action == "activate"
        await insurer_account_settings.set_active(actor, key, active=active, values=values)
        return "activated" if active else "deactivated"
    if action == "reminder":
        remind = values.get("remind", "") in {"on", "1", "true", "yes"}
        await insurer_account_settings.set_reminder(actor, key, remind=remind, values=values)
        return "reminder_saved"
    raise ValidationFailed({"form": _("Invalid input.")})


async def insurer_account_list(request: Request) -> Response:
    actor = require(request, can_link_systems)
    accounts = await insurer_account_pages.overview(actor)
    return render(request, LIST, {"accounts": accounts})


async def insurer_account_detail(request: Request) -> Response:
    actor = require(request, can_link_systems)
    return await _page(request, actor)


async def insurer_account_save(request: Request) -> Response:
    actor = require(request, can_link_systems)
    insurer_account_pages.plugin_for(actor, _key(request))  # 404 before reading the form
    values: dict[str, Any] = {}
    try:
        values = _values(await forms.read_form(request, max_fields=MAX_FIELDS))
        flash = await _apply(request, actor, values)
    except ValidationFailed as failed:
        return await _page(request, actor, failed=failed, typed=values)
    return redirect(request, "insurer_account", flash=flash, plugin=_key(request))


async def insurer_account_agents(request: Request) -> Response:
    actor = require(request, can_link_systems)
    key = _key(request)
    insurer_account_pages.plugin_for(actor, key)
    values: dict[str, Any] = {}
    try:
        values = _values(await forms.read_form(request, max_fields=MAX_FIELDS))
        await insurer_account_settings.save_agent_numbers(actor, key, values)
    except ValidationFailed as failed:
        return await _page(request, actor, failed=failed, typed=values)
    return redirect(request, "insurer_account", flash="agents_saved", plugin=key)


BASE = "/staff/settings/insurer-accounts"
ONE = BASE + "/{plugin}"
routes = [
    Route(BASE, insurer_account_list, methods=["GET"], name="insurer_accounts"),
    Route(ONE, insurer_account_detail, methods=["GET"], name="insurer_account"),
    Route(ONE, insurer_account_save, methods=["POST"], name="insurer_account_save"),
    Route(ONE + "/agents", insurer_account_agents, methods=["POST"], name="insurer_account_agents"),
]
