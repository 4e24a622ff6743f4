"""Streaming a stored document as an attachment, never rendered inline."""

from __future__ import annotations

from typing import Protocol
from urllib.parse import quote

from starlette.responses import StreamingResponse

from tenant_app.files.storage import Storage


class StoredDocument(Protocol):
    filename: str
    storage_key: str
    content_type: str
    size: int


def download_response(store: Storage, document: StoredDocument) -> StreamingResponse:
    ascii_name = document.filename.encode("ascii", "ignore").decode() or "dokument"
    disposition = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(document.filename)}"
    )
    return StreamingResponse(
        store.open(document.storage_key),
        media_type=document.content_type,
        headers={
            "Content-Disposition": disposition,
            "Content-Length": str(document.size),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox; default-src 'none'",
            "Cache-Control": "private, no-store",
        },
    )
