"""Reading a CSV file as German broker systems (BMS) and Excel export it.

The encoding: UTF-8 (with or without BOM) is tried first, strictly; a file that is not UTF-8
is read as Windows-1252, also strictly (five byte values are undefined there); UTF-16 only
with its BOM (Excel's "Unicode text"). A file that is none of them is refused with a message,
never read as garbled text. The separator is whichever of ; tab , splits the header and the
first rows into the same number of columns (more than one), semicolons first on a tie.

Pure functions on bytes and text: the use cases (imports.py) store and load the file.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from tenant_app.files.uploads import sniff
from tenant_app.text.i18n import gettext as _
from tenant_app.text.labels import N_

# The encodings a file may be read as: stored name -> (Python codec, name shown).
ENCODINGS = {
    "utf-8": ("utf-8-sig", "UTF-8"),  # the codec drops a BOM if there is one
    "cp1252": ("cp1252", "Windows-1252"),
    "utf-16": ("utf-16", "UTF-16"),
}
DELIMITERS = {";": N_("Semicolon ;"), "\t": N_("Tab"), ",": N_("Comma ,")}  # shown names
MAX_ROWS = 100_000  # data rows in one file
SNIFF_ROWS = 20  # rows read to choose the separator
_BOMS = {b"\xef\xbb\xbf": "utf-8", b"\xff\xfe": "utf-16", b"\xfe\xff": "utf-16"}
_FORMULA_SIGNS = "=+-@"


class CsvProblem(ValueError):
    """The file cannot be read as a CSV table; the message says why, for the user."""


@dataclass(frozen=True)
class Sheet:
    """The file's table: its column headers and its data rows, each with its row number as a
    spreadsheet shows it (the header is row 1; empty rows are skipped, their numbers kept)."""

    headers: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]


def refuse_binary(data: bytes) -> None:
    """CsvProblem for an empty file or one whose content is no text (a PDF, an image, an
    Excel workbook): the content decides, never the file's name."""
    if not data.strip():
        raise CsvProblem(_("The file is empty."))
    head = data[:65536]
    kind = sniff(io.BytesIO(head))
    if kind is not None:
        raise CsvProblem(
            _(
                "This is not a CSV file but a %(kind)s file. Please save or export the table"
                " as CSV and upload that file.",
                kind=kind.extension.upper(),
            )
        )
    if b"\x00" in head and not data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 has NULs
        raise CsvProblem(
            _(
                "This is not a CSV text file. Please save or export the table as CSV and"
                " upload that file."
            )
        )


def detect_encoding(data: bytes) -> str:
    """The stored name of the encoding the file is in (see ENCODINGS), or CsvProblem."""
    for bom, name in _BOMS.items():
        if data.startswith(bom):
            decode(data, name)  # a BOM followed by something else is refused too
            return name
    for name in ("utf-8", "cp1252"):
        try:
            data.decode(ENCODINGS[name][0])
        except UnicodeDecodeError:
            continue
        return name
    raise CsvProblem(_undecodable())


def _undecodable() -> str:
    return _(
        "The file's characters could not be read: it is neither UTF-8 nor Windows-1252."
        " Please export it again as CSV in UTF-8 (in Excel: “CSV UTF-8”)."
    )


def decode(data: bytes, encoding: str) -> str:
    """The file as text in `encoding` (a stored name), or CsvProblem saying where it fails."""
    codec = ENCODINGS.get(encoding, ENCODINGS["utf-8"])[0]
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise CsvProblem(
            _(
                "The file cannot be read as %(encoding)s (line %(line)s). Please choose another"
                " character encoding, or export the file again as CSV in UTF-8.",
                encoding=ENCODINGS.get(encoding, ENCODINGS["utf-8"])[1],
                line=line,
            )
        ) from None
    if "\x00" in text:
        raise CsvProblem(_undecodable())
    return text


def detect_delimiter(text: str) -> str:
    """The separator that gives the most consistent table of more than one column."""
    best, best_score = "", (0.0, 0)
    for candidate in DELIMITERS:
        reader = csv.reader(io.StringIO(text), delimiter=candidate)
        try:
            rows = [row for row in itertools.islice(reader, SNIFF_ROWS) if _filled(row)]
        except csv.Error:
            continue
        width = len(rows[0]) if rows else 0
        if width < 2:
            continue
        score = (sum(len(row) == width for row in rows) / len(rows), width)
        if score > best_score:
            best, best_score = candidate, score
    if not best:
        raise CsvProblem(
            _(
                "Only one column was found. Please export the file with its columns separated"
                " by semicolons, commas or tabs."
            )
        )
    return best


def parse(text: str, delimiter: str) -> Sheet:
    """The header row and the data rows; CsvProblem for a file without data or too long."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    records = _numbered(reader)
    header = next(records, None)
    if header is None:
        raise CsvProblem(_("The file is empty."))
    rows = tuple(itertools.islice(records, MAX_ROWS + 1))
    if not rows:
        raise CsvProblem(_("The file has a header row but no data rows."))
    if len(rows) > MAX_ROWS:
        raise CsvProblem(
            _("The file has more than %(n)s rows. Please split it into several files.", n=MAX_ROWS)
        )
    return Sheet(headers=unique_headers(header[1]), rows=rows)


def _numbered(reader: Iterator[list[str]]) -> Iterator[tuple[int, tuple[str, ...]]]:
    try:
        for number, row in enumerate(reader, start=1):
            if _filled(row):
                yield number, tuple(_unescaped(cell) for cell in row)
    except csv.Error as error:
        raise CsvProblem(
            _("The file is not a well-formed CSV table: %(error)s", error=str(error))
        ) from None


def _filled(row: list[str]) -> bool:
    return any(cell.strip() for cell in row)


def _unescaped(cell: str) -> str:
    """A cell as exported, without the apostrophe a report puts before = + - @ (so that a
    spreadsheet does not take it for a formula): a report file can be imported again."""
    if len(cell) > 1 and cell[0] == "'" and cell[1] in _FORMULA_SIGNS:
        return cell[1:]
    return cell


def unique_headers(raw: tuple[str, ...]) -> tuple[str, ...]:
    """Column names as the mapping offers them: trimmed, an empty one named by its position,
    a repeated one numbered ("Telefon (2)")."""
    headers: list[str] = []
    for position, name in enumerate(raw, start=1):
        base = name.strip().lstrip("\ufeff").strip() or _("Column %(n)s", n=position)
        header, count = base, 1
        while header in headers:
            count += 1
            header = f"{base} ({count})"
        headers.append(header)
    return tuple(headers)


def read_sheet(data: bytes, encoding: str, delimiter: str) -> Sheet:
    """The table of a stored file, as its job reads it (encoding and separator known)."""
    return parse(decode(data, encoding), delimiter)


def safe_cell(value: str) -> str:
    """A cell for a CSV opened in a spreadsheet: never read as a formula."""
    return "'" + value if value and value[0] in _FORMULA_SIGNS else value


def write_csv(rows: list[list[str]]) -> bytes:
    """A report as Excel opens it by a double click in Germany: UTF-8 with BOM, semicolons."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows([[safe_cell(cell) for cell in row] for row in rows])
    return buffer.getvalue().encode("utf-8-sig")
