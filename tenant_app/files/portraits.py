"""A staff member's photo for the portal's advisor card (services/staff_photos.py): checked
and decoded as files/images.py does it for the tenant's logo, then the middle of the picture,
square, written afresh as JPEG (a photo as PNG would be ten times larger)."""

from __future__ import annotations

import hashlib
import io

from PIL import Image, ImageOps

from tenant_app.files.images import ImageRules, ProcessedImage
from tenant_app.files.images import _decode as decode_checked  # the logo's checks, shared

PORTRAIT_MAX_BYTES = 5 * 1024 * 1024
PORTRAIT_SIDE = 320  # pixels: a 160 px CSS box on a 2x screen
PORTRAIT_RULES = ImageRules(PORTRAIT_MAX_BYTES, ("PNG", "JPEG", "WEBP"))


def process_portrait(data: bytes) -> ProcessedImage:
    """A square PORTRAIT_SIDE JPEG of the picture's middle, transparency on white; ImageRejected
    (with the message for the user) for anything that is not an acceptable picture."""
    image = decode_checked(data, PORTRAIT_RULES).convert("RGBA")
    square = ImageOps.fit(image, (PORTRAIT_SIDE, PORTRAIT_SIDE), Image.Resampling.LANCZOS)
    ground = Image.new("RGB", square.size, (255, 255, 255))
    ground.paste(square, mask=square.getchannel("A"))
    buffer = io.BytesIO()
    ground.save(buffer, format="JPEG", quality=85)  # a fresh image: no metadata goes along
    stored = buffer.getvalue()
    return ProcessedImage(
        data=stored,
        content_type="image/jpeg",
        width=PORTRAIT_SIDE,
        height=PORTRAIT_SIDE,
        sha256=hashlib.sha256(stored).hexdigest(),
    )
