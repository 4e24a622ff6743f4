"""Contrast the look promises: text on the second colour is chosen and checked like text on
the main colour, and the muted footer text of every built-in theme reads on its page ground."""

from __future__ import annotations

import pytest

from tenant_app.theming import (
    AA_TEXT_RATIO,
    ContrastCheck,
    available_themes,
    contrast_checks,
    contrast_ratio,
    palette_for,
    readable_on,
    theme_token,
)


def on_secondary(secondary: str | None, theme_name: str = "default") -> ContrastCheck:
    checks = contrast_checks(theme_name, palette_for(theme_name, None, secondary, None))
    return {check.name: check for check in checks}["on_secondary"]


@pytest.mark.parametrize(
    ("secondary", "text", "ratio"),
    [
        ("#1f3a5f", "#ffffff", 11.48),  # dark blue: white text
        ("#ffd400", "#111111", 13.19),  # yellow: near-black text
        ("#f2a900", "#111111", 9.4),  # the default theme's accent
        ("#3d9970", "#111111", 5.39),  # slate's accent: near-black reads better than white
        ("#000000", "#ffffff", 21.0),
    ],
)
def test_text_on_the_second_colour_is_the_better_of_white_and_near_black(
    secondary: str, text: str, ratio: float
) -> None:
    check = on_secondary(secondary)
    assert (check.foreground, check.background) == (text, secondary)
    assert check.foreground == readable_on(secondary)
    assert check.ratio == pytest.approx(ratio, abs=0.01) and check.passes


@pytest.mark.parametrize("secondary", ["#777777", "#2e8b57"])  # grey, sea green
def test_a_mid_tone_second_colour_fails_even_with_the_best_text_colour(secondary: str) -> None:
    check = on_secondary(secondary)
    best = max(contrast_ratio("#ffffff", secondary), contrast_ratio("#111111", secondary))
    assert check.ratio == pytest.approx(best) and check.ratio < AA_TEXT_RATIO
    assert not check.passes


def test_the_grey_on_the_threshold() -> None:
    assert not on_secondary("#777777").passes  # white 4.48 : 1, just below AA
    assert on_secondary("#767676").passes  # white 4.54 : 1


def test_an_invalid_second_colour_is_checked_as_the_themes_own() -> None:
    check = on_secondary("red;}body{", "slate")
    assert check.background == "#3d9970" and check.passes


def test_the_second_colour_does_not_change_the_other_checks() -> None:
    plain = contrast_checks("default", palette_for("default", None, None, None))
    grey = contrast_checks("default", palette_for("default", None, "#777777", None))
    assert [c.name for c in grey] == ["on_primary", "on_secondary", "text_on_background", "links"]
    assert [c for c in grey if c.name != "on_secondary"] == [
        c for c in plain if c.name != "on_secondary"
    ]


@pytest.mark.parametrize("theme_name", sorted(available_themes()))
def test_every_built_in_theme_passes_all_its_own_checks(theme_name: str) -> None:
    checks = contrast_checks(theme_name, palette_for(theme_name, None, None, None))
    assert [c.name for c in checks if not c.passes] == []


@pytest.mark.parametrize("theme_name", sorted(available_themes()))
@pytest.mark.parametrize("ground", ["bg", "surface"])
def test_muted_footer_text_reads_on_the_page_ground_of_every_theme(
    theme_name: str, ground: str
) -> None:
    """The footer (© firm, imprint link) is in the muted colour: on the login page's ground
    (bg) and on cards (surface). Tenants cannot change these two: they come with the theme."""
    muted, background = theme_token(theme_name, "muted"), theme_token(theme_name, ground)
    assert contrast_ratio(muted, background) >= AA_TEXT_RATIO
