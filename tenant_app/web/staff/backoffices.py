"""Einstellungen → Backoffices (services/backoffice_engagements.py): the backoffices a
tenant may engage for tenders, engaging one and ending an engagement (which takes the
backoffice's access to the tenant's tenders away at once)."""

from __future__ import annotations

from typing import cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.pages import redirect, render
from tenant_app.permissions import can_manage_settings
from tenant_app.schemas.product_lines import line_label
from tenant_app.services import backoffice_engagements
from tenant_app.web.guards import require

TEMPLATE = "staff/backoffices/page.html"


def _backoffice_id(request: Request) -> int:
    return cast(int, request.path_params["backoffice_id"])


async def backoffice_settings(request: Request) -> Response:
    actor = require(request, can_manage_settings)
    choices = await backoffice_engagements.choices(actor)
    return render(request, TEMPLATE, {"choices": choices, "line_label": line_label})


async def backoffice_engage(request: Request) -> Response:
    actor = require(request, can_manage_settings)
    await backoffice_engagements.engage(actor, _backoffice_id(request))
    return redirect(request, "backoffice_settings", flash="engaged")


async def backoffice_disengage(request: Request) -> Response:
    actor = require(request, can_manage_settings)
    await backoffice_engagements.end(actor, _backoffice_id(request))
    return redirect(request, "backoffice_settings", flash="ended")


BASE = "/staff/settings/backoffices"
ONE = BASE + "/{backoffice_id:id}"
routes = [
    Route(BASE, backoffice_settings, methods=["GET"], name="backoffice_settings"),
    Route(ONE + "/engage", backoffice_engage, methods=["POST"], name="backoffice_engage"),
    Route(ONE + "/end", backoffice_disengage, methods=["POST"], name="backoffice_disengage"),
]
