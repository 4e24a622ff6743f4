"""The demo firm's logo, drawn with Pillow (uploaded like a real one, so it is checked too)."""

from __future__ import annotations

import io


def logo_png(*, square: bool = False) -> bytes:
    """A generated logo (the firm's initials on its main colour), uploaded like a real one."""
    from PIL import Image, ImageDraw, ImageFont

    size = (128, 128) if square else (480, 128)
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, 127, 127), radius=28, fill="#0f5e9c")
    font = ImageFont.load_default(size=56)
    draw.text((64, 64), "M&P", font=font, fill="#ffffff", anchor="mm")
    if not square:
        draw.rectangle((150, 92, 470, 100), fill="#f5a524")
        draw.text(
            (150, 64),
            "Muster & Partner",
            font=ImageFont.load_default(size=40),
            fill="#1b2733",
            anchor="lm",
        )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
