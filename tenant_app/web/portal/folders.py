"""The customer's folders: contracts and documents, as far as the broker allows."""

from __future__ import annotations

from typing import Any, cast

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, ValidationFailed
from tenant_app.pages import render
from tenant_app.permissions import customer_may, folder_flags
from tenant_app.services import contracts, documents, folders
from tenant_app.vocabulary import FOLDERS, LETTERS, PAYMENT_FREQUENCIES, PAYMENT_METHODS
from tenant_app.web import forms
from tenant_app.web.downloads import download_response
from tenant_app.web.portal.home import customer_with_rights


async def portal_folder(request: Request) -> Response:
    user, permissions = await customer_with_rights(request)
    context = await folders.customer_folder(user, cast(str, request.path_params["folder"]))
    return render(request, "portal/folder.html", {**context, "errors": {}, "values": {}})


def _contract_context(
    values: dict[str, Any], errors: dict[str, str], **extra: Any
) -> dict[str, Any]:
    return {
        "values": values,
        "errors": errors,
        "frequencies": PAYMENT_FREQUENCIES,
        "methods": PAYMENT_METHODS,
        "letters": LETTERS,
        **extra,
    }


async def portal_contract_form(request: Request) -> Response:
    user, permissions = await customer_with_rights(request)
    folder = cast(str, request.path_params["folder"])
    if not customer_may(folder_flags(permissions, folder), "create"):
        raise NotFound
    return render(request, "portal/contract_form.html", _contract_context({}, {}, folder=folder))


async def portal_contract_create(request: Request) -> Response:
    user, _ = await customer_with_rights(request)
    folder = cast(str, request.path_params["folder"])
    form = await forms.read_form(request)
    values: dict[str, str] = {}
    try:
        values = forms.texts(form, contracts.CONTRACT_FIELDS)
        await contracts.create_contract(
            user, contact_id=cast(int, user.contact_id), folder=folder, values=values
        )
    except ValidationFailed as failed:
        return render(
            request,
            "portal/contract_form.html",
            _contract_context(values, failed.errors, folder=folder),
            status_code=422,
        )
    return RedirectResponse(f"/portal/folders/{folder}?added=1", status_code=303)


async def _own_contract(request: Request, action: str) -> tuple[CurrentUser, Any]:
    user, _ = await customer_with_rights(request)
    contract = await contracts.contract_for(
        user,
        contact_id=cast(int, user.contact_id),
        contract_id=cast(int, request.path_params["contract_id"]),
        action=action,
    )
    return user, contract


async def portal_contract_edit_form(request: Request) -> Response:
    user, contract = await _own_contract(request, "edit")
    values = contracts.form_values(contract)
    context = _contract_context(values, {}, folder=contract.folder, contract=contract)
    return render(request, "portal/contract_form.html", context)


async def portal_contract_update(request: Request) -> Response:
    user, contract = await _own_contract(request, "edit")
    form = await forms.read_form(request)
    values: dict[str, str] = {}
    try:
        values = forms.texts(form, contracts.CONTRACT_FIELDS)
        await contracts.update_contract(user, contract, values=values)
    except ValidationFailed as failed:
        context = _contract_context(
            values, failed.errors, folder=contract.folder, contract=contract
        )
        return render(request, "portal/contract_form.html", context, status_code=422)
    return RedirectResponse(f"/portal/folders/{contract.folder}?saved=1", status_code=303)


async def portal_contract_delete(request: Request) -> Response:
    user, contract = await _own_contract(request, "delete")
    await contracts.delete_contract(user, contract, request.app.state.storage)
    return RedirectResponse(f"/portal/folders/{contract.folder}?deleted=1", status_code=303)


async def portal_upload_form(request: Request) -> Response:
    """The upload form for one contract or the folder: fetched when its button opens."""
    user, permissions = await customer_with_rights(request)
    folder = cast(str, request.path_params["folder"])
    if folder not in FOLDERS or not customer_may(folder_flags(permissions, folder), "add_document"):
        raise NotFound
    contract = None
    raw = request.query_params.get("contract_id", "")
    if raw:
        contract_id = forms.optional_id(raw)
        if contract_id is None:
            raise NotFound
        contract = await contracts.contract_for(
            user, contact_id=cast(int, user.contact_id), contract_id=contract_id, action="view"
        )
        if contract.folder != folder:
            raise NotFound
    context = {"folder": folder, "contract": contract}
    return render(request, "portal/upload.html", context, block="upload")


async def portal_upload(request: Request) -> Response:
    user, permissions = await customer_with_rights(request)
    settings = request.app.state.settings
    async with forms.multipart(request) as form:
        values: dict[str, str] = {}
        try:
            values, contract_id = forms.document_fields(form)
            document = await documents.add_document(
                user,
                request.app.state.storage,
                contact_id=cast(int, user.contact_id),
                upload=forms.upload_from(form),
                values=values,
                max_bytes=settings.max_upload_bytes,
                contract_id=contract_id,
                folder=values["folder"],
            )
        except ValidationFailed as failed:
            context = await folders.customer_folder(user, values.get("folder", ""))
            return render(
                request,
                "portal/folder.html",
                {
                    **context,
                    "errors": failed.errors,
                    "values": values,
                    "failed_contract": values.get("contract_id", ""),
                },
                status_code=422,
            )
    return RedirectResponse(f"/portal/folders/{document.folder}?uploaded=1", status_code=303)


async def portal_download(request: Request) -> Response:
    user, _ = await customer_with_rights(request)
    document = await documents.document_for(user, cast(int, request.path_params["document_id"]))
    return download_response(request.app.state.storage, document)


async def portal_document_delete(request: Request) -> Response:
    user, _ = await customer_with_rights(request)
    document = await documents.document_for(
        user, cast(int, request.path_params["document_id"]), action="delete"
    )
    await documents.delete_document(user, request.app.state.storage, document)
    return RedirectResponse(f"/portal/folders/{document.folder}?doc_deleted=1", status_code=303)


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
