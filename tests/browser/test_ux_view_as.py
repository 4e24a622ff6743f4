"""View as customer in Chromium (issue 24): the button on the contact page, the banner, the
customer's own pages with every control disabled, and the way back to the contact."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import DANA, LENA, MIA, log_in
from tests.browser.test_accessibility import axe_problems, report

async_api = pytest.importorskip("playwright.async_api")
expect = async_api.expect

pytestmark = pytest.mark.browser

# Buttons, fields and selects inside the customer's pages that a user could still operate.
ENABLED_CONTROLS = """() => Array.from(document.querySelectorAll(
  '.view-as-frame button, .view-as-frame input:not([type=hidden]), .view-as-frame select, '
  + '.view-as-frame textarea')).filter((el) => !el.matches(':disabled'))
  .map((el) => el.outerHTML)"""

CASES = [
    (DANA, "Dana Datenfrei", "Datenfrei, Dana", ("insurance", "finance")),
    (LENA, "Lena Leser", "Leser, Lena", ("insurance", "emergency")),
]


async def _main_text(page: Any, path: str) -> str:
    await page.goto(path)
    # The household switcher is the login's own (Dana also manages Emma); a view shows one.
    await page.evaluate("() => document.getElementById('household-switcher')?.remove()")
    return re.sub(r"\s+", " ", await page.locator("main").inner_text()).strip()


@pytest.mark.parametrize(("customer", "name", "row", "folders"), CASES)
async def test_staff_see_the_customers_portal_read_only(
    contexts, customer, name, row, folders
) -> None:
    own = await contexts.page()
    await log_in(own, *customer)
    staff = await contexts.page()
    await log_in(staff, *MIA)
    await staff.goto("/staff/contacts")
    await staff.get_by_role("link", name=row).click()
    await expect(staff.get_by_role("heading", level=1)).to_have_text(name)

    await staff.get_by_role("button", name="Als Kunde ansehen").click()
    await expect(staff).to_have_url(re.compile(r"/portal$"))
    banner = staff.get_by_role("region", name="Kundenansicht")
    await expect(banner).to_contain_text(f"Sie sehen das Portal als {name} – nur ansehen")
    await expect(banner.get_by_role("button", name="Ansicht beenden")).to_be_enabled()

    for path in ("/portal", *(f"/portal/folders/{f}" for f in folders), "/portal/profile"):
        assert await _main_text(staff, path) == await _main_text(own, path), path
        await expect(banner).to_be_visible()
        assert await staff.evaluate(ENABLED_CONTROLS) == [], path
    # The action buttons the customer has are there, only disabled.
    await staff.goto(f"/portal/folders/{folders[0]}")
    assert await staff.locator(".view-as-frame button:disabled").count() > 0

    await banner.get_by_role("button", name="Ansicht beenden").click()
    await expect(staff.get_by_role("heading", level=1)).to_have_text(name)
    await expect(staff.get_by_role("region", name="Kundenansicht")).to_have_count(0)
    await staff.goto("/portal")
    await expect(staff.get_by_role("heading", level=1)).to_have_text("Zugriff verweigert")


async def test_a_ticket_opened_in_the_view_stays_unread_without_an_error(contexts) -> None:
    """The ticket page's read ping is refused quietly: no message, no script error."""
    staff = await contexts.page()
    await log_in(staff, *MIA)
    await staff.goto("/staff/contacts")
    await staff.get_by_role("link", name="Datenfrei, Dana").click()
    await staff.get_by_role("button", name="Als Kunde ansehen").click()
    # The view starts with the boosted form's answer; a navigation before it would cancel it.
    await expect(staff).to_have_url(re.compile(r"/portal$"))
    tickets = staff.locator("main a[href*='/portal/tickets/']:not([href$='/new'])")
    for status in ("open", "closed"):
        await staff.goto(f"/portal/tickets?status={status}")
        if await tickets.count():
            break
    links = await staff.locator("main a").evaluate_all("(els) => els.map((a) => a.href)")
    assert await tickets.count(), links  # the demo gives Dana tickets
    await tickets.first.click()
    await expect(staff.get_by_role("region", name="Kundenansicht")).to_be_visible()
    await expect(staff.locator("#view-as-refused")).to_have_count(0)
    assert await staff.evaluate(ENABLED_CONTROLS) == []
    await staff.get_by_role("button", name="Ansicht beenden").click()
    await expect(staff.get_by_role("heading", level=1)).to_have_text("Dana Datenfrei")


@pytest.mark.parametrize("width", [1280, 390])
async def test_the_view_passes_axe_at_desktop_and_phone_width(contexts, width) -> None:
    staff = await contexts.page(bypass_csp=True, viewport={"width": width, "height": 844})
    await log_in(staff, *MIA)
    await staff.goto("/staff/contacts")
    await staff.get_by_role("link", name="Leser, Lena").click()
    await staff.get_by_role("button", name="Als Kunde ansehen").click()
    await expect(staff).to_have_url(re.compile(r"/portal$"))
    problems = await axe_problems(staff, f"view as customer {width}px")
    await staff.goto("/portal/folders/insurance")
    problems += await axe_problems(staff, f"view as customer, folder {width}px")
    assert not problems, report(problems)
    await expect(staff.get_by_role("button", name="Ansicht beenden")).to_be_in_viewport()
