"""The text of a PDF the portal wrote (fpdf2, DejaVu fonts), without a PDF library: the
page streams are inflated with zlib and each string's glyph codes are read back to letters
through its font's ToUnicode map. One line per text block, as fpdf2 writes one per line of
a cell."""

from __future__ import annotations

import re
import zlib

_START = re.compile(rb"(\d+) 0 obj")
_STREAM_START = re.compile(rb"stream\r?\n")
_LENGTH = re.compile(rb"/Length (\d+)(?! 0 R)")
_PAIR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
_RANGE = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _objects(pdf: bytes) -> dict[int, bytes]:
    """Each object's body. A stream's compressed bytes may hold "endobj" or "endstream" by
    chance: its data is measured by its /Length, never searched for its end."""
    objects: dict[int, bytes] = {}
    position = 0
    while found := _START.search(pdf, position):
        start, end = found.end(), pdf.find(b"endobj", found.end())
        stream = _STREAM_START.search(pdf, start)
        if stream is not None and stream.start() < end:
            length = _LENGTH.search(pdf, start, stream.start())
            if length is not None:
                end = pdf.find(b"endobj", stream.end() + int(length.group(1)))
        if end < 0:
            break
        objects[int(found.group(1))] = pdf[start:end]
        position = end + len(b"endobj")
    return objects


def _stream(body: bytes) -> bytes:
    found = _STREAM_START.search(body)
    if found is None:
        return b""
    head = body[: found.start()]
    length = _LENGTH.search(head)
    if length is None:
        data = body[found.end() :].rsplit(b"endstream", 1)[0].rstrip(b"\r\n")
    else:
        data = body[found.end() : found.end() + int(length.group(1))]
    return zlib.decompress(data) if b"/FlateDecode" in head else data


def _unicode_map(cmap: bytes) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        for code, text in _PAIR.findall(block):
            mapping[int(code, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        for first, last, start in _RANGE.findall(block):
            for offset in range(int(last, 16) - int(first, 16) + 1):
                mapping[int(first, 16) + offset] = chr(int(start, 16) + offset)
    return mapping


def _fonts(objects: dict[int, bytes]) -> dict[bytes, dict[int, str]]:
    """Each font resource name (/F1) with its glyph-code map."""
    fonts: dict[bytes, dict[int, str]] = {}
    for body in objects.values():
        for name, number in re.findall(rb"/(F\d+)\s+(\d+) 0 R", body):
            unicode = re.search(rb"/ToUnicode (\d+) 0 R", objects.get(int(number), b""))
            if unicode:
                fonts[name] = _unicode_map(_stream(objects[int(unicode.group(1))]))
    return fonts


def _literal(data: bytes, start: int) -> tuple[bytes, int]:
    """A PDF literal string from after its "(": its bytes and the index after its ")"."""
    out, depth, index = bytearray(), 1, start
    while index < len(data):
        char = data[index : index + 1]
        if char == b"\\":
            following = data[index + 1 : index + 2]
            if following.isdigit():
                digits = re.match(rb"[0-7]{1,3}", data[index + 1 : index + 4])
                assert digits
                out.append(int(digits.group(0), 8))
                index += 1 + len(digits.group(0))
                continue
            out += _ESCAPES.get(following, following)
            index += 2
            continue
        if char == b"(":
            depth += 1
        elif char == b")":
            depth -= 1
            if depth == 0:
                return bytes(out), index + 1
        out += char
        index += 1
    raise ValueError("unterminated string")


def _shown(content: bytes, fonts: dict[bytes, dict[int, str]]) -> list[str]:
    """The text of each BT ... ET block (fpdf2 writes one per line; a justified line is a TJ
    array of words in one block)."""
    lines: list[str] = []
    font, index = fonts.get(b"F1", {}), 0
    while index < len(content):
        if content[index : index + 1] == b"(":
            raw, index = _literal(content, index + 1)
            codes = [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)]
            lines[-1] += "".join(font.get(code, "") for code in codes)
            continue
        if content[index : index + 2] == b"BT" and (index == 0 or content[index - 1] in b" \n"):
            lines.append("")
        chosen = re.match(rb"/(F\d+)\s+[\d.]+\s+Tf", content[index:])
        if chosen:
            font = fonts.get(chosen.group(1), {})
            index += chosen.end()
            continue
        index += 1
    return [line for line in lines if line]


def pdf_text(pdf: bytes) -> str:
    """The PDF's text, one line per string shown; no-break spaces read as spaces."""
    objects = _objects(pdf)
    fonts = _fonts(objects)
    lines: list[str] = []
    for body in objects.values():
        if b"/Type /Page" in body and b"/Contents" in body:
            contents = re.search(rb"/Contents (\d+) 0 R", body)
            if contents:
                lines += _shown(_stream(objects[int(contents.group(1))]), fonts)
    return "\n".join(lines).replace("\u00a0", " ")
