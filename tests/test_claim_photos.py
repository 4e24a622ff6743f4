"""Claim photos (files/images.process_photo): re-encoded upright as JPEG with a thumbnail,
metadata dropped unless the customer keeps where and when; anything else refused. And the
demo's claims."""

from __future__ import annotations

import io
import struct

import pytest
from PIL import Image

from tenant_app.demo.seed import DEMO_SLUG, ensure_demo
from tenant_app.files import images
from tenant_app.files.storage import LocalStorage
from tenant_app.models.claims import Claim, ClaimFile
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant
from tests.claim_helpers import TAKEN, exif_of, photo


def test_a_photo_loses_its_metadata_and_gets_a_thumbnail() -> None:
    result = images.process_photo(photo(size=(3000, 2000)), "image/jpeg", keep_location=False)
    assert exif_of(result.data) == ({}, {})
    assert (result.width, result.height) == (images.PHOTO_SIDE, 1707)
    with Image.open(io.BytesIO(result.thumbnail)) as thumb:
        assert thumb.format == "JPEG" and max(thumb.size) == images.PHOTO_THUMB_SIDE


def test_kept_location_is_only_gps_and_the_date() -> None:
    result = images.process_photo(photo(), "image/jpeg", keep_location=True)
    main, gps = exif_of(result.data)
    assert gps[1] == "N" and main[0x0132] == TAKEN and 0x010F not in main
    assert exif_of(result.thumbnail) == ({}, {})  # the thumbnail never carries it


def _odd_gps_jpeg() -> bytes:
    """A JPEG whose GPS latitude reference is stored as text where Pillow expects a number
    on writing (a phone app wrote it so): reading works, writing it back raises TypeError."""
    header = b"II*\x00" + struct.pack("<I", 8)
    ifd0 = struct.pack("<HHHII", 1, 0x8825, 4, 1, 26) + struct.pack("<I", 0)
    gps = struct.pack("<HHHI4s", 1, 2, 2, 4, b"abc\x00") + struct.pack("<I", 0)
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), "red").save(
        buffer, "JPEG", exif=b"Exif\x00\x00" + header + ifd0 + gps
    )
    return buffer.getvalue()


@pytest.mark.parametrize("keep_location", [False, True])
def test_odd_location_data_are_dropped_and_the_photo_kept(keep_location: bool) -> None:
    result = images.process_photo(_odd_gps_jpeg(), "image/jpeg", keep_location=keep_location)
    assert exif_of(result.data) == ({}, {})
    with Image.open(io.BytesIO(result.data)) as stored:
        assert stored.format == "JPEG" and stored.size == (32, 32)


def test_a_png_with_transparency_becomes_a_jpeg_on_white() -> None:
    buffer = io.BytesIO()
    Image.new("RGBA", (50, 40), (0, 0, 0, 0)).save(buffer, "PNG")
    result = images.process_photo(buffer.getvalue(), "image/png", keep_location=False)
    with Image.open(io.BytesIO(result.data)) as stored:
        assert stored.format == "JPEG" and stored.getpixel((5, 5)) == (255, 255, 255)


def test_a_photo_is_turned_upright() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90° clockwise
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), "green").save(buffer, "JPEG", exif=exif.tobytes())
    result = images.process_photo(buffer.getvalue(), "image/jpeg", keep_location=False)
    assert (result.width, result.height) == (40, 60)


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (b"MZ\x90\x00" * 40, "image/jpeg"),  # a program named as a photo
        (b"\xff\xd8\xff" + b"\x00" * 100, "image/jpeg"),  # a broken JPEG
        (photo(), "image/png"),  # content and type disagree
    ],
)
def test_what_is_no_readable_photo_is_refused(data: bytes, content_type: str) -> None:
    with pytest.raises(images.ImageRejected):
        images.process_photo(data, content_type, keep_location=False)


async def test_the_demo_has_claims_in_several_statuses_with_photos(passwords, settings) -> None:
    assert await ensure_demo(passwords, LocalStorage(settings.storage_dir), base_domain="localhost")
    tenant = await Tenant.get(slug=DEMO_SLUG)
    with tenant_scope(tenant.id):
        claims = await Claim.all().order_by("id")
        photos = await ClaimFile.filter(kind="photo", thumbnail_key__not_isnull=True).count()
    assert {claim.status for claim in claims} == {"reported", "at_insurer", "settled"}
    assert len({claim.number for claim in claims}) == 3 and photos == 2
