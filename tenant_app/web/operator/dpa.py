"""Operator console: the data-processing agreement (AVV), its versions with how many firms
accepted each, a new version (a draft), one version's text, publishing it."""

from __future__ import annotations

from typing import cast

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.errors import ValidationFailed
from tenant_app.pages import redirect, render
from tenant_app.services import dpa
from tenant_app.text.i18n import gettext as _
from tenant_app.text.rich import sanitize_rich_text
from tenant_app.web import forms
from tenant_app.web.operator.backoffices import require_operator

LIST = "operator/dpa/list.html"
FORM = "operator/dpa/form.html"
DETAIL = "operator/dpa/detail.html"


def _dpa_id(request: Request) -> int:
    return cast(int, request.path_params["dpa_id"])


async def operator_dpa_list(request: Request) -> Response:
    actor = require_operator(request)
    return render(request, LIST, {"rows": await dpa.operator_rows(actor)})


async def operator_dpa_form(request: Request) -> Response:
    require_operator(request)
    return render(request, FORM, {"values": {"version": "", "text": ""}, "errors": {}})


async def operator_dpa_create(request: Request) -> Response:
    actor = require_operator(request)
    form = await forms.read_form(request, max_fields=5)
    values = {"version": "", "text": ""}
    try:
        values["version"] = forms.text(form, "version", max_chars=100)
        values["text"] = forms.text(form, "text", max_chars=dpa.TEXT_CHARS + 1)
        created = await dpa.create_draft(actor, version=values["version"], text=values["text"])
    except ValidationFailed as failed:
        errors = {name: _(message) for name, message in failed.errors.items()}
        return render(request, FORM, {"values": values, "errors": errors}, status_code=422)
    return redirect(request, "operator_dpa", flash="created", dpa_id=created.id)


async def operator_dpa(request: Request) -> Response:
    actor = require_operator(request)
    version = await dpa.operator_version(actor, _dpa_id(request))
    text = Markup(sanitize_rich_text(version.text))  # noqa: S704 - sanitized
    return render(request, DETAIL, {"dpa": version, "text": text})


async def operator_dpa_publish(request: Request) -> Response:
    actor = require_operator(request)
    await forms.read_form(request, max_fields=3)
    await dpa.publish(actor, _dpa_id(request))
    return redirect(request, "operator_dpa", flash="published", dpa_id=_dpa_id(request))


BASE = "/operator/dpa"
ONE = BASE + "/{dpa_id:id}"
routes = [
    Route(BASE, operator_dpa_list, methods=["GET"], name="operator_dpa_list"),
    Route(BASE + "/new", operator_dpa_form, methods=["GET"], name="operator_dpa_form"),
    Route(BASE, operator_dpa_create, methods=["POST"], name="operator_dpa_create"),
    Route(ONE, operator_dpa, methods=["GET"], name="operator_dpa"),
    Route(ONE + "/publish", operator_dpa_publish, methods=["POST"], name="operator_dpa_publish"),
]
