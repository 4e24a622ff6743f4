"""Logo and favicon uploads: checked by content, limited, and re-encoded with Pillow.

Nothing of the uploaded bytes is kept: the pixels are decoded and written into a fresh PNG,
so metadata (EXIF, GPS, comments, ICC, text chunks) and anything hidden in the file (scripts,
appended archives, HTML) are gone. Before decoding, the file must be exactly one image of an
allowed type: no SVG, no markup anywhere, no bytes after the image's end, a sane size.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from tenant_app.text.i18n import gettext as _

LOGO_MAX_BYTES = 2 * 1024 * 1024
FAVICON_MAX_BYTES = 1024 * 1024
MAX_INPUT_SIDE = 4000  # pixels, either side, of what we agree to decode
MIN_INPUT_SIDE = 16  # pixels
MAX_INPUT_PIXELS = MAX_INPUT_SIDE * MAX_INPUT_SIDE
MAX_ICO_FRAME_SIDE = 1024  # pixels of a PNG frame inside an ICO (the header cannot say more)
LOGO_BOX = (600, 200)  # pixels the stored logo fits into, aspect ratio kept
FAVICON_SIDE = 64  # pixels, square

_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_MARKUP = re.compile(
    rb"<(?:script|html|body|iframe|svg|object|embed|style|meta|form|!doctype|\?php)(?=[\s>/])"
    rb"|javascript:",
    re.IGNORECASE,
)
_PADDING = b"\x00\r\n\t "  # what some encoders leave after the image's end


class ImageRejected(Exception):
    """The upload is not an acceptable image; `message` tells the user why."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(reason)
        self.reason = reason  # empty | too_large | svg | not_image | polyglot | dimensions | broken
        self.message = message


@dataclass(frozen=True)
class ProcessedImage:
    data: bytes
    content_type: str
    width: int
    height: int
    sha256: str


@dataclass(frozen=True)
class ImageRules:
    max_bytes: int
    formats: tuple[str, ...]  # Pillow format names accepted on input


LOGO_RULES = ImageRules(LOGO_MAX_BYTES, ("PNG", "JPEG", "WEBP"))
FAVICON_RULES = ImageRules(FAVICON_MAX_BYTES, ("PNG", "JPEG", "WEBP", "ICO"))


def process_logo(data: bytes) -> ProcessedImage:
    """A PNG that fits into LOGO_BOX (never enlarged), with transparency kept."""
    image = _decode(data, LOGO_RULES)
    image.thumbnail(LOGO_BOX, Image.Resampling.LANCZOS)
    return _encode_png(image)


