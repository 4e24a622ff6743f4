"""Screenshots of support requests: a large screen's picture is taken (and stored smaller),
anything that is not exactly one picture of an allowed type is refused, nothing of the upload's
metadata is kept."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tenant_app.files.images import ImageRejected
from tenant_app.files.screenshots import STORED_SIDE, process_screenshot
from tests.support_helpers import png


def encode(fmt: str, size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


def test_a_5k_screen_is_taken_and_stored_within_the_limit() -> None:
    stored = process_screenshot(png((5120, 2880)))
    assert stored.content_type == "image/png"
    assert (stored.width, stored.height) == (STORED_SIDE, 2160)


@pytest.mark.parametrize(("fmt", "content_type"), [("JPEG", "image/jpeg"), ("WEBP", "image/png")])
def test_a_jpeg_stays_a_jpeg_and_webp_becomes_png(fmt: str, content_type: str) -> None:
    stored = process_screenshot(encode(fmt, (800, 600)))
    assert stored.content_type == content_type
    assert Image.open(io.BytesIO(stored.data)).size == (800, 600)


def test_metadata_is_dropped() -> None:
    stored = process_screenshot(png(secret="Max Mustermann, Vertrag 4711"))
    assert b"Mustermann" not in stored.data


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        encode("GIF", (100, 100)),
        png() + b"<script>alert(1)</script>",
        png()[:100],
        png((9000, 20)),
        png((8, 8)),
    ],
    ids=["empty", "svg", "gif", "appended", "cut", "too-wide", "too-small"],
)
def test_anything_but_one_clean_picture_is_refused(data: bytes) -> None:
    with pytest.raises(ImageRejected) as refused:
        process_screenshot(data)
    assert refused.value.message
