"""Retention on the staff side: legal holds on a contact or a document, the admins' view of
what is retained for legal reasons, and the firm's retention periods (settings)."""

from __future__ import annotations

from typing import Any, cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.actors import CurrentUser
from tenant_app.errors import ValidationFailed
from tenant_app.pages import redirect, render
from tenant_app.permissions import can_use_staff_area
from tenant_app.services import contacts, legal_holds, retained, retention_rules
from tenant_app.vocabulary import RETENTION_CLASSES
from tenant_app.web import forms
from tenant_app.web.guards import require

HOLDS_PAGE = "staff/retention/holds.html"
SETTINGS_PAGE = "staff/retention/settings.html"


async def _managed(request: Request) -> tuple[CurrentUser, Any]:
    actor = require(request, can_use_staff_area)
    contact_id = cast(int, request.path_params["contact_id"])
    return actor, await contacts.contact_to_manage(actor, contact_id)


async def _holds_page(
    request: Request,
    actor: CurrentUser,
    contact: Any,
    values: dict[str, str],
    errors: dict[str, str],
) -> Response:
    context = {
        "contact": contact,
        "holds": await legal_holds.holds_of(contact.id),
        "documents": [
            (str(document_id), title)
            for document_id, title in await legal_holds.document_choices(
                actor, contact_id=contact.id
            )
        ],
        "values": values,
        "errors": errors,
    }
    return render(request, HOLDS_PAGE, context, status_code=422 if errors else 200)


async def legal_holds_page(request: Request) -> Response:
    actor, contact = await _managed(request)
    values = {"document_id": request.query_params.get("document_id", "")[:12]}
    return await _holds_page(request, actor, contact, values, {})


async def legal_hold_set(request: Request) -> Response:
    actor, contact = await _managed(request)
    form = await forms.read_form(request)
    values = forms.texts(form, ("reason", "document_id"), max_chars=legal_holds.REASON_MAX + 10)
    try:
        document_id = forms.optional_id(values["document_id"])
        if values["document_id"] and document_id is None:
            raise ValidationFailed({"document_id": ""})
        await legal_holds.set_hold(
            actor, contact_id=contact.id, document_id=document_id, reason=values["reason"]
        )
    except ValidationFailed as failed:
        return await _holds_page(request, actor, contact, values, failed.errors)
    return redirect(request, "legal_holds_page", flash="held", contact_id=contact.id)


async def legal_hold_release(request: Request) -> Response:
    actor, contact = await _managed(request)
    hold_id = cast(int, request.path_params["hold_id"])
    await retained.release_hold(actor, contact_id=contact.id, hold_id=hold_id)
    return redirect(request, "legal_holds_page", flash="released", contact_id=contact.id)


async def retained_list(request: Request) -> Response:
    actor = require(request, can_use_staff_area)
    rows = await retained.retained_contacts(actor)
    return render(request, "staff/retention/retained.html", {"contacts": rows})


async def _retained_page(
    request: Request, values: dict[str, str], errors: dict[str, str]
) -> Response:
    actor = require(request, can_use_staff_area)
    detail = await retained.retained_contact(actor, cast(int, request.path_params["contact_id"]))
    context = {"detail": detail, "values": values, "errors": errors}
    page = "staff/retention/retained_detail.html"
    return render(request, page, context, status_code=422 if errors else 200)


async def retained_detail(request: Request) -> Response:
    return await _retained_page(request, {}, {})


async def retained_hold_set(request: Request) -> Response:
    actor = require(request, can_use_staff_area)
    contact_id = cast(int, request.path_params["contact_id"])
    form = await forms.read_form(request)
    values = forms.texts(form, ("reason",), max_chars=legal_holds.REASON_MAX + 10)
    try:
        await retained.set_hold(actor, contact_id=contact_id, reason=values["reason"])
    except ValidationFailed as failed:
        return await _retained_page(request, values, failed.errors)
    return redirect(request, "retained_detail", flash="held", contact_id=contact_id)


async def retained_hold_release(request: Request) -> Response:
    actor = require(request, can_use_staff_area)
    contact_id = cast(int, request.path_params["contact_id"])
    await retained.retained_contact(actor, contact_id)  # admins, restricted contacts only
    hold_id = cast(int, request.path_params["hold_id"])
    await retained.release_hold(actor, contact_id=contact_id, hold_id=hold_id)
    return redirect(request, "retained_detail", flash="released", contact_id=contact_id)


async def _settings_page(
    request: Request, values: dict[str, str], errors: dict[str, str]
) -> Response:
    context = {"values": values, "errors": errors, "minimums": retention_rules.LEGAL_MINIMUMS}
    return render(request, SETTINGS_PAGE, context, status_code=422 if errors else 200)


async def retention_settings(request: Request) -> Response:
    actor = require(request, can_use_staff_area)
    periods = await retention_rules.firm_periods(actor)
    return await _settings_page(request, {k: str(v) for k, v in periods.items()}, {})


async def retention_settings_save(request: Request) -> Response:
    actor = require(request, can_use_staff_area)
    form = await forms.read_form(request)
    values = forms.texts(form, RETENTION_CLASSES, max_chars=4)
    try:
        await retention_rules.set_periods(actor, values)
    except ValidationFailed as failed:
        return await _settings_page(request, values, failed.errors)
    return redirect(request, "retention_settings", flash="saved")


routes = [
    Route(
        "/staff/contacts/{contact_id:id}/holds",
        legal_holds_page,
        methods=["GET"],
        name="legal_holds_page",
    ),
    Route(
        "/staff/contacts/{contact_id:id}/holds",
        legal_hold_set,
        methods=["POST"],
        name="legal_hold_set",
    ),
    Route(
        "/staff/contacts/{contact_id:id}/holds/{hold_id:id}/release",
        legal_hold_release,
        methods=["POST"],
        name="legal_hold_release",
    ),
    Route("/staff/retained", retained_list, methods=["GET"], name="retained_list"),
    Route(
        "/staff/retained/{contact_id:id}", retained_detail, methods=["GET"], name="retained_detail"
    ),
    Route(
        "/staff/retained/{contact_id:id}/holds",
        retained_hold_set,
        methods=["POST"],
        name="retained_hold_set",
    ),
    Route(
        "/staff/retained/{contact_id:id}/holds/{hold_id:id}/release",
        retained_hold_release,
        methods=["POST"],
        name="retained_hold_release",
    ),
    Route(
        "/staff/retention",
        retention_settings,
        methods=["GET"],
        name="retention_settings",
    ),
    Route(
        "/staff/retention",
        retention_settings_save,
        methods=["POST"],
        name="retention_settings_save",
    ),
]
