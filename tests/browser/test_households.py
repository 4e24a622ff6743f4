"""Households in Chromium: Dana's login also manages her daughter Emma's folders (the demo).
She switches with the switcher at the top of every portal page and sees Emma's folders with
Emma's permissions, on a desktop and on a phone; staff see the household on Emma's page."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import DANA, MIA, log_in, screenshot_path
from tests.browser.test_accessibility import axe_problems, report

async_api = pytest.importorskip("playwright.async_api")
expect = async_api.expect

pytestmark = pytest.mark.browser

EMMA_CONTRACTS = ("UV-3344", "PH-77")  # the demo's contracts of Emma (insurance, read-only)


async def test_dana_switches_to_emmas_folders_and_back(contexts) -> None:
    page = await contexts.page(bypass_csp=True)  # axe is injected as a script
    await log_in(page, *DANA)
    switcher = page.get_by_role("navigation", name="Ordner von")
    dana, emma = (switcher.get_by_role("button", name=n, exact=True) for n in ("Dana", "Emma"))
    await expect(dana).to_have_attribute("aria-current", "true")
    await expect(page.locator("#tile-finance")).to_be_visible()
    await page.goto("/portal/folders/insurance")
    main = page.locator("main")
    await expect(main.get_by_role("heading", level=1)).to_have_text("Versicherungen")
    for number in EMMA_CONTRACTS:
        await expect(main).not_to_contain_text(number)

    await emma.click()
    await expect(page).to_have_url(re.compile(r"/portal$"))
    await expect(emma).to_have_attribute("aria-current", "true")
    await expect(dana).not_to_have_attribute("aria-current", "true")
    await expect(page.locator("#tile-finance")).to_have_count(0)  # Emma: insurance only
    await page.locator("#tile-insurance").click()
    await expect(page).to_have_url(re.compile(r"/portal/folders/insurance$"))
    for number in EMMA_CONTRACTS:
        await expect(main).to_contain_text(number)
    await expect(page.locator("#read-only-hint")).to_be_visible()  # Emma's own permissions
    await expect(main.get_by_role("link", name="Vertrag hinzufügen")).to_have_count(0)
    await page.screenshot(path=screenshot_path("household-switcher.png"))
    problems = await axe_problems(page, "household")
    assert not problems, report(problems)

    await dana.click()
    await expect(dana).to_have_attribute("aria-current", "true")
    await expect(page.locator("#tile-finance")).to_be_visible()


async def test_on_a_phone_the_switcher_is_in_sight(contexts) -> None:
    page = await contexts.page(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    await log_in(page, *DANA)
    switcher = page.get_by_role("navigation", name="Ordner von")
    emma = switcher.get_by_role("button", name="Emma", exact=True)
    await expect(emma).to_be_in_viewport()  # without opening the menu
    await emma.tap()
    await expect(emma).to_have_attribute("aria-current", "true")
    width = await page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390  # nothing sticks out sideways
    await page.screenshot(path=screenshot_path("household-switcher-phone.png"))
    await switcher.get_by_role("button", name="Dana", exact=True).tap()
    await expect(switcher.get_by_role("button", name="Dana", exact=True)).to_have_attribute(
        "aria-current", "true"
    )


async def test_staff_see_who_manages_emma(contexts) -> None:
    page = await contexts.page(bypass_csp=True)
    await log_in(page, *MIA)
    await page.goto("/staff/contacts?q=Emma")
    await page.get_by_role("link", name=re.compile("Datenfrei, Emma")).click()
    household = page.locator("#household")
    await expect(household.get_by_role("heading", level=2)).to_have_text("Haushalt")
    await expect(household.locator("#household-managed-by")).to_contain_text("Dana Datenfrei")
    await expect(household).to_contain_text("sorgeberechtigt")  # the consent as noted
    await household.get_by_text("Vorhandenes Benutzerkonto verknüpfen").click()
    await expect(
        household.get_by_label(re.compile("Benutzername oder E-Mail-Adresse"))
    ).to_be_visible()
    await page.screenshot(path=screenshot_path("household-staff.png"), full_page=True)
    problems = await axe_problems(page, "household-staff")
    assert not problems, report(problems)
