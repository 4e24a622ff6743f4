"""Document rows prepared for printing: which links and actions a row carries."""

from __future__ import annotations

from datetime import date

from tenant_app.queries.folders import DocumentRow
from tenant_app.text import i18n
from tenant_app.text.document_rows import document_views


def _url(name: str, **params: int) -> str:
    return f"/{name}/{params['document_id']}"


def _doc(doc_id: int, content_type: str, **changes: object) -> DocumentRow:
    values: dict[str, object] = {
        "id": doc_id,
        "contract_id": None,
        "title": "Police",
        "category": "policy",
        "document_date": date(2026, 2, 3),
        "size": 5000,
        "shared_with_customer": True,
        "uploaded_by_customer": False,
        "content_type": content_type,
    }
    return DocumentRow(**(values | changes))  # type: ignore[arg-type]


def test_pictures_get_a_thumbnail_and_a_preview_others_a_download() -> None:
    with i18n.using("de"):
        picture, pdf, text = document_views(
            _url,
            [_doc(1, "image/png"), _doc(2, "application/pdf"), _doc(3, "text/plain")],
            "portal_download",
        )
    assert (picture.thumb_url, picture.open_url) == ("/portal_thumbnail/1", "/portal_preview/1")
    assert (pdf.thumb_url, pdf.open_url, pdf.preview) == ("", "/portal_preview/2", True)
    assert (text.open_url, text.preview) == ("/portal_download/3", False)
    assert "download" in text.open_attrs and "_blank" in pdf.open_attrs
    assert text.details == "Police · 03.02.2026 · 4,9\xa0KB"


def test_a_customer_may_delete_only_what_the_folder_lets_them() -> None:
    docs = [_doc(1, "application/pdf"), _doc(2, "application/pdf", uploaded_by_customer=True)]
    theirs, mine = document_views(
        _url, docs, "portal_download", delete_route="portal_document_delete", deletable={2}
    )
    assert (theirs.delete_url, theirs.share_url) == ("", "")
    assert mine.delete_url == "/portal_document_delete/2"
    assert "Police" in mine.delete_question


def test_staff_who_manage_the_folder_may_share_and_delete_every_document() -> None:
    views = document_views(
        _url,
        [_doc(1, "application/pdf"), _doc(2, "image/jpeg")],
        "document_download",
        delete_route="document_delete",
        can_manage=True,
    )
    assert [v.share_url for v in views] == ["/document_share/1", "/document_share/2"]
    assert [v.delete_url for v in views] == ["/document_delete/1", "/document_delete/2"]
    assert views[1].thumb_url == "/document_thumbnail/2"
    readers = document_views(_url, [_doc(1, "application/pdf")], "document_download")
    assert (readers[0].share_url, readers[0].delete_url) == ("", "")
