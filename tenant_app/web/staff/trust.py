"""A contact's trusted persons on the staff side: veto a waiting request, or open the
emergency folder at once on proof (a note and the uploaded proof). The list itself is a
section of the contact's page (templates/staff/contacts/_trusted.html)."""

from __future__ import annotations

from typing import Any, cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.actors import CurrentUser
from tenant_app.errors import ValidationFailed
from tenant_app.pages import redirect, render
from tenant_app.permissions import can_use_staff_area
from tenant_app.services import trust, trust_staff
from tenant_app.services.trust_staff import NOTE_MAX
from tenant_app.web import forms
from tenant_app.web.guards import require

OPEN_PAGE = "staff/contacts/trust_open.html"


def _ids(request: Request) -> tuple[CurrentUser, int, int]:
    actor = require(request, can_use_staff_area)
    params = request.path_params
    return actor, cast(int, params["contact_id"]), cast(int, params["trust_id"])


def _to_contact(request: Request, contact_id: int, flash: str) -> Response:
    response = redirect(request, "contact_detail", flash=flash, contact_id=contact_id)
    response.headers["location"] += "#trusted"
    return response


async def staff_trust_veto(request: Request) -> Response:
    actor, contact_id, trust_id = _ids(request)
    stopped = await trust.veto(
        actor, settings=request.app.state.settings, trust_id=trust_id, contact_id=contact_id
    )
    return _to_contact(request, contact_id, "trust_vetoed" if stopped else "trust_not_vetoed")


def _open_page(
    request: Request, person: Any, values: dict[str, str], errors: dict[str, str], status: int
) -> Response:
    context = {"person": person, "values": values, "errors": errors, "note_max": NOTE_MAX}
    return render(request, OPEN_PAGE, context, status_code=status)


async def staff_trust_open_form(request: Request) -> Response:
    actor, contact_id, trust_id = _ids(request)
    person = await trust_staff.openable(actor, contact_id=contact_id, trust_id=trust_id)
    return _open_page(request, person, {}, {}, 200)


async def staff_trust_open(request: Request) -> Response:
    actor, contact_id, trust_id = _ids(request)
    person = await trust_staff.openable(actor, contact_id=contact_id, trust_id=trust_id)
    state = request.app.state
    values: dict[str, str] = {}
    async with forms.multipart(request) as form:
        try:
            values = {"note": forms.text(form, "note", max_chars=NOTE_MAX)}
            await trust_staff.open_on_proof(
                actor,
                state.storage,
                settings=state.settings,
                contact_id=contact_id,
                trust_id=trust_id,
                note=values["note"],
                upload=forms.upload_from(form),
            )
        except ValidationFailed as failed:
            return _open_page(request, person, values, failed.errors, failed.status_code)
    return _to_contact(request, contact_id, "trust_opened")


TRUSTED = "/staff/contacts/{contact_id:id}/trusted/{trust_id:id}"

routes = [
    Route(f"{TRUSTED}/veto", staff_trust_veto, methods=["POST"], name="staff_trust_veto"),
    Route(f"{TRUSTED}/open", staff_trust_open_form, methods=["GET"], name="staff_trust_open_form"),
    Route(f"{TRUSTED}/open", staff_trust_open, methods=["POST"], name="staff_trust_open"),
]
