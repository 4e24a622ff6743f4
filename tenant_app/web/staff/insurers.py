"""The insurer catalogue as the admin keeps it: A-Z list, add, remove."""

from __future__ import annotations

from typing import cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.errors import ValidationFailed
from tenant_app.pages import redirect, render
from tenant_app.permissions import is_admin
from tenant_app.services import insurers
from tenant_app.vocabulary import LETTERS
from tenant_app.web import forms
from tenant_app.web.guards import require


async def _admin_page(
    request: Request,
    letter: str,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """The catalogue at one letter, with the add form (and what was wrong with it)."""
    found = await insurers.matching(letter=letter, limit=500)
    context = {
        "insurers": found,
        "letter": letter,
        "letters": LETTERS,
        "errors": errors or {},
        "values": values or {},
    }
    return render(request, "staff/insurers.html", context, status_code=status_code)


async def insurer_admin(request: Request) -> Response:
    require(request, is_admin)
    letter = request.query_params.get("letter", "A")[:1].upper() or "A"
    return await _admin_page(request, letter)


async def insurer_add(request: Request) -> Response:
    actor = require(request, is_admin)
    form = await forms.read_form(request)
    name = ""
    try:
        name = forms.text(form, "name", max_chars=250)
        insurer = await insurers.add_insurer(actor, name=name)
    except ValidationFailed as failed:
        letter = (name[:1] or "A").upper()
        values = {"name": name}
        return await _admin_page(
            request, letter, errors=failed.errors, values=values, status_code=422
        )
    letter = insurer.name[:1].upper()
    return redirect(request, "insurer_admin", flash="added", query={"letter": letter})


async def insurer_remove(request: Request) -> Response:
    actor = require(request, is_admin)
    await insurers.remove_insurer(actor, insurer_id=cast(int, request.path_params["insurer_id"]))
    return redirect(request, "insurer_admin", flash="removed")


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
