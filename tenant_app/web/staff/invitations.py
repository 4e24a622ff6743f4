"""Inviting contacts to the portal: the dialog (from the contact list or a contact's page),
the batch's progress (polled by htmx until done, then its report), and a contact's
invitation panel with resend and revoke."""

from __future__ import annotations

from typing import Any, cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.errors import ValidationFailed
from tenant_app.pages import redirect, render
from tenant_app.permissions import can_manage_contacts
from tenant_app.services import invitations, invitations_dialog
from tenant_app.services.invitations_batch import MAX_CONTACTS
from tenant_app.web import forms
from tenant_app.web.guards import require
from tenant_app.web.staff.contacts import visible_contact

DIALOG = "staff/invitations/dialog.html"


def _ids(values: list[str]) -> list[int]:
    found = [forms.optional_id(part.strip()) for value in values for part in value.split(",")]
    return [number for number in dict.fromkeys(found) if number is not None][:MAX_CONTACTS]


async def _dialog_page(
    request: Request, found: Any, *, values: dict[str, Any], errors: dict[str, str]
) -> Response:
    context = {"dialog": found, "values": values, "errors": errors, "categories": found.recommended}
    return render(request, DIALOG, context, status_code=422 if errors else 200)


async def invitation_dialog(request: Request) -> Response:
    actor = require(request, can_manage_contacts)
    params = request.query_params
    found = await invitations_dialog.dialog(
        actor,
        contact_ids=_ids(params.getlist("contact_id")),
        search=params.get("q", "")[:100],
        everyone=params.get("all") == "1",
    )
    values: dict[str, Any] = {"share": "categories", "address_form": found.address_form}
    values["chosen"] = found.recommended
    return await _dialog_page(request, found, values=values, errors={})


async def invitation_start(request: Request) -> Response:
    actor = require(request, can_manage_contacts)
    form = await forms.read_form(request, max_fields=1000)
    values: dict[str, Any] = {key: value for key, value in form.items() if isinstance(value, str)}
    values["categories"] = [v for v in form.getlist("categories") if isinstance(v, str)]
    ids = _ids([v for v in form.getlist("contact_ids") if isinstance(v, str)])
    try:
        batch = await invitations_dialog.submit(actor, contact_ids=ids, values=values)
    except ValidationFailed as failed:
        found = await invitations_dialog.dialog(actor, contact_ids=ids)
        chosen = {**values, "chosen": tuple(values["categories"])}
        return await _dialog_page(request, found, values=chosen, errors=failed.errors)
    return redirect(request, "invitation_progress", batch_id=batch.id)


async def invitation_progress(request: Request) -> Response:
    actor = require(request, can_manage_contacts)
    progress = await invitations_dialog.progress(actor, cast(int, request.path_params["batch_id"]))
    context = {"progress": progress, "batch": progress.batch}
    return render(request, "staff/invitations/progress.html", context, block="progress")


async def contact_invitation_panel(request: Request) -> Response:
    actor, contact = await visible_contact(request)
    status = await invitations_dialog.panel(actor, contact_id=contact.id)
    context = {"contact": contact, "status": status, "flash": request.query_params}
    return render(request, "staff/invitations/panel.html", context, block="panel")


async def contact_invitation_resend(request: Request) -> Response:
    actor, contact = await visible_contact(request)
    settings = request.app.state.settings
    try:
        await invitations.resend(actor, settings, contact_id=contact.id)
    except ValidationFailed:
        return redirect(request, "contact_detail", flash="account_error", contact_id=contact.id)
    return redirect(request, "contact_detail", flash="invitation_resent", contact_id=contact.id)


async def contact_invitation_revoke(request: Request) -> Response:
    actor, contact = await visible_contact(request)
    await invitations.revoke(actor, contact_id=contact.id)
    return redirect(request, "contact_detail", flash="invitation_revoked", contact_id=contact.id)


routes = [
    Route("/staff/invitations/new", invitation_dialog, methods=["GET"], name="invitation_dialog"),
    Route("/staff/invitations", invitation_start, methods=["POST"], name="invitation_start"),
    Route(
        "/staff/invitations/{batch_id:id}",
        invitation_progress,
        methods=["GET"],
        name="invitation_progress",
    ),
    Route(
        "/staff/contacts/{contact_id:id}/invitation",
        contact_invitation_panel,
        methods=["GET"],
        name="contact_invitation_panel",
    ),
    Route(
        "/staff/contacts/{contact_id:id}/invitation/resend",
        contact_invitation_resend,
        methods=["POST"],
        name="contact_invitation_resend",
    ),
    Route(
        "/staff/contacts/{contact_id:id}/invitation/revoke",
        contact_invitation_revoke,
        methods=["POST"],
        name="contact_invitation_revoke",
    ),
]
