"""The customer's folders: contracts and documents, as far as the broker allows."""

from __future__ import annotations

from typing import Any, cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound
from tenant_app.pages import redirect, render
from tenant_app.services import (
    advice_records,
    consents,
    contracts,
    documents,
    first_information,
    folders,
    legal_holds,
)
from tenant_app.web import folder_forms, forms
from tenant_app.web.downloads import download_response
from tenant_app.web.portal.home import portal_customer

FOLDER_PAGE = "portal/folder.html"
CONTRACT_FORM = "portal/contract_form.html"


async def _folder_page(
    request: Request,
    user: CurrentUser,
    folder: str,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    """The folder page; after a failed upload with its errors next to the form it came from."""
    offers_first = request.state.tenant.has_module("offers")
    page = await folders.customer_folder(user, folder, offers_first=offers_first)
    return folder_forms.render_folder(request, FOLDER_PAGE, page, values, errors)


async def portal_folder(request: Request) -> Response:
    user, _ = portal_customer(request)
    return await _folder_page(request, user, cast(str, request.path_params["folder"]))


def _to_folder(request: Request, folder: str, flash: str) -> Response:
    return redirect(request, "portal_folder", flash=flash, folder=folder)


async def portal_contract_form(request: Request) -> Response:
    user, contact_id = portal_customer(request)
    folder = cast(str, request.path_params["folder"])
    await contracts.ensure_may_create(user, contact_id=contact_id, folder=folder)
    context = folder_forms.contract_form_context({}, {}, with_status=False, folder=folder)
    return render(request, CONTRACT_FORM, context)


async def portal_contract_create(request: Request) -> Response:
    user, contact_id = portal_customer(request)
    folder = cast(str, request.path_params["folder"])

    async def save(values: dict[str, str]) -> object:
        return await contracts.create_contract(
            user, contact_id=contact_id, folder=folder, values=values
        )

    failed = await folder_forms.save_contract(
        request, save, template=CONTRACT_FORM, with_status=False, folder=folder
    )
    return failed or _to_folder(request, folder, "added")


async def _own_contract(request: Request, action: str) -> tuple[CurrentUser, Any]:
    user, contact_id = portal_customer(request)
    contract = await contracts.contract_for(
        user,
        contact_id=contact_id,
        contract_id=cast(int, request.path_params["contract_id"]),
        action=action,
    )
    return user, contract


async def portal_contract_edit_form(request: Request) -> Response:
    user, contract = await _own_contract(request, "edit")
    values = contracts.form_values(contract)
    context = folder_forms.contract_form_context(
        values, {}, with_status=False, folder=contract.folder, contract=contract
    )
    return render(request, CONTRACT_FORM, context)


async def portal_contract_update(request: Request) -> Response:
    user, contract = await _own_contract(request, "edit")

    async def save(values: dict[str, str]) -> object:
        return await contracts.update_contract(user, contract, values=values)

    failed = await folder_forms.save_contract(
        request,
        save,
        template=CONTRACT_FORM,
        with_status=False,
        folder=contract.folder,
        contract=contract,
    )
    return failed or _to_folder(request, contract.folder, "saved")


async def portal_contract_delete(request: Request) -> Response:
    user, contract = await _own_contract(request, "delete")
    await contracts.delete_contract(user, contract, request.app.state.storage)
    return _to_folder(request, contract.folder, "deleted")


def _contract_param(request: Request) -> int | None:
    """The `?contract_id=` the upload form is for (None: the folder); NotFound if malformed."""
    raw = request.query_params.get("contract_id", "")
    if not raw:
        return None
    contract_id = forms.optional_id(raw)
    if contract_id is None:
        raise NotFound
    return contract_id


async def portal_upload_form(request: Request) -> Response:
    """The upload form for one contract or the folder: fetched when its button opens."""
    user, contact_id = portal_customer(request)
    folder = cast(str, request.path_params["folder"])
    contract = await documents.upload_target(
        user, contact_id=contact_id, folder=folder, contract_id=_contract_param(request)
    )
    needs_consent = await consents.upload_needs_consent(user, contract)  # health data
    context = {"folder": folder, "contract": contract, "needs_consent": needs_consent}
    return render(request, "portal/upload.html", context, block="upload")


async def portal_upload(request: Request) -> Response:
    user, contact_id = portal_customer(request)

    async def failed(values: dict[str, str], errors: dict[str, str]) -> Response:
        return await _folder_page(request, user, values.get("folder", ""), values, errors)

    return await folder_forms.upload_document(
        request,
        user,
        contact_id=contact_id,
        done=lambda document, query: redirect(
            request, "portal_folder", query=query, folder=document.folder
        ),
        failed=failed,
    )


async def portal_download(request: Request) -> Response:
    user, _ = portal_customer(request)
    document = await documents.readable_document(
        user, cast(int, request.path_params["document_id"])
    )
    await first_information.mark_opened(user, document)  # an invitation's, the first time
    await advice_records.mark_read(user, document)  # advice documentation: its read time
    return download_response(request.app.state.storage, document)


async def portal_document_delete(request: Request) -> Response:
    user, _ = portal_customer(request)
    document = await documents.document_for(
        user, cast(int, request.path_params["document_id"]), action="delete"
    )
    try:
        await documents.delete_document(user, request.app.state.storage, document)
    except legal_holds.OnHold:
        return _to_folder(request, document.folder, "on_hold")
    return _to_folder(request, document.folder, "doc_deleted")


routes = [
    Route("/portal/folders/{folder}", portal_folder, methods=["GET"], name="portal_folder"),
    Route(
        "/portal/folders/{folder}/contracts/new",
        portal_contract_form,
        methods=["GET"],
        name="portal_contract_form",
    ),
    Route(
        "/portal/folders/{folder}/contracts",
        portal_contract_create,
        methods=["POST"],
        name="portal_contract_create",
    ),
    Route(
        "/portal/contracts/{contract_id:id}",
        portal_contract_edit_form,
        methods=["GET"],
        name="portal_contract_edit_form",
    ),
    Route(
        "/portal/contracts/{contract_id:id}",
        portal_contract_update,
        methods=["POST"],
        name="portal_contract_update",
    ),
    Route(
        "/portal/contracts/{contract_id:id}/delete",
        portal_contract_delete,
        methods=["POST"],
        name="portal_contract_delete",
    ),
    Route(
        "/portal/folders/{folder}/upload",
        portal_upload_form,
        methods=["GET"],
        name="portal_upload_form",
    ),
    Route("/portal/documents", portal_upload, methods=["POST"], name="portal_upload"),
    Route(
        "/portal/documents/{document_id:id}/download",
        portal_download,
        methods=["GET"],
        name="portal_download",
    ),
    Route(
        "/portal/documents/{document_id:id}/delete",
        portal_document_delete,
        methods=["POST"],
        name="portal_document_delete",
    ),
]