def process_favicon(data: bytes) -> ProcessedImage:
    """A square FAVICON_SIDE PNG, the picture centred on a transparent ground."""
    image = _decode(data, FAVICON_RULES).convert("RGBA")
    fitted = ImageOps.contain(image, (FAVICON_SIDE, FAVICON_SIDE), Image.Resampling.LANCZOS)
    square = Image.new("RGBA", (FAVICON_SIDE, FAVICON_SIDE), (0, 0, 0, 0))
    square.paste(fitted, ((FAVICON_SIDE - fitted.width) // 2, (FAVICON_SIDE - fitted.height) // 2))
    return _encode_png(square)


def sniff(data: bytes) -> str | None:
    """The Pillow format name the leading bytes announce, among the ones we ever accept."""
    if data.startswith(_PNG_MAGIC):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data.startswith(b"\x00\x00\x01\x00"):
        return "ICO"
    return None


def _allowed_types(rules: ImageRules) -> str:
    names = {"PNG": "PNG", "JPEG": "JPEG", "WEBP": "WebP", "ICO": "ICO"}
    return ", ".join(names[fmt] for fmt in rules.formats)


def check_upload(data: bytes, rules: ImageRules) -> str:
    """Refuse anything that is not exactly one image of an allowed type; return its format."""
    if not data:
        raise ImageRejected("empty", _("The file is empty."))
    if len(data) > rules.max_bytes:
        raise ImageRejected(
            "too_large",
            _("The file is too large: at most %(mb)s MB.", mb=rules.max_bytes // (1024 * 1024)),
        )
    head = data[:4096].lstrip(b"\xef\xbb\xbf\x00\t\r\n ").lower()
    if head.startswith(b"<") and (b"<svg" in head or head.startswith(b"<?xml")):
        raise ImageRejected(
            "svg",
            _(
                "SVG images are not accepted, because they can contain scripts. "
                "Please upload a PNG, JPEG or WebP file."
            ),
        )
    fmt = sniff(data)
    if fmt is None or fmt not in rules.formats:
        raise ImageRejected(
            "not_image",
            _(
                "This file is not an image of an accepted type (%(types)s).",
                types=_allowed_types(rules),
            ),
        )
    if _MARKUP.search(data) or not _ends_cleanly(fmt, data):
        raise ImageRejected(
            "polyglot",
            _(
                "The file contains more than an image (for example code or appended data) "
                "and was refused. Please save the image again with an image program."
            ),
        )
    return fmt


def _ends_cleanly(fmt: str, data: bytes) -> bool:
    """No bytes after the image's own end: that is where polyglot files hide their payload."""
    try:
        if fmt == "PNG":
            end = _png_end(data)
        elif fmt == "JPEG":
            end = len(data.rstrip(_PADDING)) if data.rstrip(_PADDING).endswith(b"\xff\xd9") else 0
        elif fmt == "WEBP":
            size: int
            (size,) = struct.unpack_from("<I", data, 4)
            end = size + 8  # an odd payload's pad byte is a zero, allowed as padding below
        else:
            end = _ico_end(data)
    except (struct.error, ValueError) as exc:
        raise _broken() from exc
    return 0 < end <= len(data) and not data[end:].strip(_PADDING)


def _png_end(data: bytes) -> int:
    """Offset just past the IEND chunk; ValueError when the chunk structure is broken."""
    offset = len(_PNG_MAGIC)
    length: int
    kind: bytes
    while True:
        length, kind = struct.unpack_from(">I4s", data, offset)
        offset += 12 + length
        if offset > len(data):
            raise ValueError("chunk runs past the end")
        if kind == b"IEND":
            return offset


def _ico_end(data: bytes) -> int:
    """Offset just past the last frame; ValueError for oversize or broken frames."""
    count: int
    _reserved, _kind, count = struct.unpack_from("<HHH", data, 0)
    if not 1 <= count <= 32:
        raise ValueError("frame count")
    end = 6 + 16 * count
    size: int
    offset: int
    width: int
    height: int
    for number in range(count):
        size, offset = struct.unpack_from("<II", data, 6 + 16 * number + 8)
        frame = data[offset : offset + size]
        if len(frame) != size:
            raise ValueError("frame runs past the end")
        if frame.startswith(_PNG_MAGIC):
            width, height = struct.unpack_from(">II", frame, 16)
            if max(width, height) > MAX_ICO_FRAME_SIDE:
                raise _too_many_pixels()
            if _png_end(frame) != size:
                raise ValueError("data after an embedded PNG frame")
        end = max(end, offset + size)
    return end


def _decode(data: bytes, rules: ImageRules) -> Image.Image:
    """The checked upload decoded to one RGB(A) frame, with its EXIF orientation applied."""
    fmt = check_upload(data, rules)
    try:
        with Image.open(io.BytesIO(data), formats=[fmt]) as probe:
            _check_dimensions(probe.size)  # from the header, before any pixel is decoded
            probe.verify()
        with Image.open(io.BytesIO(data), formats=[fmt]) as image:
            _check_dimensions(image.size)
            image.seek(0)  # animations: the first frame only
            image.load()
            _check_dimensions(image.size)
            return _plain_rgb(ImageOps.exif_transpose(image))
    except Image.DecompressionBombError as exc:  # Pillow's own guard, far above our limit
        raise _too_many_pixels() from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise _broken() from exc


def _broken() -> ImageRejected:
    return ImageRejected("broken", _("The image could not be read. Is the file damaged?"))


def _too_many_pixels() -> ImageRejected:
    return ImageRejected(
        "dimensions",
        _("The image is too large: at most %(side)s × %(side)s pixels.", side=MAX_INPUT_SIDE),
    )


def _check_dimensions(size: tuple[int, int]) -> None:
    width, height = size
    if width > MAX_INPUT_SIDE or height > MAX_INPUT_SIDE or width * height > MAX_INPUT_PIXELS:
        raise _too_many_pixels()
    if width < MIN_INPUT_SIDE or height < MIN_INPUT_SIDE:
        raise ImageRejected(
            "dimensions",
            _("The image is too small: at least %(side)s × %(side)s pixels.", side=MIN_INPUT_SIDE),
        )


def _plain_rgb(image: Image.Image) -> Image.Image:
    """RGBA when the picture uses transparency, else RGB; palette and CMYK images converted."""
    rgba = image.convert("RGBA")
    alpha = rgba.getchannel("A").getextrema()
    return rgba if alpha != (255, 255) else rgba.convert("RGB")


def _encode_png(image: Image.Image) -> ProcessedImage:
    # A fresh image from raw pixels carries no `info` (EXIF, ICC, text) into the PNG.
    clean = Image.frombytes(image.mode, image.size, image.tobytes())
    buffer = io.BytesIO()
    clean.save(buffer, format="PNG", optimize=True)
    data = buffer.getvalue()
    return ProcessedImage(
        data=data,
        content_type="image/png",
        width=clean.width,
        height=clean.height,
        sha256=hashlib.sha256(data).hexdigest(),
    )


# Thumbnails of uploaded documents: made on each request from the stored file (nothing extra
# to erase with the document), so the limits below bound what one request may cost.
THUMB_SIDE = 160  # pixels of the longer side: a 80 px CSS box on a 2x screen
THUMB_MAX_BYTES = 25 * 1024 * 1024
THUMB_MAX_PIXELS = 64_000_000  # JPEG, decoded at 1/2..1/8 scale by Pillow's draft mode
THUMB_MAX_FULL_PIXELS = 4096 * 4096  # formats that must be decoded at full size first
THUMB_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WEBP"}


class NoThumbnail(Exception):
    """This file gets no thumbnail: not a picture we decode, too large, or broken."""


def thumbnail(data: bytes, content_type: str) -> bytes:
    """A small JPEG of a stored picture (THUMB_SIDE on its longer side), upright, on white."""
    fmt = THUMB_FORMATS.get(content_type)
    announced = "GIF" if data.startswith((b"GIF87a", b"GIF89a")) else sniff(data)
    if fmt is None or announced != fmt or len(data) > THUMB_MAX_BYTES:
        raise NoThumbnail(content_type)
    try:
        with Image.open(io.BytesIO(data), formats=[fmt]) as image:
            width, height = image.size  # from the header: nothing decoded yet
            limit = THUMB_MAX_PIXELS if fmt == "JPEG" else THUMB_MAX_FULL_PIXELS
            if not 0 < width * height <= limit:
                raise NoThumbnail("dimensions")
            image.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
            upright = ImageOps.exif_transpose(image).convert("RGBA")
    except Image.DecompressionBombError as exc:
        raise NoThumbnail("bomb") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise NoThumbnail("broken") from exc
    ground = Image.new("RGB", upright.size, (255, 255, 255))
    ground.paste(upright, mask=upright.getchannel("A"))
    buffer = io.BytesIO()
    ground.save(buffer, format="JPEG", quality=80)  # a fresh image: no metadata goes along
    return buffer.getvalue()


# Claim photos (services/claims.py): re-encoded as JPEG, never kept as uploaded, with a
# thumbnail made once. Phone cameras give 12-50 megapixels, so the limits are wider than a
# logo's; what is stored fits into PHOTO_SIDE.
PHOTO_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WEBP"}
PHOTO_MAX_PIXELS = 50_000_000
PHOTO_SIDE = 2560  # pixels of the stored photo's longer side
PHOTO_THUMB_SIDE = 320  # pixels: a 160 px CSS box on a 2x screen
_GPS_IFD, _EXIF_IFD = 0x8825, 0x8769
_DATETIME, _DATETIME_ORIGINAL = 0x0132, 0x9003


@dataclass(frozen=True)
class ProcessedPhoto:
    data: bytes  # JPEG
    thumbnail: bytes  # JPEG
    width: int
    height: int
    sha256: str


def process_photo(data: bytes, content_type: str, *, keep_location: bool) -> ProcessedPhoto:
    """The photo decoded, turned upright and written afresh as JPEG (so nothing of the
    uploaded bytes survives), with its thumbnail. Its metadata are dropped; `keep_location`
    keeps only where and when it was taken (the GPS data and the date)."""
    fmt = PHOTO_FORMATS.get(content_type)
    announced = "GIF" if data.startswith((b"GIF87a", b"GIF89a")) else sniff(data)
    if fmt is None or announced != fmt:
        raise ImageRejected("not_image", _("This file is not a photo we can read."))
    try:
        with Image.open(io.BytesIO(data), formats=[fmt]) as image:
            width, height = image.size  # from the header: nothing decoded yet
            if not 0 < width * height <= PHOTO_MAX_PIXELS:
                raise _too_many_pixels()
            kept = _kept_exif(image.getexif()) if keep_location else None
            image.seek(0)
            image.load()
            upright = _on_white(ImageOps.exif_transpose(image))
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels() from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise _broken() from exc
    upright.thumbnail((PHOTO_SIDE, PHOTO_SIDE), Image.Resampling.LANCZOS)
    stored = _jpeg(upright, quality=85, exif=kept)
    small = upright.copy()
    small.thumbnail((PHOTO_THUMB_SIDE, PHOTO_THUMB_SIDE), Image.Resampling.LANCZOS)
    return ProcessedPhoto(
        data=stored,
        thumbnail=_jpeg(small, quality=80),
        width=upright.width,
        height=upright.height,
        sha256=hashlib.sha256(stored).hexdigest(),
    )


def _kept_exif(exif: Image.Exif) -> bytes | None:
    """Only the GPS block and the dates of the original's EXIF (no camera, no owner). Data
    that cannot be written back (a GPS value of the wrong type, say) are dropped: the photo
    is kept without them."""
    try:
        return _gps_and_dates(exif)
    except Exception:  # noqa: BLE001 - Pillow raises anything on odd tags; dropping is safe
        return None


def _gps_and_dates(exif: Image.Exif) -> bytes | None:
    kept = Image.Exif()
    gps = exif.get_ifd(_GPS_IFD)
    if gps:
        kept.get_ifd(_GPS_IFD).update(gps)
    if exif.get(_DATETIME):
        kept[_DATETIME] = exif[_DATETIME]
    original = exif.get_ifd(_EXIF_IFD).get(_DATETIME_ORIGINAL)
    if original:
        kept.get_ifd(_EXIF_IFD)[_DATETIME_ORIGINAL] = original
    return kept.tobytes() if (gps or original or exif.get(_DATETIME)) else None


def _on_white(image: Image.Image) -> Image.Image:
    rgba = image.convert("RGBA")
    ground = Image.new("RGB", rgba.size, (255, 255, 255))
    ground.paste(rgba, mask=rgba.getchannel("A"))
    return ground


def _jpeg(image: Image.Image, *, quality: int, exif: bytes | None = None) -> bytes:
    # A fresh image from raw pixels carries no `info` (EXIF, ICC, comments) along.
    clean = Image.frombytes(image.mode, image.size, image.tobytes())
    buffer = io.BytesIO()
    if exif:
        clean.save(buffer, format="JPEG", quality=quality, exif=exif)
    else:
        clean.save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()
