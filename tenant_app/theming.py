"""Themes are data: `themes/<name>/theme.toml` plus the tenant's validated colours."""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from tenant_app.templating import THEMES_DIR

if TYPE_CHECKING:
    from tenant_app.tenancy import TenantInfo

HEX_COLOR = re.compile(r"^#[0-9a-f]{6}$")
DIMENSION = re.compile(r"^\d{1,2}px$")
TOKEN_NAMES = (
    "bg",
    "surface",
    "surface-alt",
    "border",
    "muted",
    "success",
    "warning",
    "danger",
    "info",
    "radius-sm",
    "radius-md",
    "radius-lg",
)


class ThemeError(ValueError):
    pass


def valid_color(value: str | None) -> str | None:
    """A lower-case `#rrggbb`, or None when the value is not one."""
    if value is None:
        return None
    value = value.strip().lower()
    return value if HEX_COLOR.fullmatch(value) else None


@dataclass(frozen=True)
class Theme:
    name: str
    label: str
    primary: str
    secondary: str
    text: str
    tokens: tuple[tuple[str, str], ...]


def _parse_theme(name: str) -> Theme:
    data = tomllib.loads((THEMES_DIR / name / "theme.toml").read_text(encoding="utf-8"))
    brand = data.get("brand", {})
    colors = {key: valid_color(brand.get(key)) for key in ("primary", "secondary", "text")}
    if None in colors.values():
        raise ThemeError(f"theme {name}: brand colours must be #rrggbb")
    tokens = []
    for token in TOKEN_NAMES:
        value = str(data.get("tokens", {}).get(token, ""))
        if not (valid_color(value) or DIMENSION.fullmatch(value)):
            raise ThemeError(f"theme {name}: token {token} is not a colour or a px size")
        tokens.append((token, value))
    return Theme(
        name=name,
        label=str(data.get("label", name)),
        tokens=tuple(tokens),
        **{k: str(v) for k, v in colors.items()},
    )


@cache
def available_themes() -> dict[str, Theme]:
    return {
        path.parent.name: _parse_theme(path.parent.name)
        for path in sorted(THEMES_DIR.glob("*/theme.toml"))
    }


def theme(name: str) -> Theme:
    themes = available_themes()
    return themes.get(name) or themes["default"]


def _luminance(color: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2 contrast ratio of two `#rrggbb` colours (1.0 to 21.0)."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def readable_on(background: str) -> str:
    """White or near-black, whichever reads better on the background."""
    return (
        "#ffffff"
        if contrast_ratio("#ffffff", background) >= contrast_ratio("#111111", background)
        else "#111111"
    )


@dataclass(frozen=True)
class Palette:
    primary: str
    secondary: str
    text: str
    on_primary: str
    on_secondary: str


@lru_cache(maxsize=4096)  # every page's theme colour asks for it: contrasts computed once
def palette_for(
    theme_name: str, primary: str | None, secondary: str | None, text: str | None
) -> Palette:
    """Colours over a theme: each valid override wins, anything else falls back to the theme."""
    base = theme(theme_name)
    main = valid_color(primary) or base.primary
    accent = valid_color(secondary) or base.secondary
    return Palette(
        primary=main,
        secondary=accent,
        text=valid_color(text) or base.text,
        on_primary=readable_on(main),
        on_secondary=readable_on(accent),
    )


def palette(tenant: TenantInfo) -> Palette:
    return palette_for(
        tenant.theme, tenant.primary_color, tenant.secondary_color, tenant.text_color
    )


def brand_css(tenant: TenantInfo) -> str:
    """The tenant's stylesheet: theme tokens, then brand colours. Only validated values."""
    return css_variables(tenant.theme, palette(tenant))


def css_variables(theme_name: str, colors: Palette, selector: str = ":root") -> str:
    """Custom properties of a theme and a palette on `selector` (a fixed, trusted string)."""
    base = theme(theme_name)
    lines = [f"{selector} {{"]
    lines += [
        f"  --color-{token}: {value};"
        for token, value in base.tokens
        if not token.startswith("radius")
    ]
    lines += [
        f"  --{token}: {value};" for token, value in base.tokens if token.startswith("radius")
    ]
    lines += [
        f"  --brand-primary: {colors.primary};",
        f"  --brand-secondary: {colors.secondary};",
        f"  --brand-text: {colors.text};",
        f"  --brand-on-primary: {colors.on_primary};",
        f"  --brand-on-secondary: {colors.on_secondary};",
        "}",
    ]
    return "\n".join(lines) + "\n"


@lru_cache(maxsize=4096)
def brand_css_url(tenant: TenantInfo) -> str:
    """The stylesheet's address, versioned by its content; per tenant state, built once."""
    version = hashlib.sha256(brand_css(tenant).encode()).hexdigest()[:12]
    return f"/brand.css?v={version}"


AA_TEXT_RATIO = 4.5  # WCAG 2 level AA, normal-size text


def theme_token(theme_name: str, name: str) -> str:
    return dict(theme(theme_name).tokens)[name]


@dataclass(frozen=True)
class ContrastCheck:
    """One text/background pair of a palette and whether it reaches WCAG AA."""

    name: str  # on_primary | on_secondary | text_on_background | links
    foreground: str
    background: str
    ratio: float

    @property
    def passes(self) -> bool:
        return self.ratio >= AA_TEXT_RATIO


def contrast_checks(theme_name: str, colors: Palette) -> tuple[ContrastCheck, ...]:
    """Text on the main and the second colour (white or near-black, whichever reads better:
    a mid-tone colour fails with both), the font colour on the page and cards, links on cards."""
    background, surface = theme_token(theme_name, "bg"), theme_token(theme_name, "surface")
    weaker_ground = min(
        (background, surface), key=lambda ground: contrast_ratio(colors.text, ground)
    )

    def check(name: str, foreground: str, ground: str) -> ContrastCheck:
        return ContrastCheck(name, foreground, ground, contrast_ratio(foreground, ground))

    return (
        check("on_primary", colors.on_primary, colors.primary),
        check("on_secondary", colors.on_secondary, colors.secondary),
        check("text_on_background", colors.text, weaker_ground),
        check("links", colors.primary, surface),
    )
