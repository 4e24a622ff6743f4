"""Logo and favicon uploads: only real images of allowed types, re-encoded without metadata."""

from __future__ import annotations

import io
import os
import struct
import zlib

import pytest
from PIL import Image

from tenant_app.files import images
from tenant_app.files.images import ImageRejected, process_favicon, process_logo

ALLOWED_LOGO_TYPES = ("PNG", "JPEG", "WEBP")


def encode(fmt: str, size: tuple[int, int] = (900, 300), mode: str = "RGB", **params) -> bytes:
    colour = (11, 92, 171, 140) if mode == "RGBA" else (11, 92, 171)
    picture = Image.new(mode, size, colour)
    buffer = io.BytesIO()
    picture.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header_only(width: int, height: int) -> bytes:
    """A structurally valid PNG that declares a huge canvas but carries almost no data."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1 bit greyscale
    pixels = zlib.compress(b"\x00" * 1024, 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", pixels)
        + png_chunk(b"IEND", b"")
    )


def decoded(data: bytes) -> Image.Image:
    picture = Image.open(io.BytesIO(data))
    picture.load()
    return picture


@pytest.mark.parametrize("fmt", ALLOWED_LOGO_TYPES)
def test_each_allowed_logo_type_becomes_a_png_within_the_box(fmt: str) -> None:
    result = process_logo(encode(fmt, (1200, 300)))
    picture = decoded(result.data)
    assert picture.format == "PNG" and result.content_type == "image/png"
    assert (result.width, result.height) == picture.size == (600, 150)  # aspect ratio kept
    assert len(result.sha256) == 64


@pytest.mark.parametrize("fmt", [*ALLOWED_LOGO_TYPES, "ICO"])
def test_each_allowed_favicon_type_becomes_a_64px_square_png(fmt: str) -> None:
    source = encode(fmt, (48, 32), "RGBA") if fmt != "JPEG" else encode(fmt, (48, 32))
    result = process_favicon(source)
    picture = decoded(result.data)
    assert picture.format == "PNG" and picture.size == (64, 64) and picture.mode == "RGBA"
    assert picture.getpixel((0, 0))[3] == 0  # padded with transparency, not stretched


def test_small_logo_is_not_enlarged_and_keeps_transparency() -> None:
    result = process_logo(encode("PNG", (120, 40), "RGBA"))
    picture = decoded(result.data)
    assert picture.size == (120, 40) and picture.mode == "RGBA"
    assert picture.getpixel((5, 5))[3] == 140


def test_metadata_and_text_chunks_are_stripped() -> None:
    exif = Image.Exif()
    exif[0x010E] = "secret description"  # ImageDescription
    exif[0x8825] = {1: "N", 2: (52.0, 31.0, 0.0)}  # GPS
    jpeg = encode("JPEG", (400, 200), exif=exif.tobytes(), comment=b"secret comment")
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "secret text chunk")
    png = encode("PNG", (400, 200), pnginfo=info, icc_profile=b"\x00" * 128)
    for source in (jpeg, png):
        result = process_logo(source)
        picture = decoded(result.data)
        assert b"secret" not in result.data
        assert not set(picture.info) & {"exif", "comment", "Comment", "icc_profile"}


def test_exif_orientation_is_applied_before_stripping() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise when shown
    result = process_logo(encode("JPEG", (300, 100), exif=exif.tobytes()))
    assert result.height > result.width  # the 300 x 100 landscape now stands upright


def test_same_picture_gives_the_same_hash_and_a_change_a_new_one() -> None:
    first, again = process_logo(encode("PNG")), process_logo(encode("PNG"))
    other = process_logo(encode("PNG", (900, 301)))
    assert first.sha256 == again.sha256 != other.sha256


SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script></svg>"
)


def jpeg_with_script_comment() -> bytes:
    return encode("JPEG", (200, 100), comment=b"<script>alert(1)</script>")


REFUSED = [
    ("empty file", b"", "empty"),
    ("svg with script", SVG_WITH_SCRIPT, "svg"),
    ("svg without xml declaration", b"  <svg onload='alert(1)'></svg>", "svg"),
    ("html renamed to .png", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "not_image"),
    ("plain text", b"just some text, not an image at all", "not_image"),
    ("gif", encode("GIF", (100, 100), "P"), "not_image"),
    (
        "png with html appended (polyglot)",
        encode("PNG") + b"<html><script>alert(1)</script>",
        "polyglot",
    ),
    (
        "png with a zip appended (polyglot)",
        encode("PNG") + b"PK\x03\x04" + os.urandom(64),
        "polyglot",
    ),
    ("jpeg with a script comment (polyglot)", jpeg_with_script_comment(), "polyglot"),
    ("jpeg with data after its end", encode("JPEG") + b"trailing payload", "polyglot"),
    ("pixel bomb 20000x20000", png_header_only(20_000, 20_000), "dimensions"),
    ("too wide", png_header_only(images.MAX_INPUT_SIDE + 1, 20), "dimensions"),
    ("too small", encode("PNG", (8, 8)), "dimensions"),
    ("truncated png", encode("PNG")[:200] + png_chunk(b"IEND", b""), "broken"),
]


@pytest.mark.parametrize(("case", "data", "reason"), REFUSED, ids=[c[0] for c in REFUSED])
def test_refused_uploads(case: str, data: bytes, reason: str) -> None:
    with pytest.raises(ImageRejected) as refused:
        process_logo(data)
    assert refused.value.reason == reason, case
    assert refused.value.message


def test_oversize_file_is_refused_before_decoding() -> None:
    noise = Image.frombytes("RGB", (1000, 1000), os.urandom(3_000_000))
    buffer = io.BytesIO()
    noise.save(buffer, format="PNG")
    assert len(buffer.getvalue()) > images.LOGO_MAX_BYTES
    with pytest.raises(ImageRejected) as refused:
        process_logo(buffer.getvalue())
    assert refused.value.reason == "too_large"


def test_ico_is_a_favicon_type_only() -> None:
    with pytest.raises(ImageRejected) as refused:
        process_logo(encode("ICO", (32, 32), "RGBA"))
    assert refused.value.reason == "not_image"


def test_ico_with_an_oversize_embedded_png_is_refused() -> None:
    frame = png_header_only(5000, 5000)
    header = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", 0, 0, 0, 0, 1, 32, len(frame), 6 + 16)
    with pytest.raises(ImageRejected) as refused:
        process_favicon(header + entry + frame)
    assert refused.value.reason == "dimensions"


def test_sniffing_goes_by_content_not_by_name() -> None:
    assert images.sniff(encode("PNG")) == "PNG"
    assert images.sniff(encode("JPEG")) == "JPEG"
    assert images.sniff(encode("WEBP")) == "WEBP"
    assert images.sniff(b"GIF89a") is None
