"""Operator console: the broker firms (list with usage, new, one firm's page), suspending one
with a notice, letting it back in, deleting it after its export, and that export's file."""

from __future__ import annotations

from typing import Any, cast

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from tenant_app.errors import ValidationFailed
from tenant_app.pages import redirect, render
from tenant_app.services import operator_tenant_state as tenant_state
from tenant_app.services import operator_tenants
from tenant_app.tenancy import public_url
from tenant_app.web import forms
from tenant_app.web.operator.backoffices import require_operator

LIST = "operator/tenants/list.html"
FORM = "operator/tenants/form.html"
DETAIL = "operator/tenants/detail.html"
CREATED = "operator/tenants/created.html"  # the admin's one-time password, shown once
DELETED = "operator/tenants/deleted.html"
NO_STORE = {"Cache-Control": "no-store"}


def _tenant_id(request: Request) -> int:
    return cast(int, request.path_params["tenant_id"])


async def _form(request: Request) -> FormData:
    return await forms.read_form(request, max_fields=10)


async def _detail(request: Request, **extra: Any) -> Response:
    actor = require_operator(request)
    row = await operator_tenants.tenant_for(actor, _tenant_id(request))
    context = {"row": row, "values": {}, "errors": {}, **extra}
    return render(request, DETAIL, context, status_code=422 if extra.get("errors") else 200)


async def operator_tenant_list(request: Request) -> Response:
    actor = require_operator(request)
    rows = await operator_tenants.tenant_rows(actor)
    return render(request, LIST, {"rows": rows, "mail_days": operator_tenants.MAIL_DAYS})


async def operator_tenant_form(request: Request) -> Response:
    require_operator(request)
    return render(request, FORM, {"values": operator_tenants.empty_form(), "errors": {}})


async def operator_tenant_create(request: Request) -> Response:
    actor = require_operator(request)
    values, errors = forms.bounded_texts(await _form(request), operator_tenants.CREATE_LIMITS)
    try:
        if errors:
            raise ValidationFailed(errors)
        base_domain = request.app.state.settings.base_domain
        made = await operator_tenants.create(
            actor, request.app.state.passwords, values=values, base_domain=base_domain
        )
    except ValidationFailed as failed:
        context = {"values": values, "errors": {**forms.translated(failed), **errors}}
        return render(request, FORM, context, status_code=422)
    login_url = public_url(request.app.state.settings, made.hostname) + "/login"
    return render(request, CREATED, {"made": made, "login_url": login_url}, headers=NO_STORE)


async def operator_tenant(request: Request) -> Response:
    return await _detail(request)


async def operator_tenant_suspend(request: Request) -> Response:
    actor = require_operator(request)
    values, errors = forms.bounded_texts(
        await _form(request), {"notice": tenant_state.NOTICE_CHARS}
    )
    try:
        if errors:
            raise ValidationFailed(errors)
        await tenant_state.suspend(actor, _tenant_id(request), notice=values["notice"])
    except ValidationFailed as failed:
        return await _detail(request, values=values, errors=forms.translated(failed))
    return redirect(request, "operator_tenant", flash="suspended", tenant_id=_tenant_id(request))


async def operator_tenant_reactivate(request: Request) -> Response:
    actor = require_operator(request)
    await _form(request)
    await tenant_state.reactivate(actor, _tenant_id(request))
    return redirect(request, "operator_tenant", flash="reactivated", tenant_id=_tenant_id(request))


async def operator_tenant_delete(request: Request) -> Response:
    actor = require_operator(request)
    values, errors = forms.bounded_texts(await _form(request), {"confirm_slug": 63})
    try:
        if errors:
            raise ValidationFailed(errors)
        folder = tenant_state.exports_folder(request.app.state.settings)
        deleted = await tenant_state.delete(
            actor,
            request.app.state.storage,
            _tenant_id(request),
            confirm_slug=values["confirm_slug"],
            folder=folder,
        )
    except ValidationFailed as failed:
        return await _detail(request, values=values, errors=forms.translated(failed))
    return render(request, DELETED, {"deleted": deleted}, headers=NO_STORE)


async def operator_export(request: Request) -> Response:
    actor = require_operator(request)
    folder = tenant_state.exports_folder(request.app.state.settings)
    path = tenant_state.export_path(actor, folder, request.path_params["name"])
    return FileResponse(path, media_type="application/zip", filename=path.name, headers=NO_STORE)


BASE = "/operator/tenants"
ONE = BASE + "/{tenant_id:id}"
routes = [
    Route(BASE, operator_tenant_list, methods=["GET"], name="operator_tenant_list"),
    Route(BASE + "/new", operator_tenant_form, methods=["GET"], name="operator_tenant_form"),
    Route(BASE, operator_tenant_create, methods=["POST"], name="operator_tenant_create"),
    Route(ONE, operator_tenant, methods=["GET"], name="operator_tenant"),
    Route(
        ONE + "/suspend", operator_tenant_suspend, methods=["POST"], name="operator_tenant_suspend"
    ),
    Route(
        ONE + "/reactivate",
        operator_tenant_reactivate,
        methods=["POST"],
        name="operator_tenant_reactivate",
    ),
    Route(ONE + "/delete", operator_tenant_delete, methods=["POST"], name="operator_tenant_delete"),
    Route("/operator/exports/{name}", operator_export, methods=["GET"], name="operator_export"),
]
