"""The customer's claims (Schäden): the list, the report form with photos and documents, a
claim's page with its status, the broker's note, thumbnails and files. Only while the
tenant's "claims" module is on."""

from __future__ import annotations

from typing import Any, cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.actors import CurrentUser
from tenant_app.errors import ValidationFailed
from tenant_app.pages import redirect, render
from tenant_app.schemas.claims import CLAIM_FIELDS, KIND_LABELS
from tenant_app.services import claim_files, claim_pages, claims
from tenant_app.services.cases import contract_title
from tenant_app.text.formatting import local_today
from tenant_app.web import forms
from tenant_app.web.downloads import preview_response, thumbnail_response
from tenant_app.web.guards import require_module
from tenant_app.web.portal.home import portal_customer

FORM_PAGE = "portal/claims/new.html"


def customer(request: Request) -> CurrentUser:
    require_module(request, "claims")
    user, _contact_id = portal_customer(request)
    return user


async def portal_claim_list(request: Request) -> Response:
    user = customer(request)
    rows = await claim_pages.customer_claims(user)
    return render(request, "portal/claims/list.html", {"claims": rows})


async def _form_page(
    request: Request, user: CurrentUser, values: dict[str, Any], errors: dict[str, str]
) -> Response:
    found = await claims.customer_contracts(user)
    context: dict[str, Any] = {
        "values": values,
        "errors": errors,
        "claim_kind_choices": list(KIND_LABELS),
    }
    context["contracts"] = [(c.id, contract_title(c)) for c in found]
    context["today"] = local_today().isoformat()
    return render(request, FORM_PAGE, context, status_code=422 if errors else 200)


async def portal_claim_new(request: Request) -> Response:
    user = customer(request)
    return await _form_page(request, user, {}, {})


async def portal_claim_create(request: Request) -> Response:
    user = customer(request)
    state = request.app.state
    async with forms.multipart(request, max_files=claim_files.MAX_FILES + 1) as form:
        values = forms.texts(form, CLAIM_FIELDS, max_chars=6000)
        keep = forms.checkbox(form, "keep_location")
        try:
            claim = await claims.report_claim(
                user,
                state.storage,
                values=values,
                uploads=forms.uploads_from(form),
                keep_location=keep,
                max_bytes=state.settings.max_upload_bytes,
            )
        except ValidationFailed as failed:
            return await _form_page(request, user, values | {"keep_location": keep}, failed.errors)
    return redirect(request, "portal_claim_detail", flash="reported", claim_id=claim.id)


async def _claim(request: Request) -> tuple[CurrentUser, Any]:
    user = customer(request)
    return user, await claims.claim_for(user, cast(int, request.path_params["claim_id"]))


async def portal_claim_detail(request: Request) -> Response:
    user, claim = await _claim(request)
    context = await claim_pages.claim_page(user, claim)
    return render(request, "portal/claims/detail.html", context)


async def portal_claim_file(request: Request) -> Response:
    _user, claim = await _claim(request)
    file_id = cast(int, request.path_params["file_id"])
    row = await claim_files.file_of(claim, file_id, for_customer=True)
    return await preview_response(request.app.state.storage, row)


async def portal_claim_thumbnail(request: Request) -> Response:
    _user, claim = await _claim(request)
    store = request.app.state.storage
    file_id = cast(int, request.path_params["file_id"])
    thumbnail = await claim_files.thumbnail_of(store, claim, file_id, for_customer=True)
    return thumbnail_response(thumbnail)


BASE = "/portal/claims/{claim_id:id}"
routes = [
    Route("/portal/claims", portal_claim_list, methods=["GET"], name="portal_claim_list"),
    Route("/portal/claims/new", portal_claim_new, methods=["GET"], name="portal_claim_new"),
    Route("/portal/claims", portal_claim_create, methods=["POST"], name="portal_claim_create"),
    Route(BASE, portal_claim_detail, methods=["GET"], name="portal_claim_detail"),
    Route(
        BASE + "/files/{file_id:id}", portal_claim_file, methods=["GET"], name="portal_claim_file"
    ),
    Route(
        BASE + "/files/{file_id:id}/thumbnail",
        portal_claim_thumbnail,
        methods=["GET"],
        name="portal_claim_thumbnail",
    ),
]
