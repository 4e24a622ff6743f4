"""What may be uploaded: the type is decided by the file's content, never by its name."""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

SNIFF_BYTES = 16


@dataclass(frozen=True)
class FileType:
    content_type: str
    extension: str


PDF = FileType("application/pdf", "pdf")
PNG = FileType("image/png", "png")
JPEG = FileType("image/jpeg", "jpg")
GIF = FileType("image/gif", "gif")
WEBP = FileType("image/webp", "webp")
HEIC = FileType("image/heic", "heic")
TIFF = FileType("image/tiff", "tif")
DOCX = FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx")
XLSX = FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")
PPTX = FileType("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx")
ODT = FileType("application/vnd.oasis.opendocument.text", "odt")
ODS = FileType("application/vnd.oasis.opendocument.spreadsheet", "ods")
OLE = FileType("application/vnd.ms-office", "doc")  # legacy .doc/.xls/.ppt share one container

_OOXML = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}
_ODF = {
    b"application/vnd.oasis.opendocument.text": ODT,
    b"application/vnd.oasis.opendocument.spreadsheet": ODS,
}


def sniff(source: BinaryIO) -> FileType | None:
    """The allowed type of the file's content, or None. Leaves the read position at 0."""
    source.seek(0)
    head = source.read(SNIFF_BYTES)
    source.seek(0)
    kind: FileType | None = None
    if head.startswith(b"%PDF-"):
        kind = PDF
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = PNG
    elif head.startswith(b"\xff\xd8\xff"):
        kind = JPEG
    elif head.startswith((b"GIF87a", b"GIF89a")):
        kind = GIF
    elif head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        kind = WEBP
    elif head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"heif"):
        kind = HEIC
    elif head.startswith((b"II*\x00", b"MM\x00*")):
        kind = TIFF
    elif head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        kind = OLE
    elif head.startswith(b"PK\x03\x04"):
        kind = _office_zip(source)
    source.seek(0)
    return kind


def _office_zip(source: BinaryIO) -> FileType | None:
    try:
        with zipfile.ZipFile(source) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                return _ODF.get(archive.read("mimetype").strip())
            if "[Content_Types].xml" in names:
                for prefix, kind in _OOXML.items():
                    if any(name.startswith(prefix) for name in names):
                        return kind
    except (zipfile.BadZipFile, OSError, KeyError):
        return None
    return None


_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


def base_name(raw: str) -> str:
    """A file name as browsers send it, without any folders (Windows or POSIX)."""
    return raw.replace("\\", "/").rsplit("/", 1)[-1]


def clean_filename(raw: str, kind: FileType) -> str:
    """A harmless download name: no path, no control or odd characters, the right extension."""
    name = base_name(raw)
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    stem = _UNSAFE.sub("_", name.rsplit(".", 1)[0]).strip(" ._")[:80] or "dokument"
    return f"{stem}.{kind.extension}"
