"""An upload form's files, checked together before anything is stored: how many, each one's
type (by content) and size, and the title each document gets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

from tenant_app.errors import ValidationFailed
from tenant_app.files.uploads import FileType, base_name, sniff
from tenant_app.schemas.base import checked
from tenant_app.schemas.folders import TITLE_MAX, DocumentMetaInput
from tenant_app.text.i18n import gettext as _

MAX_UPLOADS = 20  # files (so documents) from one upload form


@dataclass(frozen=True)
class Upload:
    """A received file: a spooled temporary file (memory stays small) and its claimed name."""

    file: BinaryIO
    filename: str
    size: int


Accepted = tuple[Upload, FileType, DocumentMetaInput]  # a file, its type, its document's fields


def accepted(uploads: list[Upload], values: dict[str, str], max_bytes: int) -> list[Accepted]:
    """Each file with its type and its document's fields; ValidationFailed if anything (a
    field, the number of files, any one file) is refused, so that nothing is stored."""
    several = len(uploads) > 1
    too_many = len(uploads) > MAX_UPLOADS
    kinds = [] if too_many else [_kind(upload, max_bytes, several=several) for upload in uploads]
    checks = [
        checked(DocumentMetaInput, {**values, "title": title})
        for title in titles(uploads, values.get("title", ""))
    ]
    errors = dict(checks[0][1])
    if message := _file_error(uploads, kinds):
        errors["file"] = message
    found = [
        (upload, kind, meta)
        for upload, kind, (meta, _errors) in zip(uploads, kinds, checks, strict=False)
        if isinstance(kind, FileType) and meta is not None
    ]
    if errors or len(found) != len(uploads):
        raise ValidationFailed(errors)
    return found


def titles(uploads: list[Upload], title: str) -> list[str]:
    """Each document's title. One file (or none): the form's title, required as ever. Several
    files: the form's title numbered in the order the files came ("Police (1)", "Police (2)",
    ...), or without one each file's name without its extension ("Scan 03-2024.pdf" gives
    "Scan 03-2024")."""
    if len(uploads) < 2:
        return [title]
    if title.strip():
        room = TITLE_MAX - len(f" ({len(uploads)})")
        return [f"{title.strip()[:room]} ({n})" for n in range(1, len(uploads) + 1)]
    return [
        _stem(upload.filename) or _("Document %(n)s", n=n) for n, upload in enumerate(uploads, 1)
    ]


def shown_name(filename: str) -> str:
    """The file's name as the user chose it: without folders and control characters."""
    name = base_name(filename)
    return "".join(char for char in name if char.isprintable()).strip()[:TITLE_MAX]


def _stem(filename: str) -> str:
    name = shown_name(filename)
    stem, dot, _extension = name.rpartition(".")
    return stem.strip() if dot and stem.strip() else name


def _kind(upload: Upload, max_bytes: int, *, several: bool) -> FileType | str:
    """The file's type by its content, or why it is refused."""
    if upload.size == 0:
        if several:
            return _("The file is empty.")
        return _("Please choose a file. Empty files cannot be uploaded.")
    if upload.size > max_bytes:
        return _("The file is too large (at most %(mb)s MB).", mb=max_bytes // (1024 * 1024))
    return sniff(upload.file) or _(
        "This file type is not allowed. Allowed are PDF, images and office documents."
    )


def _file_error(uploads: list[Upload], kinds: list[FileType | str]) -> str | None:
    """What the file field says: nothing chosen, too many, or which files are refused and why
    (with several files: and that none of them has been saved)."""
    if not uploads:
        return _("Please choose a file. Empty files cannot be uploaded.")
    if len(uploads) > MAX_UPLOADS:
        return _(
            "Please choose at most %(max)s files at once (%(count)s were chosen).",
            max=MAX_UPLOADS,
            count=len(uploads),
        )
    refused = [
        (upload, kind) for upload, kind in zip(uploads, kinds, strict=True) if isinstance(kind, str)
    ]
    if len(uploads) == 1 or not refused:
        return refused[0][1] if refused else None
    reasons = [
        _("“%(name)s”: %(reason)s", name=shown_name(upload.filename), reason=reason)
        for upload, reason in refused
    ]
    return " ".join(
        [_("None of the %(count)s files has been saved.", count=len(uploads)), *reasons]
    )
