"""Trusted persons of the emergency folder in the portal.

The customer names, vetoes and removes them (`/portal/trust/persons...`); a trusted person
asks for access and, once it is open, reads the folder (`/portal/trust/<id>...`). A login that
is nothing but someone's trusted person has `/portal/trust` as its home.
"""

from __future__ import annotations

from typing import cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.actors import CurrentUser
from tenant_app.errors import ValidationFailed
from tenant_app.pages import redirect, render
from tenant_app.permissions import can_use_portal
from tenant_app.schemas.trust import DEFAULT_WAIT_DAYS, TRUSTED_PERSON_FIELDS, WAIT_DAYS
from tenant_app.services import trust, trust_access
from tenant_app.settings import Settings
from tenant_app.text.i18n import ngettext
from tenant_app.web import forms
from tenant_app.web.downloads import StoredDocument, download_response, preview_response
from tenant_app.web.guards import require

FORM_PAGE = "portal/trust/form.html"


def _customer(request: Request) -> CurrentUser:
    return require(request, can_use_portal)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _trust_id(request: Request) -> int:
    return cast(int, request.path_params["trust_id"])


# --- the customer's trusted persons ---------------------------------------------------------


async def portal_trust_list(request: Request) -> Response:
    user = _customer(request)
    entries = await trust.trusted_persons(user, settings=_settings(request))
    return render(request, "portal/trust/persons.html", {"entries": entries})


async def portal_trust_detail(request: Request) -> Response:
    user = _customer(request)
    entry = await trust.trusted_person_for(user, _trust_id(request), settings=_settings(request))
    return render(request, "portal/trust/person.html", {"entry": entry})


def _form(
    request: Request, values: dict[str, str], errors: dict[str, str], status: int
) -> Response:
    choices = [(str(days), ngettext("%(num)s day", "%(num)s days", days)) for days in WAIT_DAYS]
    context = {"values": values, "errors": errors, "wait_choices": choices}
    return render(request, FORM_PAGE, context, status_code=status)


async def portal_trust_form(request: Request) -> Response:
    trust.ensure_may_name(_customer(request))
    return _form(request, {"wait_days": str(DEFAULT_WAIT_DAYS)}, {}, 200)


async def portal_trust_create(request: Request) -> Response:
    user = _customer(request)
    form = await forms.read_form(request)
    values: dict[str, str] = {}
    try:
        values = forms.texts(form, TRUSTED_PERSON_FIELDS, max_chars=254)
        await trust.name_trusted_person(user, settings=_settings(request), values=values)
    except ValidationFailed as failed:
        return _form(request, values, failed.errors, failed.status_code)
    return redirect(request, "portal_trust_list", flash="named")


async def portal_trust_veto(request: Request) -> Response:
    user = _customer(request)
    trust_id = _trust_id(request)
    stopped = await trust.veto(user, settings=_settings(request), trust_id=trust_id)
    flash = "vetoed" if stopped else "not_vetoed"
    return redirect(request, "portal_trust_detail", flash=flash, trust_id=trust_id)


async def portal_trust_revoke(request: Request) -> Response:
    user = _customer(request)
    await trust.revoke(user, trust_id=_trust_id(request))
    return redirect(request, "portal_trust_list", flash="removed")


# --- the trusted person's side --------------------------------------------------------------


async def portal_trust_home(request: Request) -> Response:
    user = _customer(request)
    entries = await trust_access.entrusted(user, settings=_settings(request))
    return render(
        request,
        "portal/trust/home.html",
        {"entries": entries, "may_name": trust.may_name(user), "me": user},
    )


async def portal_trust_access(request: Request) -> Response:
    user = _customer(request)
    found = await trust_access.entrusted_for(user, _trust_id(request), settings=_settings(request))
    return render(request, "portal/trust/access.html", {"entry": found})


async def portal_trust_request(request: Request) -> Response:
    user = _customer(request)
    trust_id = _trust_id(request)
    try:
        await trust_access.request_access(user, settings=_settings(request), trust_id=trust_id)
    except ValidationFailed:
        return redirect(request, "portal_trust_access", flash="too_many", trust_id=trust_id)
    return redirect(request, "portal_trust_access", flash="requested", trust_id=trust_id)


async def portal_trust_folder(request: Request) -> Response:
    user = _customer(request)
    page = await trust_access.emergency_folder(
        user, _trust_id(request), settings=_settings(request)
    )
    return render(request, "portal/trust/folder.html", page)


async def _document(request: Request) -> StoredDocument:
    return await trust_access.emergency_document(
        _customer(request),
        _trust_id(request),
        cast(int, request.path_params["document_id"]),
        settings=_settings(request),
    )


async def portal_trust_download(request: Request) -> Response:
    return download_response(request.app.state.storage, await _document(request))


async def portal_trust_preview(request: Request) -> Response:
    return await preview_response(request.app.state.storage, await _document(request))


TRUSTED = "/portal/trust/{trust_id:id}"
PERSONS = "/portal/trust/persons"

routes = [
    Route("/portal/trust", portal_trust_home, methods=["GET"], name="portal_trust_home"),
    Route(TRUSTED, portal_trust_access, methods=["GET"], name="portal_trust_access"),
    Route(
        f"{TRUSTED}/request", portal_trust_request, methods=["POST"], name="portal_trust_request"
    ),
    Route(f"{TRUSTED}/folder", portal_trust_folder, methods=["GET"], name="portal_trust_folder"),
    Route(
        f"{TRUSTED}/documents/{{document_id:id}}/download",
        portal_trust_download,
        methods=["GET"],
        name="portal_trust_download",
    ),
    Route(
        f"{TRUSTED}/documents/{{document_id:id}}/preview",
        portal_trust_preview,
        methods=["GET"],
        name="portal_trust_preview",
    ),
    Route(PERSONS, portal_trust_list, methods=["GET"], name="portal_trust_list"),
    Route(f"{PERSONS}/new", portal_trust_form, methods=["GET"], name="portal_trust_form"),
    Route(PERSONS, portal_trust_create, methods=["POST"], name="portal_trust_create"),
    Route(
        f"{PERSONS}/{{trust_id:id}}",
        portal_trust_detail,
        methods=["GET"],
        name="portal_trust_detail",
    ),
    Route(
        f"{PERSONS}/{{trust_id:id}}/veto",
        portal_trust_veto,
        methods=["POST"],
        name="portal_trust_veto",
    ),
    Route(
        f"{PERSONS}/{{trust_id:id}}/remove",
        portal_trust_revoke,
        methods=["POST"],
        name="portal_trust_revoke",
    ),
]
