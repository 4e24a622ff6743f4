"""A contact's folders on the staff side: contracts and documents."""

from __future__ import annotations

from typing import Any, cast

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, ValidationFailed
from tenant_app.pages import render
from tenant_app.permissions import (
    can_use_staff_area,
    staff_may_edit_folder,
    staff_may_read_folder,
)
from tenant_app.services import contacts, contracts, documents, folders
from tenant_app.vocabulary import (
    CONTRACT_STATUSES,
    FOLDERS,
    LETTERS,
    PAYMENT_FREQUENCIES,
    PAYMENT_METHODS,
)
from tenant_app.web import forms
from tenant_app.web.downloads import download_response
from tenant_app.web.guards import require


async def _folder(request: Request) -> tuple[CurrentUser, Any, str]:
    actor = require(request, can_use_staff_area)
    contact = await contacts.get_visible_contact(
        actor, cast(int, request.path_params["contact_id"])
    )
    folder = cast(str, request.path_params.get("folder", ""))
    if folder and (folder not in FOLDERS or not staff_may_read_folder(actor, folder)):
        raise NotFound
    return actor, contact, folder


async def _folder_context(
    actor: CurrentUser, contact: Any, folder: str, **form: Any
) -> dict[str, Any]:
    contract_rows, docs = await folders.folder_contents(actor, contact.id, folder)
    return {
        "contact": contact,
        "folder": folder,
        "contracts": contract_rows,
        "documents": docs,
        "can_edit": staff_may_edit_folder(actor, folder),
        "errors": {},
        "values": {},
        **form,
    }


async def folder_page(request: Request) -> Response:
    actor, contact, folder = await _folder(request)
    context = await _folder_context(actor, contact, folder)
    return render(request, "staff/folders/folder.html", context)


def contract_form_context(
    values: dict[str, Any], errors: dict[str, str], **extra: Any
) -> dict[str, Any]:
    return {
        "values": values,
        "errors": errors,
        "statuses": CONTRACT_STATUSES,
        "frequencies": PAYMENT_FREQUENCIES,
        "methods": PAYMENT_METHODS,
        "letters": LETTERS,
        **extra,
    }


async def contract_create_form(request: Request) -> Response:
    actor, contact, folder = await _folder(request)
    if not staff_may_edit_folder(actor, folder):
        raise NotFound
    context = contract_form_context({"status": "active"}, {}, contact=contact, folder=folder)
    return render(request, "staff/folders/contract_form.html", context)


async def contract_create(request: Request) -> Response:
    actor, contact, folder = await _folder(request)
    form = await forms.read_form(request)
    values: dict[str, str] = {}
    try:
        values = forms.texts(form, contracts.CONTRACT_FIELDS)
        await contracts.create_contract(actor, contact_id=contact.id, folder=folder, values=values)
    except ValidationFailed as failed:
        context = contract_form_context(values, failed.errors, contact=contact, folder=folder)
        return render(request, "staff/folders/contract_form.html", context, status_code=422)
    return RedirectResponse(
        f"/staff/contacts/{contact.id}/folders/{folder}?added=1", status_code=303
    )


async def _contract(request: Request, action: str) -> tuple[CurrentUser, Any, Any]:
    actor, contact, _ = await _folder(request)
    contract = await contracts.contract_for(
        actor,
        contact_id=contact.id,
        contract_id=cast(int, request.path_params["contract_id"]),
        action=action,
    )
    if not staff_may_read_folder(actor, contract.folder):
        raise NotFound
    return actor, contact, contract


async def contract_edit_form(request: Request) -> Response:
    actor, contact, contract = await _contract(request, "edit")
    context = contract_form_context(
        contracts.form_values(contract),
        {},
        contact=contact,
        folder=contract.folder,
        contract=contract,
    )
    return render(request, "staff/folders/contract_form.html", context)


async def contract_update(request: Request) -> Response:
    actor, contact, contract = await _contract(request, "edit")
    form = await forms.read_form(request)
    values: dict[str, str] = {}
    try:
        values = forms.texts(form, contracts.CONTRACT_FIELDS)
        await contracts.update_contract(actor, contract, values=values)
    except ValidationFailed as failed:
        context = contract_form_context(
            values, failed.errors, contact=contact, folder=contract.folder, contract=contract
        )
        return render(request, "staff/folders/contract_form.html", context, status_code=422)
    return RedirectResponse(
        f"/staff/contacts/{contact.id}/folders/{contract.folder}?saved=1", status_code=303
    )


async def contract_delete(request: Request) -> Response:
    actor, contact, contract = await _contract(request, "delete")
    await contracts.delete_contract(actor, contract, request.app.state.storage)
    return RedirectResponse(
        f"/staff/contacts/{contact.id}/folders/{contract.folder}?deleted=1", status_code=303
    )


