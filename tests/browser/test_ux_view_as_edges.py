"""View as customer in Chromium, at its edges: an error page keeps the banner and its way
back, and the sidebar offers nothing that would act on the staff member's own account."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import MIA, log_in, screenshot_path
from tests.browser.test_accessibility import axe_problems, report

async_api = pytest.importorskip("playwright.async_api")
expect = async_api.expect

pytestmark = pytest.mark.browser


async def start_view(page: Any, row: str, name: str) -> None:
    await log_in(page, *MIA)
    await page.goto("/staff/contacts")
    await page.get_by_role("link", name=row).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(name)
    await page.get_by_role("button", name="Als Kunde ansehen").click()
    await expect(page).to_have_url(re.compile(r"/portal$"))


async def test_an_error_page_in_the_view_keeps_the_banner_and_the_way_back(contexts: Any) -> None:
    page = await contexts.page(bypass_csp=True)
    await start_view(page, "Leser, Lena", "Lena Leser")
    answer = await page.goto("/portal/contracts/987654")
    assert answer is not None and answer.status == 404
    await expect(page.get_by_role("heading", level=1)).to_have_text("Seite nicht gefunden")
    banner = page.get_by_role("region", name="Kundenansicht")
    await expect(banner).to_contain_text("Sie sehen das Portal als Lena Leser – nur ansehen")
    await expect(banner).to_be_in_viewport()
    await page.screenshot(path=screenshot_path("view-as-error.png"))
    problems = await axe_problems(page, "view as customer, 404")
    assert not problems, report(problems)

    await banner.get_by_role("button", name="Ansicht beenden").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Lena Leser")
    await expect(page.get_by_role("region", name="Kundenansicht")).to_have_count(0)


async def test_the_password_and_logout_controls_are_disabled_in_the_view(contexts: Any) -> None:
    page = await contexts.page(viewport={"width": 1280, "height": 800})
    await start_view(page, "Leser, Lena", "Lena Leser")
    sidebar = page.locator("#sidebar")
    await expect(sidebar.get_by_role("link", name="Passwort ändern")).to_have_count(0)
    await expect(sidebar.get_by_role("button", name="Passwort ändern")).to_be_disabled()
    await expect(sidebar.get_by_role("button", name="Abmelden")).to_be_disabled()
    await expect(page.get_by_role("button", name="Ansicht beenden")).to_be_enabled()
    await page.get_by_role("button", name="Ansicht beenden").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Lena Leser")
    # Back in the staff area: the staff member's own link again.
    await expect(
        page.locator("#sidebar").get_by_role("link", name="Passwort ändern")
    ).to_be_visible()
