"""Reading a CSV file as German broker systems (BMS) and Excel export it.

The encoding: UTF-8 (with or without BOM) is tried first, strictly; a file that is not UTF-8
is read as Windows-1252, also strictly (five byte values are undefined there); UTF-16 only
with its BOM (Excel's "Unicode text"). A file that is none of them is refused with a message,
never read as garbled text. The separator is whichever of ; tab , splits the header and the
first rows into the same number of columns (more than one), semicolons first on a tie.

A stored file is decoded and parsed as it is read, a line at a time, never kept whole as
text: the upload checks the whole file and counts its rows without keeping them, the mapping
page reads the header and the preview's rows only, an import keeps only the mapped cells.
At most MAX_COLUMNS columns (more: the file is refused); a cell longer than MAX_CELL fails
its row (imports_run.lines_from).

Pure functions on bytes and text: the use cases (imports.py) store and load the file.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterable, Iterator
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
MAX_COLUMNS = 200  # columns of the header row (and cells of any row)
MAX_CELL = 2000  # characters of a cell: a longer one fails its row
SNIFF_ROWS = 20  # rows read to choose the separator
_SNIFF_CHARS = 1_000_000  # at most this much text is read to choose it
_BOMS = {b"\xef\xbb\xbf": "utf-8", b"\xff\xfe": "utf-16", b"\xfe\xff": "utf-16"}
# What a spreadsheet may take for the start of a formula (OWASP "CSV injection").
_FORMULA_SIGNS = ("=", "+", "-", "@", "\t", "\r")
# An escaped cell whose apostrophe the import drops: a phone number or an amount ('+49 30 1,
# '-12,50), never a formula ('=HYPERLINK(…) is stored as written, apostrophe and all).
_ESCAPED_NUMBER = re.compile(r"'[+-][\d\s().,/+-]*")


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
    return _whole(*_table(io.StringIO(text), delimiter))


def _whole(headers: tuple[str, ...], records: Iterator[tuple[int, tuple[str, ...]]]) -> Sheet:
    rows = tuple(itertools.islice(records, MAX_ROWS + 1))
    _check_count(len(rows))
    return Sheet(headers=headers, rows=rows)


def _check_count(count: int) -> None:
    if not count:
        raise CsvProblem(_("The file has a header row but no data rows."))
    if count > MAX_ROWS:
        raise CsvProblem(
            _("The file has more than %(n)s rows. Please split it into several files.", n=MAX_ROWS)
        )


def _table(
    lines: Iterable[str], delimiter: str
) -> tuple[tuple[str, ...], Iterator[tuple[int, tuple[str, ...]]]]:
    """The column names and the numbered data rows, read one at a time as they are asked for."""
    records = _numbered(csv.reader(lines, delimiter=delimiter))
    header = next(records, None)
    if header is None:
        raise CsvProblem(_("The file is empty."))
    return unique_headers(header[1]), records


def _too_wide(columns: int) -> str:
    return _(
        "The file has %(columns)s columns; at most %(n)s can be imported. Please export only"
        " the columns you need.",
        columns=columns,
        n=MAX_COLUMNS,
    )


def _numbered(reader: Iterator[list[str]]) -> Iterator[tuple[int, tuple[str, ...]]]:
    """The filled rows with their numbers, the header first; CsvProblem for one too wide."""
    header = True
    try:
        for number, row in enumerate(reader, start=1):
            if not _filled(row):
                continue
            if len(row) > MAX_COLUMNS:
                raise CsvProblem(_too_wide(len(row)) if header else _row_too_wide(number))
            header = False
            yield number, tuple(_unescaped(cell) for cell in row)
    except csv.Error as error:
        raise CsvProblem(
            _("The file is not a well-formed CSV table: %(error)s", error=str(error))
        ) from None
    except UnicodeDecodeError:
        raise CsvProblem(_undecodable()) from None


def _row_too_wide(number: int) -> str:
    return _(
        "Row %(row)s has more than %(n)s cells. Please check the separators and quotes of"
        " the file.",
        row=number,
        n=MAX_COLUMNS,
    )


def _filled(row: list[str]) -> bool:
    return any(cell.strip() for cell in row)


def _unescaped(cell: str) -> str:
    """A cell as written. Only a number a report escaped ('+49 30 1234, '-12,50) loses its
    apostrophe, so that a report can be imported again; anything else keeps it: a formula
    ('=HYPERLINK(…)) is never stored as one."""
    if cell.startswith("'") and _ESCAPED_NUMBER.fullmatch(cell):
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


def _lines(data: bytes, encoding: str) -> Iterator[str]:
    """The stored file's lines, decoded as they are read: never the whole text at once."""
    codec = ENCODINGS.get(encoding, ENCODINGS["utf-8"])[0]
    with io.TextIOWrapper(io.BytesIO(data), encoding=codec, newline="") as text:
        for line in text:
            if "\x00" in line:
                raise CsvProblem(_undecodable())
            yield line


def read_sheet(data: bytes, encoding: str, delimiter: str) -> Sheet:
    """The whole table of a stored file (encoding and separator known)."""
    return _whole(*_table(_lines(data, encoding), delimiter))


def head(data: bytes, encoding: str, delimiter: str, rows: int) -> Sheet:
    """The column names and the first `rows` data rows; the rest of the file is not read."""
    headers, records = _table(_lines(data, encoding), delimiter)
    first = tuple(itertools.islice(records, rows))
    _check_count(len(first))
    return Sheet(headers=headers, rows=first)


def scan(data: bytes, encoding: str, delimiter: str) -> tuple[tuple[str, ...], int]:
    """The column names and the number of data rows, the whole file checked (encoding, CSV
    form, width, length) without keeping its rows."""
    decode(data, encoding)  # says in which line a wrong encoding fails (the text is dropped)
    headers, records = _table(_lines(data, encoding), delimiter)
    count = sum(1 for _row in itertools.islice(records, MAX_ROWS + 1))
    _check_count(count)
    return headers, count


def data_rows(
    data: bytes, encoding: str, delimiter: str
) -> tuple[tuple[str, ...], Iterator[tuple[int, tuple[str, ...]]]]:
    """The column names and the data rows, one at a time (an import, a report)."""
    headers, records = _table(_lines(data, encoding), delimiter)
    return headers, itertools.islice(records, MAX_ROWS)


def sniff_text(data: bytes, encoding: str) -> str:
    """The file's first lines, enough to choose the separator."""
    taken: list[str] = []
    size = 0
    for line in _lines(data, encoding):
        taken.append(line)
        size += len(line)
        if len(taken) >= SNIFF_ROWS * 5 or size >= _SNIFF_CHARS:
            break
    return "".join(taken)


def safe_cell(value: str) -> str:
    """A cell for a CSV opened in a spreadsheet: never read as a formula."""
    return "'" + value if value.startswith(_FORMULA_SIGNS) else value


def write_csv(rows: list[list[str]]) -> bytes:
    """A report as Excel opens it by a double click in Germany: UTF-8 with BOM, semicolons."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows([[safe_cell(cell) for cell in row] for row in rows])
    return buffer.getvalue().encode("utf-8-sig")
