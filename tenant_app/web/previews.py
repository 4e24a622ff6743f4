"""Looking at a document without saving it: a preview in the browser's own viewer and a small
thumbnail of a picture, for staff and for customers. Both ask documents.document_for exactly as
the downloads do, so whoever may not download a document gets the same 404 (or 403) here."""

from __future__ import annotations

from typing import cast

import anyio
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.errors import NotFound
from tenant_app.files import images
from tenant_app.permissions import can_use_staff_area
from tenant_app.services import advice_records, documents, first_information
from tenant_app.web.downloads import StoredDocument, preview_response, thumbnail_response
from tenant_app.web.guards import require
from tenant_app.web.portal.home import portal_customer

# decoding pictures is CPU work: a page full of thumbnails must not take every worker thread
_DECODERS = anyio.CapacityLimiter(2)


async def _staff_document(request: Request, *, opening: bool = False) -> StoredDocument:
    """The document for staff; `opening` it (not its thumbnail) is on the customer's trail."""
    actor = require(request, can_use_staff_area)
    document_id = cast(int, request.path_params["document_id"])
    if opening:
        return await documents.open_document(actor, document_id)
    return await documents.readable_document(actor, document_id)


async def _portal_document(request: Request, *, opening: bool = False) -> StoredDocument:
    user, _ = portal_customer(request)
    document = await documents.readable_document(
        user, cast(int, request.path_params["document_id"])
    )
    if opening:  # an invitation's first information: the first time it is opened
        await first_information.mark_opened(user, document)
        await advice_records.mark_read(user, document)
    return document


async def _thumbnail(request: Request, document: StoredDocument) -> Response:
    if document.content_type not in images.THUMB_FORMATS or document.size > images.THUMB_MAX_BYTES:
        raise NotFound
    data = await request.app.state.storage.read(document.storage_key)
    try:
        picture = await anyio.to_thread.run_sync(
            images.thumbnail, data, document.content_type, limiter=_DECODERS
        )
    except images.NoThumbnail as exc:
        raise NotFound from exc
    return thumbnail_response(picture)


async def document_preview(request: Request) -> Response:
    document = await _staff_document(request, opening=True)
    return await preview_response(request.app.state.storage, document)


async def document_thumbnail(request: Request) -> Response:
    return await _thumbnail(request, await _staff_document(request))


async def portal_preview(request: Request) -> Response:
    document = await _portal_document(request, opening=True)
    return await preview_response(request.app.state.storage, document)


async def portal_thumbnail(request: Request) -> Response:
    return await _thumbnail(request, await _portal_document(request))


routes = [
    Route(
        "/staff/documents/{document_id:id}/preview",
        document_preview,
        methods=["GET"],
        name="document_preview",
    ),
    Route(
        "/staff/documents/{document_id:id}/thumbnail",
        document_thumbnail,
        methods=["GET"],
        name="document_thumbnail",
    ),
    Route(
        "/portal/documents/{document_id:id}/preview",
        portal_preview,
        methods=["GET"],
        name="portal_preview",
    ),
    Route(
        "/portal/documents/{document_id:id}/thumbnail",
        portal_thumbnail,
        methods=["GET"],
        name="portal_thumbnail",
    ),
]
