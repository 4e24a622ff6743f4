"""The app shell in Chromium (issue 24): the sidebar spans long pages, the language switches
on choosing it, the login card names the firm once, phones show the logo, focus is visible,
and axe-core finds nothing serious at 390 px."""

from __future__ import annotations

import pytest

from tests.browser.conftest import DANA, MIA, log_in
from tests.browser.test_accessibility import axe_problems, report

async_api = pytest.importorskip("playwright.async_api")
expect = async_api.expect

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}

BOXES = """() => {
  const box = (selector) => {
    const rect = document.querySelector(selector).getBoundingClientRect();
    return {top: rect.top + scrollY, bottom: rect.bottom + scrollY};
  };
  return {sidebar: box('.sidebar'), main: box('main.content'),
          page: document.documentElement.scrollHeight, viewport: innerHeight};
}"""

FOCUS_STYLE = """() => {
  const el = document.activeElement, style = getComputedStyle(el);
  return {tag: el.tagName, text: (el.textContent || el.name || '').trim().slice(0, 40),
          outline: style.outlineStyle === 'none' ? 'none' : style.outlineWidth,
          shadow: style.boxShadow};
}"""


async def test_the_sidebar_reaches_the_bottom_of_a_long_page(contexts) -> None:
    page = await contexts.page(viewport={"width": 1280, "height": 600})
    await log_in(page, *MIA)
    await page.goto("/staff/contacts")
    await page.get_by_role("link", name="Datenfrei, Dana").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Dana Datenfrei")
    boxes = await page.evaluate(BOXES)
    assert boxes["page"] > boxes["viewport"] * 1.5, boxes  # the page is long indeed
    assert boxes["sidebar"]["top"] <= 0 and boxes["sidebar"]["bottom"] >= boxes["page"] - 1, boxes
    await page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    await expect(nav).to_be_in_viewport()  # the navigation stays in view while scrolling


async def test_choosing_a_language_switches_at_once(contexts) -> None:
    page = await contexts.page()
    for path, heading in (("/login", "Log in"), ("/passwort-vergessen", "Forgot password")):
        await page.goto(path)
        control = page.get_by_label("Sprache", exact=True)
        await expect(page.locator("[data-language-submit]")).to_be_hidden()  # no extra button
        await control.select_option("en")
        await expect(page.locator("html")).to_have_attribute("lang", "en")
        await expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert page.url.endswith(path)
        await page.get_by_label("Language", exact=True).select_option("de")
        await expect(page.locator("html")).to_have_attribute("lang", "de")

    await log_in(page, *MIA)
    try:
        await page.get_by_label("Sprache", exact=True).select_option("en")
        await expect(page.locator("html")).to_have_attribute("lang", "en")
        await expect(page.get_by_role("link", name="Contacts", exact=True)).to_be_visible()
    finally:  # Mia is shared with other journeys: back to German
        await page.get_by_label("Language", exact=True).select_option("de")
        await expect(page.locator("html")).to_have_attribute("lang", "de")


async def test_focus_is_visible_on_every_tab_stop(contexts) -> None:
    page = await contexts.page()
    await page.goto("/login")
    await page.locator("body").click(position={"x": 5, "y": 5})  # keyboard from the page start
    seen = []
    for _ in range(12):
        await page.keyboard.press("Tab")
        focus = await page.evaluate(FOCUS_STYLE)
        if focus["tag"] == "BODY":  # past the last stop of the page
            break
        seen.append(focus)
        assert focus["outline"] != "none" or focus["shadow"] != "none", focus
    assert {"INPUT", "BUTTON", "A", "SELECT"} <= {entry["tag"] for entry in seen}, seen


async def test_login_card_names_the_firm_once_under_its_logo(contexts) -> None:
    page = await contexts.page()
    await page.goto("/login")
    card = page.locator(".auth-card")
    await expect(card.locator("img.brand-logo")).to_be_visible()
    await expect(card.locator(".brand-name")).to_have_count(0)
    await expect(card.get_by_role("link", name="Muster & Partner", exact=False)).to_be_visible()


async def test_phone_header_shows_the_logo_and_axe_is_clean(contexts) -> None:
    page = await contexts.page(bypass_csp=True, **PHONE)
    await log_in(page, *MIA)
    await page.goto("/staff")
    logo = page.locator(".topbar img.brand-logo")
    await expect(logo).to_be_visible()
    box = await logo.bounding_box()
    assert box and box["width"] > 24 and box["y"] < 80, box  # in the header, at the top
    problems = await axe_problems(page, "staff home 390px")
    await page.goto("/staff/contacts")
    problems += await axe_problems(page, "contact list 390px")

    portal = await contexts.page(bypass_csp=True, **PHONE)
    await log_in(portal, *DANA)
    await expect(portal.locator(".topbar img.brand-logo")).to_be_visible()
    problems += await axe_problems(portal, "portal home 390px")
    assert not problems, report(problems)
