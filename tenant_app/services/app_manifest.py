"""The portal as an installable app: the tenant's web manifest and its icons.

The manifest names the firm (the broker profile's firm name, else the tenant's name) and
carries the tenant's colours. The icons are drawn with Pillow: the tenant's logo on a white
plate, centred on the main colour; without a logo a monogram of the firm's name. They are
versioned by the logo and the colour (`?v=`), so browsers keep them for a year, and made
once per process and version (a few small PNGs).
"""

from __future__ import annotations

import hashlib
import io
from collections import OrderedDict
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

import anyio
from PIL import Image, ImageDraw, ImageFont

from tenant_app.models.tenancy import Tenant
from tenant_app.services import branding
from tenant_app.tenancy import TenantInfo
from tenant_app.theming import palette

START_URL = "/portal"
SHORT_NAME_CHARS = 12  # what a home screen shows under the icon
# name -> (side in px, maskable): maskable icons keep their content in the middle 80 %.
VARIANTS = {
    "192": (192, False),
    "512": (512, False),
    "maskable-192": (192, True),
    "maskable-512": (512, True),
    "apple-180": (180, False),
}
_CACHE_SIZE = 256
_cache: OrderedDict[tuple[int, str, str], bytes] = OrderedDict()
_DRAWING = anyio.CapacityLimiter(2)
FONT = files("tenant_app") / "data" / "fonts" / "DejaVuSans-Bold.ttf"


@dataclass(frozen=True)
class AppIdentity:
    name: str
    short_name: str
    theme_color: str
    background_color: str
    on_color: str
    version: str  # of the icons: the logo and the colours


async def identity(tenant: TenantInfo) -> AppIdentity:
    rows = await Tenant.filter(id=tenant.id).values("broker_firm_name")
    firm = str(rows[0]["broker_firm_name"]).strip() if rows else ""
    name = firm or tenant.name
    colors = palette(tenant)
    seed = f"{tenant.logo_key or ''}|{colors.primary}|{colors.on_primary}|{name}"
    return AppIdentity(
        name=name,
        short_name=name if len(name) <= SHORT_NAME_CHARS else name.split()[0][:SHORT_NAME_CHARS],
        theme_color=colors.primary,
        background_color=colors.primary,
        on_color=colors.on_primary,
        version=hashlib.sha256(seed.encode()).hexdigest()[:12],
    )


def manifest(app: AppIdentity, language: str) -> dict[str, Any]:
    def icon(variant: str) -> dict[str, str]:
        side, maskable = VARIANTS[variant]
        return {
            "src": f"/app/icon-{variant}.png?v={app.version}",
            "sizes": f"{side}x{side}",
            "type": "image/png",
            "purpose": "maskable" if maskable else "any",
        }

    return {
        "id": START_URL,
        "name": app.name,
        "short_name": app.short_name,
        "lang": language,
        "start_url": START_URL,
        "scope": "/",
        "display": "standalone",
        "theme_color": app.theme_color,
        "background_color": app.background_color,
        "icons": [icon(name) for name in ("192", "512", "maskable-192", "maskable-512")],
    }


async def icon_png(tenant: TenantInfo, app: AppIdentity, variant: str) -> bytes:
    """The icon `variant` (a key of VARIANTS) of the tenant's current version."""
    key = (tenant.id, app.version, variant)
    if key in _cache:
        _cache.move_to_end(key)
        return _cache[key]
    asset = await branding.load_asset("logo") if tenant.logo_key else None
    logo = bytes(asset.data) if asset is not None else None
    side, maskable = VARIANTS[variant]
    async with _DRAWING:
        png = await anyio.to_thread.run_sync(draw_icon, app, logo, side, maskable)
    _cache[key] = png
    while len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return png


def _rgb(color: str) -> tuple[int, int, int]:
    return (int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16))


def draw_icon(app: AppIdentity, logo: bytes | None, side: int, maskable: bool) -> bytes:
    """A square PNG: the main colour, and on it the logo (on a white plate) or a monogram."""
    image = Image.new("RGB", (side, side), _rgb(app.theme_color))
    inner = int(side * (0.62 if maskable else 0.8))  # maskable: inside the safe circle
    if logo is not None:
        _logo_plate(image, logo, inner)
    else:
        _monogram(image, app, inner)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _logo_plate(image: Image.Image, logo: bytes, inner: int) -> None:
    side = image.width
    offset = (side - inner) // 2
    draw = ImageDraw.Draw(image)
    box = (offset, offset, offset + inner, offset + inner)
    draw.rounded_rectangle(box, radius=inner // 8, fill=(255, 255, 255))
    with Image.open(io.BytesIO(logo)) as source:
        picture = source.convert("RGBA")
    room = int(inner * 0.86)
    picture.thumbnail((room, room), Image.Resampling.LANCZOS)
    left = (side - picture.width) // 2
    top = (side - picture.height) // 2
    image.paste(picture, (left, top), picture)


def _monogram(image: Image.Image, app: AppIdentity, inner: int) -> None:
    words = [word for word in app.name.split() if word[:1].isalnum()]
    letters = "".join(word[0] for word in words[:2]).upper() or "?"
    font = ImageFont.truetype(str(FONT), int(inner * 0.5))
    draw = ImageDraw.Draw(image)
    middle = image.width / 2
    draw.text((middle, middle), letters, font=font, fill=_rgb(app.on_color), anchor="mm")
