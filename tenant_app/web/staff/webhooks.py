"""Webhooks (Einstellungen → Webhooks): the tenant admin's endpoints, each with its delivery
log, replay, a new secret, switching it on again, and deleting it (services/webhooks.py).

The signing secret is shown once, in the answer to the form that made it (a new endpoint or
a new secret): it never appears on a page that can be loaded again.
"""

from __future__ import annotations

from typing import Any, cast

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.errors import ValidationFailed
from tenant_app.pages import redirect, render
from tenant_app.permissions import can_link_systems
from tenant_app.services import webhook_log, webhooks
from tenant_app.text import labels
from tenant_app.vocabulary import WEBHOOK_EVENT_TYPES
from tenant_app.web import forms
from tenant_app.web.guards import require

LIST = "staff/webhooks/list.html"
FORM = "staff/webhooks/form.html"
DETAIL = "staff/webhooks/detail.html"
ONCE_PAGE = "staff/webhooks/secret.html"  # the signing secret, shown once
TEXT_FIELDS = ("url", "description", "version")
MAX_CHARS = 600  # the longest field (the URL) allows 500; the form model says what is valid


def _values(form: FormData) -> dict[str, Any]:
    """The form as typed: texts, the chosen event types (strings only), the switch."""
    values: dict[str, Any] = forms.texts(form, TEXT_FIELDS, max_chars=MAX_CHARS)
    chosen = form.getlist("event_types")
    values["event_types"] = [str(item) for item in chosen if isinstance(item, str)][:50]
    values["is_active"] = forms.checkbox(form, "is_active")
    return values


def _endpoint_id(request: Request) -> int:
    return cast(int, request.path_params["endpoint_id"])


def _allow_private(request: Request) -> bool:
    return bool(request.app.state.settings.allows_private_webhooks)


def _form(
    request: Request,
    endpoint: Any,
    values: dict[str, Any],
    errors: dict[str, str],
    *,
    status_code: int = 200,
) -> Response:
    context = {
        "endpoint": endpoint,
        "values": values,
        "errors": errors,
        "event_types": list(labels.WEBHOOK_EVENT_TYPES),
        "allow_private": _allow_private(request),
    }
    return render(request, FORM, context, status_code=status_code)


async def webhook_list(request: Request) -> Response:
    actor = require(request, can_link_systems)
    summaries = await webhook_log.endpoint_list(actor)
    context = {"summaries": summaries, "type_labels": labels.WEBHOOK_EVENT_TYPES}
    return render(request, LIST, context)


async def webhook_create_form(request: Request) -> Response:
    require(request, can_link_systems)
    return _form(request, None, webhooks.form_values(None), {})


async def webhook_create(request: Request) -> Response:
    actor = require(request, can_link_systems)
    form = await forms.read_form(request, max_fields=len(WEBHOOK_EVENT_TYPES) + 10)
    values: dict[str, Any] = webhooks.form_values(None)
    try:
        values = _values(form)
        allow = _allow_private(request)
        endpoint, secret = await webhooks.create_endpoint(actor, values=values, allow_private=allow)
    except ValidationFailed as failed:
        return _form(request, None, values, failed.errors, status_code=failed.status_code)
    context = {"endpoint": endpoint, "secret": secret, "created": True}
    return render(request, ONCE_PAGE, context, headers={"Cache-Control": "no-store"})


async def webhook_detail(request: Request) -> Response:
    actor = require(request, can_link_systems)
    page = forms.optional_id(request.query_params.get("page", "")) or 1
    log = await webhook_log.delivery_log(actor, _endpoint_id(request), page=page)
    context = {"log": log, "type_labels": labels.WEBHOOK_EVENT_TYPES}
    return render(request, DETAIL, context)


async def webhook_edit_form(request: Request) -> Response:
    actor = require(request, can_link_systems)
    endpoint = await webhooks.endpoint_for(actor, _endpoint_id(request))
    return _form(request, endpoint, webhooks.form_values(endpoint), {})


async def webhook_update(request: Request) -> Response:
    actor = require(request, can_link_systems)
    endpoint = await webhooks.endpoint_for(actor, _endpoint_id(request))
    form = await forms.read_form(request, max_fields=len(WEBHOOK_EVENT_TYPES) + 10)
    values: dict[str, Any] = webhooks.form_values(endpoint)
    try:
        values = _values(form)
        allow = _allow_private(request)
        await webhooks.update_endpoint(actor, endpoint.id, values=values, allow_private=allow)
    except ValidationFailed as failed:
        kept = failed.kept(values)
        return _form(request, endpoint, kept, failed.errors, status_code=failed.status_code)
    return redirect(request, "webhook_detail", flash="saved", endpoint_id=endpoint.id)


async def webhook_rotate(request: Request) -> Response:
    actor = require(request, can_link_systems)
    endpoint = await webhooks.endpoint_for(actor, _endpoint_id(request))
    secret = await webhooks.rotate_secret(actor, endpoint.id)
    context = {"endpoint": endpoint, "secret": secret, "created": False}
    return render(request, ONCE_PAGE, context, headers={"Cache-Control": "no-store"})


async def webhook_delete(request: Request) -> Response:
    actor = require(request, can_link_systems)
    await webhooks.delete_endpoint(actor, _endpoint_id(request))
    return redirect(request, "webhook_list", flash="deleted")


async def webhook_enable(request: Request) -> Response:
    actor = require(request, can_link_systems)
    endpoint_id = _endpoint_id(request)
    await webhooks.enable_endpoint(actor, endpoint_id)
    return redirect(request, "webhook_detail", flash="enabled", endpoint_id=endpoint_id)


async def webhook_replay(request: Request) -> Response:
    actor = require(request, can_link_systems)
    endpoint_id = _endpoint_id(request)
    await webhooks.replay(actor, endpoint_id, cast(int, request.path_params["delivery_id"]))
    return redirect(request, "webhook_detail", flash="replayed", endpoint_id=endpoint_id)


BASE = "/staff/settings/webhooks"
ONE = BASE + "/{endpoint_id:id}"
routes = [
    Route(BASE, webhook_list, methods=["GET"], name="webhook_list"),
    Route(BASE + "/new", webhook_create_form, methods=["GET"], name="webhook_create_form"),
    Route(BASE, webhook_create, methods=["POST"], name="webhook_create"),
    Route(ONE, webhook_detail, methods=["GET"], name="webhook_detail"),
    Route(ONE + "/edit", webhook_edit_form, methods=["GET"], name="webhook_edit_form"),
    Route(ONE, webhook_update, methods=["POST"], name="webhook_update"),
    Route(ONE + "/secret", webhook_rotate, methods=["POST"], name="webhook_rotate"),
    Route(ONE + "/delete", webhook_delete, methods=["POST"], name="webhook_delete"),
    Route(ONE + "/enable", webhook_enable, methods=["POST"], name="webhook_enable"),
    Route(
        ONE + "/deliveries/{delivery_id:id}/replay",
        webhook_replay,
        methods=["POST"],
        name="webhook_replay",
    ),
]
