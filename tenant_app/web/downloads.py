"""Streaming a stored document: as an attachment, or inline only for a picture or a PDF.

Nothing is ever sniffed; inline is granted only when the stored type is one a browser shows by
itself and the file's own first bytes agree, so nothing that could be HTML or SVG is ever
rendered in the page's origin. Every response is sandboxed (no script, no same origin) except
an inline PDF: Chrome's built-in PDF viewer has been seen to refuse to draw under `sandbox`, so
a PDF its bytes confirm goes out under a policy as closed otherwise (nothing of ours may load,
run or post in it; only our own pages may frame it).
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from typing import Protocol
from urllib.parse import quote

from starlette.responses import RedirectResponse, Response, StreamingResponse

from tenant_app.files import uploads
from tenant_app.files.storage import Storage

PDF = "application/pdf"
OCTETS = "application/octet-stream"
INLINE_TYPES = frozenset({PDF, "image/png", "image/jpeg", "image/gif", "image/webp"})
SANDBOX_CSP = "sandbox; default-src 'none'; frame-ancestors 'none'; form-action 'none'"
# Only for an inline PDF; framing by our own pages allowed (a preview beside the document list).
PDF_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"


class StoredDocument(Protocol):
    """A document model or the read-only row of queries/documents.py."""

    @property
    def filename(self) -> str: ...

    @property
    def storage_key(self) -> str: ...

    @property
    def content_type(self) -> str: ...

    @property
    def size(self) -> int: ...


def _headers(disposition: str, csp: str = SANDBOX_CSP) -> dict[str, str]:
    return {
        "Content-Disposition": disposition,
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": csp,
        "Cache-Control": "private, no-store",
    }


def _disposition(kind: str, filename: str) -> str:
    ascii_name = filename.encode("ascii", "ignore").decode() or "dokument"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def _stream(body: AsyncIterator[bytes], document: StoredDocument, *, inline: bool) -> Response:
    disposition = _disposition("inline" if inline else "attachment", document.filename)
    is_pdf = inline and document.content_type == PDF  # `inline`: its bytes confirmed the type
    headers = _headers(disposition, PDF_CSP if is_pdf else SANDBOX_CSP)
    if is_pdf:  # the same rule for browsers that read only the older header
        headers["X-Frame-Options"] = "SAMEORIGIN"
    headers["Content-Length"] = str(document.size)
    # anything not shown inline goes out as bytes: the browser saves it and never renders it
    media_type = document.content_type if inline else OCTETS
    return StreamingResponse(body, media_type=media_type, headers=headers)


def _presigned(store: Storage, document: StoredDocument) -> Response | None:
    """A redirect to the object store's short-lived URL (S3 with S3_PRESIGN_SECONDS), or None.

    The store answers with the attachment disposition and the type signed into the URL, so
    the browser saves the file and never renders it; and it does so on the store's origin,
    which holds none of our cookies, so even a renderer's mistake reaches nothing of ours. A
    type that could carry script (HTML, SVG, ...) still goes out as plain bytes."""
    disposition = _disposition("attachment", document.filename)
    safe_type = document.content_type if document.content_type in INLINE_TYPES else OCTETS
    url = store.download_url(document.storage_key, disposition=disposition, content_type=safe_type)
    if url is None:
        return None
    headers = {"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"}
    return RedirectResponse(url, status_code=303, headers=headers)


def download_response(store: Storage, document: StoredDocument) -> Response:
    """The file as an attachment: streamed by the app, or, with DOWNLOAD_OFFLOAD set, sent by
    the front server (the permission checks have run; nginx keeps the type and the
    disposition, and its internal location adds the other headers, see README.md), or with
    S3_PRESIGN_SECONDS a redirect to the object store's presigned URL."""
    redirect = _presigned(store, document)
    if redirect is not None:
        return redirect
    headers = _headers(_disposition("attachment", document.filename))
    offload = store.offload_path(document.storage_key)
    if offload is not None:
        headers["X-Accel-Redirect"] = quote(offload)
        return Response(b"", media_type=document.content_type, headers=headers)
    headers["Content-Length"] = str(document.size)
    return StreamingResponse(
        store.open(document.storage_key), media_type=document.content_type, headers=headers
    )


def shown_inline(content_type: str, head: bytes) -> bool:
    """A picture or PDF whose leading bytes say the same as its stored type."""
    found = uploads.sniff(io.BytesIO(head[: uploads.SNIFF_BYTES]))
    return content_type in INLINE_TYPES and found is not None and found.content_type == content_type


async def preview_response(store: Storage, document: StoredDocument) -> Response:
    """The document for the browser's own viewer when it is a picture or a PDF, else a download.

    Always streamed by the app, also with presigned downloads: inline is granted only after
    the file's first bytes are read here, and an inline file needs our sandbox headers (the
    CSP above, frame-ancestors for the PDF beside the list), which an object store cannot
    send."""
    chunks = store.open(document.storage_key)
    head = await anext(chunks, b"")

    async def body() -> AsyncIterator[bytes]:
        yield head
        async for chunk in chunks:
            yield chunk

    return _stream(body(), document, inline=shown_inline(document.content_type, head))


def thumbnail_response(data: bytes) -> Response:
    return Response(data, media_type="image/jpeg", headers=_headers("inline"))
