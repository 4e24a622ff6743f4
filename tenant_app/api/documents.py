"""Documents: list and read them, download the file, upload one (multipart), change its
metadata, delete it. A download is on the customer's access trail like a staff member's
("API <token name>" opened it): the broker's office looked at the document."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from tenant_app.api import paging, uploads
from tenant_app.api.documents_models import (
    DocumentChanges,
    DocumentOut,
    DocumentPatch,
    DocumentQuery,
    DocumentUpload,
)
from tenant_app.api.inputs import validated
from tenant_app.api.operations import PREFIX, Call, Reply, operation
from tenant_app.api.paging import Page
from tenant_app.api.problems import ApiError
from tenant_app.errors import NotFound
from tenant_app.schemas.cases import EXTERNAL_ID_MAX
from tenant_app.services import document_sync, documents
from tenant_app.services.document_sync import DocumentFilter, NewDocument
from tenant_app.text.i18n import gettext as _
from tenant_app.web.downloads import download_response

TAG = "Documents"
ONE = "/documents/{document_id:id}"


def _out(document: object) -> DocumentOut:
    return DocumentOut.model_validate(document, from_attributes=True)


def _reply(document: object, status: int | None = None) -> Reply:
    body = _out(document)
    headers = {"Location": f"{PREFIX}/documents/{body.id}"} if status == 201 else {}
    return Reply(body, status=status, headers=headers, version=body.version)


@operation(
    "GET",
    "/documents",
    name="api_documents_list",
    summary="List documents (for sync: `updated_since`, in id order)",
    scope="documents:read",
    tag=TAG,
    query=DocumentQuery,
    response=Page[DocumentOut],
)
async def documents_list(call: Call) -> Page[DocumentOut]:
    query: DocumentQuery = call.query
    wanted = DocumentFilter(
        after_id=paging.after_id(query.cursor),
        limit=query.limit,
        since=query.updated_since,
        **query.model_dump(
            include={"contact_id", "contract_id", "case_id", "external_id", "folder"}
        ),
    )
    found = await document_sync.document_page(call.actor, wanted)
    return paging.page_of([_out(row) for row in found], [row.id for row in found], query.limit)


@operation(
    "GET",
    ONE,
    name="api_document_get",
    summary="A document's metadata",
    scope="documents:read",
    tag=TAG,
    response=DocumentOut,
)
async def document_get(call: Call) -> Reply:
    return _reply(await documents.document_for(call.actor, call.path["document_id"]))


@operation(
    "GET",
    ONE + "/content",
    name="api_document_content",
    summary="Download the file",
    scope="documents:read",
    tag=TAG,
    download=True,
    description="The file as stored, streamed, with its type and name"
    " (Content-Disposition: attachment). Recorded on the customer's access trail.",
)
async def document_content(call: Call) -> Response:
    found = await documents.open_document(call.actor, call.path["document_id"])
    return download_response(call.request.app.state.storage, found)


@operation(
    "POST",
    "/documents",
    name="api_document_upload",
    summary="Upload a document (multipart/form-data: the fields and `file`)",
    scope="documents:write",
    tag=TAG,
    upload=DocumentUpload,
    response=DocumentOut,
    status=201,
    description="The file is checked by its content (PDF, images, office documents) and size,"
    " as uploads in the portal are. Shared with the customer, they are told.",
)
async def document_upload(call: Call) -> Reply:
    state = call.request.app.state
    async with uploads.received(call.request) as received:
        fields: DocumentUpload = validated(DocumentUpload, received.fields)
        new = NewDocument(
            values=fields.values(),
            shared=fields.shared_with_customer,
            **fields.model_dump(
                include={"contact_id", "contract_id", "case_id", "folder", "external_id"}
            ),
        )
        document = await document_sync.upload_document(
            call.actor,
            state.storage,
            new,
            upload=received.upload,
            max_bytes=state.settings.max_upload_bytes,
        )
    return _reply(document, status=201)


@operation(
    "PATCH",
    ONE,
    name="api_document_update",
    summary="Change a document's metadata",
    scope="documents:write",
    tag=TAG,
    body=DocumentPatch,
    response=DocumentOut,
    conditional=True,
)
async def document_update(call: Call) -> Reply:
    changes: DocumentPatch = call.body
    document = await document_sync.change_document(
        call.actor,
        call.path["document_id"],
        version=call.expected_version(),
        wanted=changes.wanted(),
    )
    return _reply(document)


@operation(
    "PUT",
    "/documents/external/{external_id:path}",
    name="api_document_upsert",
    summary="Change the metadata of the document with this external id",
    scope="documents:write",
    tag=TAG,
    body=DocumentChanges,
    response=DocumentOut,
    conditional=True,
    description="Only the fields sent are written. A document is created with its file"
    " (POST /documents with `external_id`): for an unknown external id the answer is 404.",
)
async def document_upsert(call: Call) -> Reply:
    found = await _by_external_id(call)
    changes: DocumentChanges = call.body
    document = await document_sync.change_document(
        call.actor, found.id, version=call.expected_version(), wanted=changes.wanted()
    )
    return _reply(document)


async def _by_external_id(call: Call) -> Any:
    external_id = str(call.path["external_id"])
    try:
        if not external_id or len(external_id) > EXTERNAL_ID_MAX or "\x00" in external_id:
            raise NotFound
        return await document_sync.document_by_external_id(call.actor, external_id)
    except NotFound:
        detail = _(
            "No document has this external ID. Upload it with its file (POST %(path)s).",
            path=PREFIX + "/documents",
        )
        raise ApiError(404, detail) from None


@operation(
    "DELETE",
    ONE,
    name="api_document_delete",
    summary="Delete a document and its file",
    scope="documents:write",
    tag=TAG,
    status=204,
    conditional=True,
)
async def document_delete(call: Call) -> None:
    store = call.request.app.state.storage
    await document_sync.remove_document(
        call.actor, store, call.path["document_id"], version=call.expected_version()
    )