async def contract_restore(request: Request) -> Response:
    actor, contact, contract = await _contract(request, "edit")
    await contracts.restore_contract(actor, contract)
    return RedirectResponse(
        f"/staff/contacts/{contact.id}/folders/{contract.folder}?restored=1", status_code=303
    )


async def document_upload(request: Request) -> Response:
    actor, contact, _ = await _folder(request)
    settings = request.app.state.settings
    async with forms.multipart(request) as form:
        values: dict[str, str] = {}
        try:
            values, contract_id = forms.document_fields(form)
            shared = forms.checkbox(form, "shared") if "shared_present" in form else None
            document = await documents.add_document(
                actor,
                request.app.state.storage,
                contact_id=contact.id,
                upload=forms.upload_from(form),
                values=values,
                max_bytes=settings.max_upload_bytes,
                contract_id=contract_id,
                folder=values["folder"],
                shared=shared,
            )
        except ValidationFailed as failed:
            return await _upload_failed(request, actor, contact, values, failed.errors)
    target = (
        f"/staff/contacts/{contact.id}/folders/{document.folder}"
        if document.folder
        else f"/staff/contacts/{contact.id}"
    )
    return RedirectResponse(f"{target}?uploaded=1", status_code=303)


async def _upload_failed(
    request: Request,
    actor: CurrentUser,
    contact: Any,
    values: dict[str, str],
    errors: dict[str, str],
) -> Response:
    """Show the page the upload came from again, with the errors next to its form."""
    folder = values.get("folder", "")
    if folder in FOLDERS and staff_may_read_folder(actor, folder):
        context = await _folder_context(
            actor,
            contact,
            folder,
            errors=errors,
            values=values,
            failed_contract=values.get("contract_id", ""),
        )
        return render(request, "staff/folders/folder.html", context, status_code=422)
    raise NotFound


async def document_download(request: Request) -> Response:
    actor = require(request, can_use_staff_area)
    document = await documents.document_for(actor, cast(int, request.path_params["document_id"]))
    await contacts.get_visible_contact(actor, document.contact_id)
    return download_response(request.app.state.storage, document)


async def _document(request: Request, action: str) -> tuple[CurrentUser, Any]:
    actor = require(request, can_use_staff_area)
    document = await documents.document_for(
        actor, cast(int, request.path_params["document_id"]), action=action
    )
    await contacts.get_visible_contact(actor, document.contact_id)
    return actor, document


def _back(document: Any) -> str:
    if document.folder:
        return f"/staff/contacts/{document.contact_id}/folders/{document.folder}"
    return f"/staff/contacts/{document.contact_id}"


async def document_share(request: Request) -> Response:
    actor, document = await _document(request, "edit")
    form = await forms.read_form(request)
    await documents.set_shared(actor, document, shared=forms.checkbox(form, "shared"))
    return RedirectResponse(_back(document), status_code=303)


async def document_delete(request: Request) -> Response:
    actor, document = await _document(request, "edit")
    await documents.delete_document(actor, request.app.state.storage, document)
    return RedirectResponse(_back(document) + "?doc_deleted=1", status_code=303)


BASE = "/staff/contacts/{contact_id:id}"
routes = [
    Route(BASE + "/folders/{folder}", folder_page, methods=["GET"], name="folder_page"),
    Route(
        BASE + "/folders/{folder}/contracts/new",
        contract_create_form,
        methods=["GET"],
        name="contract_create_form",
    ),
    Route(
        BASE + "/folders/{folder}/contracts",
        contract_create,
        methods=["POST"],
        name="contract_create",
    ),
    Route(
        BASE + "/contracts/{contract_id:id}",
        contract_edit_form,
        methods=["GET"],
        name="contract_edit_form",
    ),
    Route(
        BASE + "/contracts/{contract_id:id}",
        contract_update,
        methods=["POST"],
        name="contract_update",
    ),
    Route(
        BASE + "/contracts/{contract_id:id}/delete",
        contract_delete,
        methods=["POST"],
        name="contract_delete",
    ),
    Route(
        BASE + "/contracts/{contract_id:id}/restore",
        contract_restore,
        methods=["POST"],
        name="contract_restore",
    ),
    Route(BASE + "/documents", document_upload, methods=["POST"], name="document_upload"),
    Route(
        "/staff/documents/{document_id:id}/download",
        document_download,
        methods=["GET"],
        name="document_download",
    ),
    Route(
        "/staff/documents/{document_id:id}/share",
        document_share,
        methods=["POST"],
        name="document_share",
    ),
    Route(
        "/staff/documents/{document_id:id}/delete",
        document_delete,
        methods=["POST"],
        name="document_delete",
    ),
]
