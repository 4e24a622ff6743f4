"""A contact's folders on the staff side: contracts and documents."""

from __future__ import annotations

from typing import Any, cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.actors import CurrentUser
from tenant_app.errors import ValidationFailed
from tenant_app.pages import redirect, render
from tenant_app.permissions import can_use_staff_area
from tenant_app.services import contacts, contracts, documents, folders, legal_holds
from tenant_app.web import folder_forms, forms
from tenant_app.web.downloads import download_response
from tenant_app.web.guards import require

FOLDER_PAGE = "staff/folders/folder.html"
CONTRACT_FORM = "staff/folders/contract_form.html"


async def _contact(request: Request) -> tuple[CurrentUser, Any]:
    actor = require(request, can_use_staff_area)
    contact = await contacts.get_visible_contact(
        actor, cast(int, request.path_params["contact_id"])
    )
    return actor, contact


async def _folder(request: Request) -> tuple[CurrentUser, Any, str]:
    actor, contact = await _contact(request)
    folder = folders.readable_folder(actor, cast(str, request.path_params["folder"]))
    return actor, contact, folder


async def _folder_page(
    request: Request,
    actor: CurrentUser,
    contact: Any,
    folder: str,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    """The folder page; after a failed upload with its errors (NotFound for a folder not theirs)."""
    page = await folders.staff_folder(actor, contact_id=contact.id, folder=folder)
    page["contact"] = contact
    return folder_forms.render_folder(request, FOLDER_PAGE, page, values, errors)


async def folder_page(request: Request) -> Response:
    actor, contact, folder = await _folder(request)
    return await _folder_page(request, actor, contact, folder)


def _form(values: dict[str, Any], errors: dict[str, str], **extra: Any) -> dict[str, Any]:
    return folder_forms.contract_form_context(values, errors, with_status=True, **extra)


async def contract_create_form(request: Request) -> Response:
    actor, contact, folder = await _folder(request)
    await contracts.ensure_may_create(actor, contact_id=contact.id, folder=folder)
    context = _form({"status": "active"}, {}, contact=contact, folder=folder)
    return render(request, CONTRACT_FORM, context)


async def contract_create(request: Request) -> Response:
    actor, contact, folder = await _folder(request)

    async def save(values: dict[str, str]) -> object:
        return await contracts.create_contract(
            actor, contact_id=contact.id, folder=folder, values=values
        )

    failed = await folder_forms.save_contract(
        request, save, template=CONTRACT_FORM, with_status=True, contact=contact, folder=folder
    )
    return failed or _to_folder(request, contact.id, folder, "added")


def _to_folder(request: Request, contact_id: int, folder: str, flash: str | None) -> Response:
    return redirect(request, "folder_page", flash=flash, contact_id=contact_id, folder=folder)


async def _contract(request: Request, action: str) -> tuple[CurrentUser, Any, Any]:
    actor, contact = await _contact(request)
    contract = await contracts.contract_for(
        actor,
        contact_id=contact.id,
        contract_id=cast(int, request.path_params["contract_id"]),
        action=action,
    )
    return actor, contact, contract


async def contract_edit_form(request: Request) -> Response:
    actor, contact, contract = await _contract(request, "edit")
    values = contracts.form_values(contract)
    context = _form(values, {}, contact=contact, folder=contract.folder, contract=contract)
    return render(request, CONTRACT_FORM, context)


async def contract_update(request: Request) -> Response:
    actor, contact, contract = await _contract(request, "edit")

    async def save(values: dict[str, str]) -> object:
        return await contracts.update_contract(actor, contract, values=values)

    failed = await folder_forms.save_contract(
        request,
        save,
        template=CONTRACT_FORM,
        with_status=True,
        contact=contact,
        folder=contract.folder,
        contract=contract,
    )
    return failed or _to_folder(request, contact.id, contract.folder, "saved")


async def contract_delete(request: Request) -> Response:
    actor, contact, contract = await _contract(request, "delete")
    try:
        await contracts.delete_contract(actor, contract, request.app.state.storage)
    except legal_holds.OnHold:
        return _to_folder(request, contact.id, contract.folder, "on_hold")
    return _to_folder(request, contact.id, contract.folder, "deleted")


async def contract_restore(request: Request) -> Response:
    actor, contact, contract = await _contract(request, "edit")
    await contracts.restore_contract(actor, contract)
    return _to_folder(request, contact.id, contract.folder, "restored")


async def document_upload(request: Request) -> Response:
    actor, contact = await _contact(request)

    async def failed(values: dict[str, str], errors: dict[str, str]) -> Response:
        """The page the upload came from again, with the errors next to its form."""
        return await _folder_page(request, actor, contact, values.get("folder", ""), values, errors)

    return await folder_forms.upload_document(
        request,
        actor,
        contact_id=contact.id,
        done=lambda document, query: redirect(
            request, "folder_page", query=query, contact_id=contact.id, folder=document.folder
        ),
        failed=failed,
        sharing=True,
    )


def _back(request: Request, document: Any, flash: str | None = None) -> Response:
    """The advice case the document is filed on, the folder it is in, or the contact's page
    for one outside folders."""
    if document.case_id is not None:
        return redirect(request, "case_detail", flash=flash, case_id=document.case_id)
    if document.folder:
        return _to_folder(request, document.contact_id, document.folder, flash)
    return redirect(request, "contact_detail", flash=flash, contact_id=document.contact_id)


async def _document(request: Request, action: str) -> tuple[CurrentUser, Any]:
    actor = require(request, can_use_staff_area)
    document = await documents.document_for(
        actor, cast(int, request.path_params["document_id"]), action=action
    )
    return actor, document


async def document_download(request: Request) -> Response:
    actor = require(request, can_use_staff_area)
    document = await documents.open_document(  # on the customer's access trail
        actor, cast(int, request.path_params["document_id"])
    )
    return download_response(request.app.state.storage, document)


async def document_share(request: Request) -> Response:
    actor, document = await _document(request, "edit")
    form = await forms.read_form(request)
    try:
        await documents.set_shared(actor, document, shared=forms.checkbox(form, "shared"))
    except documents.AdviceKept:  # a delivered advice documentation stays with the customer
        return _back(request, document, "advice_kept")
    except ValidationFailed:  # health data without the customer's consent
        return _back(request, document, "consent_missing")
    return _back(request, document)


async def document_delete(request: Request) -> Response:
    actor, document = await _document(request, "edit")
    try:
        await documents.delete_document(actor, request.app.state.storage, document)
    except legal_holds.OnHold:
        return _back(request, document, "on_hold")
    except documents.AdviceKept:  # a delivered advice documentation: it stays
        return _back(request, document, "advice_kept")
    except ValidationFailed:  # handed to a backoffice with a tender: it stays
        return _back(request, document, "doc_kept")
    return _back(request, document, "doc_deleted")


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
