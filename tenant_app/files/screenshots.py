"""Screenshots of support requests (services/support.py): checked by content as the logo is
(files/images.py: exactly one PNG, JPEG or WebP image, no markup, nothing appended) and written
afresh, so nothing of the uploaded bytes is kept (no metadata, no hidden payload).

Screens are larger than logos (a 5K display gives 5120 × 2880 pixels), so the sides allowed
here are wider; what is stored fits into STORED_SIDE. A PNG or WebP stays a PNG (text stays
sharp); a JPEG (a phone's photo of a screen) stays a JPEG.
"""

from __future__ import annotations

import hashlib
import io

from PIL import Image, ImageOps, UnidentifiedImageError

from tenant_app.files.images import ImageRejected, ImageRules, ProcessedImage, check_upload
from tenant_app.text.i18n import gettext as _

SCREENSHOT_MAX_BYTES = 10 * 1024 * 1024
SCREENSHOT_RULES = ImageRules(SCREENSHOT_MAX_BYTES, ("PNG", "JPEG", "WEBP"))
MAX_SIDE = 8192  # pixels, either side, of what we agree to decode
MAX_PIXELS = 40_000_000
MIN_SIDE = 16  # pixels
STORED_SIDE = 3840  # pixels of the stored picture's longer side (never enlarged)
CONTENT_TYPES = ("image/png", "image/jpeg")  # what is ever stored


def process_screenshot(data: bytes) -> ProcessedImage:
    """The screenshot re-encoded (PNG, or JPEG for a JPEG); ImageRejected with the message for
    the user for anything that is not an acceptable picture."""
    fmt = check_upload(data, SCREENSHOT_RULES)
    try:
        with Image.open(io.BytesIO(data), formats=[fmt]) as probe:
            _check_dimensions(probe.size)  # from the header, before any pixel is decoded
            probe.verify()
        with Image.open(io.BytesIO(data), formats=[fmt]) as image:
            image.seek(0)  # animations: the first frame only
            image.load()
            _check_dimensions(image.size)
            upright = ImageOps.exif_transpose(image).convert("RGBA")
    except Image.DecompressionBombError as exc:
        raise _too_large() from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageRejected(
            "broken", _("The image could not be read. Is the file damaged?")
        ) from exc
    upright.thumbnail((STORED_SIDE, STORED_SIDE), Image.Resampling.LANCZOS)
    return _encode(upright, as_jpeg=fmt == "JPEG")


def _check_dimensions(size: tuple[int, int]) -> None:
    width, height = size
    if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
        raise _too_large()
    if width < MIN_SIDE or height < MIN_SIDE:
        raise ImageRejected(
            "dimensions",
            _("The image is too small: at least %(side)s × %(side)s pixels.", side=MIN_SIDE),
        )


def _too_large() -> ImageRejected:
    return ImageRejected(
        "dimensions",
        _("The image is too large: at most %(side)s × %(side)s pixels.", side=MAX_SIDE),
    )


def _encode(image: Image.Image, *, as_jpeg: bool) -> ProcessedImage:
    opaque = image.getchannel("A").getextrema() == (255, 255)
    if as_jpeg or opaque:
        ground = Image.new("RGB", image.size, (255, 255, 255))
        ground.paste(image, mask=image.getchannel("A"))
        image = ground
    # A fresh image from raw pixels carries no `info` (EXIF, ICC, text) along.
    clean = Image.frombytes(image.mode, image.size, image.tobytes())
    buffer = io.BytesIO()
    if as_jpeg:
        clean.save(buffer, format="JPEG", quality=88)
    else:
        clean.save(buffer, format="PNG", optimize=False, compress_level=6)
    data = buffer.getvalue()
    return ProcessedImage(
        data=data,
        content_type="image/jpeg" if as_jpeg else "image/png",
        width=clean.width,
        height=clean.height,
        sha256=hashlib.sha256(data).hexdigest(),
    )
