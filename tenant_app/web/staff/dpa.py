"""The firm's administrator and the data-processing agreement (AVV, services/dpa.py): read
the current version, accept it, the firm's acceptances; the banner until it is accepted."""

from __future__ import annotations

from typing import cast

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from tenant_app.pages import redirect, render
from tenant_app.permissions import can_use_staff_area
from tenant_app.services import dpa
from tenant_app.text.rich import sanitize_rich_text
from tenant_app.web import forms
from tenant_app.web.guards import require


async def staff_dpa(request: Request) -> Response:
    actor = require(request, can_use_staff_area)
    state = await dpa.tenant_dpa(actor)
    text = Markup(sanitize_rich_text(state.current.text)) if state.current else None  # noqa: S704 - sanitized
    return render(request, "staff/dpa/page.html", {"state": state, "text": text})


async def staff_dpa_accept(request: Request) -> Response:
    actor = require(request, can_use_staff_area)
    await forms.read_form(request, max_fields=3)
    await dpa.accept(actor, dpa_id=cast(int, request.path_params["dpa_id"]))
    return redirect(request, "staff_dpa", flash="accepted")


async def staff_dpa_banner(request: Request) -> Response:
    """Loaded into every staff page of an administrator: the banner, or nothing."""
    actor = require(request, can_use_staff_area)
    pending = await dpa.needs_acceptance(actor)
    if pending is None:
        return HTMLResponse("")
    return render(request, "staff/dpa/_banner.html", {"pending": pending})


routes = [
    Route("/staff/dpa", staff_dpa, methods=["GET"], name="staff_dpa"),
    Route("/staff/dpa/banner", staff_dpa_banner, methods=["GET"], name="staff_dpa_banner"),
    Route(
        "/staff/dpa/{dpa_id:id}/accept", staff_dpa_accept, methods=["POST"], name="staff_dpa_accept"
    ),
]
