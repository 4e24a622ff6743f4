"""Document rows ready to print: links, labels and formatted values prepared in Python.

Every folder, contact and ticket page lists documents. Built in the template, each row made
a dozen calls through Jinja's runtime (links, translations, filters); here it is one loop
over plain attributes, and the template only prints them (escaped as always).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Protocol

from markupsafe import Markup

from tenant_app.text import i18n
from tenant_app.text.formatting import fmt_date, fmt_filesize
from tenant_app.text.labels import DOCUMENT_CATEGORIES

# What the browser shows by itself (web/downloads.py INLINE_TYPES; the server checks again).
PREVIEWABLE = frozenset({"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"})
THUMBNAILED = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
_IN_NEW_TAB = Markup(' target="_blank" rel="noopener"')
_DOWNLOAD = Markup(" download")


class ListedDocument(Protocol):
    id: int
    title: str
    category: str
    document_date: date | None
    size: int
    shared_with_customer: bool
    uploaded_by_customer: bool
    content_type: str


@dataclass(frozen=True, slots=True)
class DocumentView:
    id: int
    title: str
    open_url: str
    open_attrs: Markup  # a preview opens in a new tab; anything else downloads
    preview: bool
    thumb_url: str
    details: str  # "Police · 03.02.2026 · 4,9 KB"
    shared: bool
    by_customer: bool
    download_url: str
    share_url: str  # staff who may change it; else ""
    delete_url: str  # those who may delete it; else ""
    delete_question: str


@dataclass(frozen=True, slots=True)
class RowLabels:
    preview_hint: str
    visible: str
    internal: str
    from_customer: str
    download: str
    stop_sharing: str
    share: str
    delete: str


@cache
def _labels(locale: str) -> RowLabels:
    with i18n.using(locale):
        return RowLabels(
            preview_hint=i18n.gettext("opens a preview in a new tab"),
            visible=i18n.gettext("Visible to the customer"),
            internal=i18n.gettext("Internal"),
            from_customer=i18n.gettext("from the customer"),
            download=i18n.gettext("Download"),
            stop_sharing=i18n.gettext("Stop sharing"),
            share=i18n.gettext("Share with the customer"),
            delete=i18n.gettext("Delete"),
        )


def row_labels() -> RowLabels:
    """The words every row repeats, translated once per language."""
    return _labels(i18n.get_locale())


def _details(document: ListedDocument) -> str:
    parts = [DOCUMENT_CATEGORIES[document.category or "other"]]
    if document.document_date:
        parts.append(fmt_date(document.document_date))
    parts.append(fmt_filesize(document.size))
    return " · ".join(parts)


def document_views(
    url: Callable[..., str],
    documents: Iterable[ListedDocument] | None,
    download_route: str,
    *,
    delete_route: str | None = None,
    deletable: Collection[int] = (),
    can_manage: bool = False,
) -> list[DocumentView]:
    """The rows of a document list. `url` builds a route's path (the templates' `url`)."""
    side = "portal_" if download_route == "portal_download" else "document_"
    question = i18n.gettext("Delete the document “%(title)s”?")
    views = []
    for document in documents or ():
        doc_id = document.id
        download_url = url(download_route, document_id=doc_id)
        preview = document.content_type in PREVIEWABLE
        may_delete = delete_route is not None and (can_manage or doc_id in deletable)
        views.append(
            DocumentView(
                id=doc_id,
                title=document.title,
                open_url=url(side + "preview", document_id=doc_id) if preview else download_url,
                open_attrs=_IN_NEW_TAB if preview else _DOWNLOAD,
                preview=preview,
                thumb_url=url(side + "thumbnail", document_id=doc_id)
                if document.content_type in THUMBNAILED
                else "",
                details=_details(document),
                shared=document.shared_with_customer,
                by_customer=document.uploaded_by_customer,
                download_url=download_url,
                share_url=url("document_share", document_id=doc_id) if can_manage else "",
                delete_url=url(delete_route, document_id=doc_id) if may_delete else "",
                delete_question=question % {"title": document.title} if may_delete else "",
            )
        )
    return views
