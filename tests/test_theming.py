"""Themes are data; tenant colours are validated; contrast follows WCAG 2."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from tenant_app.models.tenancy import Tenant
from tenant_app.tenancy import TenantCache, load_tenant_info
from tenant_app.theming import (
    AA_TEXT_RATIO,
    available_themes,
    brand_css,
    contrast_checks,
    contrast_ratio,
    css_variables,
    palette_for,
    readable_on,
    theme,
)
from tests.conftest import count_queries


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("#000000", "#ffffff", 21.0),
        ("#ffffff", "#000000", 21.0),  # order does not matter
        ("#ffffff", "#ffffff", 1.0),
        ("#777777", "#ffffff", 4.48),  # the classic "just fails AA" grey
        ("#767676", "#ffffff", 4.54),  # the lightest grey that passes AA on white
        ("#0000ff", "#ffffff", 8.59),
        ("#ff0000", "#ffffff", 4.0),
        ("#ffff00", "#ffffff", 1.07),
        ("#0b5cab", "#ffffff", 6.7),  # default theme: white on the main colour
    ],
)
def test_contrast_ratio_of_known_pairs(first: str, second: str, expected: float) -> None:
    assert contrast_ratio(first, second) == pytest.approx(expected, abs=0.01)


@pytest.mark.parametrize(
    ("background", "text"),
    [
        ("#0b5cab", "#ffffff"),
        ("#ffd400", "#111111"),
        ("#ffffff", "#111111"),
        ("#000000", "#ffffff"),
    ],
)
def test_text_on_the_main_colour_is_white_or_near_black_whichever_reads_better(
    background: str, text: str
) -> None:
    assert readable_on(background) == text


def test_at_least_two_distinct_built_in_themes() -> None:
    themes = available_themes()
    assert {"default", "slate"} <= set(themes)
    default, slate = themes["default"], themes["slate"]
    assert (default.primary, default.tokens) != (slate.primary, slate.tokens)
    assert theme("no-such-theme").name == "default"


def test_tenant_colours_override_the_theme_and_invalid_ones_fall_back() -> None:
    colours = palette_for("slate", "#AA3300", "not a colour", "red;}body{x:y")
    base = theme("slate")
    assert (colours.primary, colours.secondary, colours.text) == (
        "#aa3300",
        base.secondary,
        base.text,
    )


def test_stylesheet_contains_only_validated_values() -> None:
    colours = palette_for("default", "#123456;} body { background: url(x) }", None, None)
    css = css_variables("default", colours, selector=".brand-preview")
    assert css.startswith(".brand-preview {") and "url(" not in css and "body" not in css
    assert "--brand-primary: #0b5cab;" in css


def test_contrast_checks_warn_about_a_light_main_colour_and_pale_text() -> None:
    good = {c.name: c for c in contrast_checks("default", palette_for("default", None, None, None))}
    assert all(check.passes for check in good.values())
    bad = {
        c.name: c
        for c in contrast_checks("default", palette_for("default", "#ffd400", None, "#aaaaaa"))
    }
    assert not bad["links"].passes and bad["links"].ratio < AA_TEXT_RATIO
    assert not bad["text_on_background"].passes
    assert bad["on_primary"].passes  # near-black text on yellow reads fine


def test_mid_grey_main_colour_fails_even_with_the_best_text_colour() -> None:
    check = contrast_checks("default", palette_for("default", "#777777", None, None))[0]
    assert check.name == "on_primary" and not check.passes and 4.4 < check.ratio < 4.5


async def test_brand_css_of_a_tenant_carries_its_colours(tenant) -> None:
    await Tenant.filter(id=tenant.tenant.id).update(theme="slate", primary_color="#aa3300")
    info = await load_tenant_info(tenant.tenant.id)
    css = brand_css(info)
    assert "--brand-primary: #aa3300;" in css and "--radius-sm: 2px;" in css  # slate's corners
    broken = replace(info, primary_color="javascript:alert(1)")
    assert "javascript" not in brand_css(broken)


async def test_branding_is_cached_per_process_and_stale_for_at_most_the_ttl(tenant) -> None:
    cache = TenantCache(ttl=0.2)
    first = await cache.lookup(tenant.hostname)
    with count_queries() as queries:
        again = await cache.lookup(tenant.hostname)
    assert queries.count == 0 and again is first  # no database trip while fresh
    await Tenant.filter(id=tenant.tenant.id).update(primary_color="#aa3300")
    assert (await cache.lookup(tenant.hostname)).primary_color is None  # another process: stale
    await asyncio.sleep(0.25)
    assert (await cache.lookup(tenant.hostname)).primary_color == "#aa3300"  # within the TTL
    await Tenant.filter(id=tenant.tenant.id).update(primary_color="#003366")
    cache.invalidate()  # the saving process itself: at once
    assert (await cache.lookup(tenant.hostname)).primary_color == "#003366"
