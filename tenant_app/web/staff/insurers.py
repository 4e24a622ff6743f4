"""The insurer catalogue as the admin keeps it: A-Z list, add, remove."""

from __future__ import annotations

from typing import cast

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from tenant_app.errors import ValidationFailed
from tenant_app.pages import render
from tenant_app.permissions import is_admin
from tenant_app.services import insurers
from tenant_app.web import forms
from tenant_app.web.guards import require

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


async def insurer_admin(request: Request) -> Response:
    require(request, is_admin)
    letter = request.query_params.get("letter", "A")[:1].upper() or "A"
    found = await insurers.matching(letter=letter, limit=500)
    return render(
        request,
        "staff/insurers.html",
        {"insurers": found, "letter": letter, "letters": LETTERS, "errors": {}, "values": {}},
    )


async def insurer_add(request: Request) -> Response:
    actor = require(request, is_admin)
    form = await forms.read_form(request)
    name = ""
    try:
        name = forms.text(form, "name", max_chars=250)
        insurer = await insurers.add_insurer(actor, name=name)
    except ValidationFailed as failed:
        letter = (name[:1] or "A").upper()
        found = await insurers.matching(letter=letter, limit=500)
        return render(
            request,
            "staff/insurers.html",
            {
                "insurers": found,
                "letter": letter,
                "letters": LETTERS,
                "errors": failed.errors,
                "values": {"name": name},
            },
            status_code=422,
        )
    return RedirectResponse(
        f"/staff/insurers?letter={insurer.name[:1].upper()}&added=1", status_code=303
    )


async def insurer_remove(request: Request) -> Response:
    actor = require(request, is_admin)
    await insurers.remove_insurer(actor, insurer_id=cast(int, request.path_params["insurer_id"]))
    return RedirectResponse("/staff/insurers?removed=1", status_code=303)


routes = [
    Route("/staff/insurers", insurer_admin, methods=["GET"], name="insurer_admin"),
    Route("/staff/insurers", insurer_add, methods=["POST"], name="insurer_add"),
    Route(
        "/staff/insurers/{insurer_id:id}/delete",
        insurer_remove,
        methods=["POST"],
        name="insurer_remove",
    ),
]
