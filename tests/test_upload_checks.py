"""The titles several files get, and what the file field says when some are refused."""

from __future__ import annotations

import io

import pytest

from tenant_app.errors import ValidationFailed
from tenant_app.schemas.folders import TITLE_MAX
from tenant_app.services.upload_checks import MAX_UPLOADS, Upload, accepted, titles
from tenant_app.text.i18n import using
from tests.folder_helpers import PDF_BYTES


def _upload(name: str, content: bytes = PDF_BYTES) -> Upload:
    return Upload(file=io.BytesIO(content), filename=name, size=len(content))


@pytest.mark.parametrize(
    ("names", "title", "expected"),
    [
        (["police.pdf"], "Police", ["Police"]),  # one file: the form's title, as always
        (["police.pdf"], "", [""]),  # (and still required: the schema says so)
        (["a.pdf", "b.png"], "", ["a", "b"]),
        (["Pölice 2024.v2.pdf", "C:\\Scans\\brief.PDF"], "", ["Pölice 2024.v2", "brief"]),
        (["../../etc/passwd.pdf", "ohne-endung"], "", ["passwd", "ohne-endung"]),
        ([".pdf", "tab\there.pdf"], "", [".pdf", "tabhere"]),
        (["a.pdf", "b.pdf"], "  Police ", ["Police (1)", "Police (2)"]),
    ],
)
def test_titles(names: list[str], title: str, expected: list[str]) -> None:
    assert titles([_upload(name) for name in names], title) == expected


def test_a_numbered_title_keeps_its_number_within_the_limit() -> None:
    numbered = titles([_upload("a.pdf")] * 12, "x" * 500)
    assert max(len(title) for title in numbered) == len(numbered[-1]) == TITLE_MAX
    assert numbered[0].endswith("x (1)") and numbered[-1].endswith("x (12)")


def test_several_files_get_their_fields_and_types() -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
    found = accepted(
        [_upload("a.pdf"), _upload("b.png", png)], {"title": "", "note": " Hinweis "}, 1000
    )
    assert [(kind.extension, meta.title, meta.note) for _u, kind, meta in found] == [
        ("pdf", "a", "Hinweis"),
        ("png", "b", "Hinweis"),
    ]


def test_every_refused_file_is_named_with_its_reason() -> None:
    uploads = [_upload("gut.pdf"), _upload("leer.pdf", b""), _upload("gross.pdf", PDF_BYTES * 9)]
    with using("de"), pytest.raises(ValidationFailed) as refused:
        accepted(uploads, {"title": ""}, 200)
    assert refused.value.errors == {
        "file": "Keine der 3 Dateien wurde gespeichert. „leer.pdf“: Die Datei ist leer. "
        "„gross.pdf“: Die Datei ist zu groß (höchstens 0 MB)."
    }


def test_one_refused_file_reads_as_it_always_did() -> None:
    with using("de"), pytest.raises(ValidationFailed) as refused:
        accepted([_upload("x.pdf", b"MZ\x90\x00")], {"title": "X"}, 1000)
    assert refused.value.errors == {
        "file": "Dieser Dateityp ist nicht erlaubt. Erlaubt sind PDF, Bilder und Office-Dokumente."
    }


@pytest.mark.parametrize("count", [0, MAX_UPLOADS + 1])
def test_none_or_too_many(count: int) -> None:
    with using("en"), pytest.raises(ValidationFailed) as refused:
        accepted([_upload(f"{n}.pdf") for n in range(count)], {"title": "T"}, 1000)
    expected = (
        "Please choose a file. Empty files cannot be uploaded."
        if count == 0
        else f"Please choose at most {MAX_UPLOADS} files at once ({count} were chosen)."
    )
    assert refused.value.errors == {"file": expected}
