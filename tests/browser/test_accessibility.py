"""axe-core on the pages people use most: no serious or critical violations.

axe (tests/browser/vendor/axe.min.js, MPL-2.0, from the npm package axe-core) is injected
into the page and run with its default rules (WCAG 2.x A/AA and best practices). The contexts
use `bypass_csp`, because the app's CSP rightly refuses the injected inline script. The
screenshots login.png, staff-contact.png and permissions.png are taken on the way.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.conftest import DANA, MIA, log_in, screenshot_path

async_api = pytest.importorskip("playwright.async_api")
expect = async_api.expect

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
BLOCKING = {"serious", "critical"}


async def axe_problems(page, name: str) -> list[str]:
    """The serious and critical axe violations on the current page, one readable line each."""
    await page.add_script_tag(path=AXE)
    result = await page.evaluate("async () => await axe.run()")
    lines = []
    for violation in result["violations"]:
        if violation["impact"] not in BLOCKING:  # shown with `pytest -s`, not failing
            print(f"[{name}] axe {violation['impact']}: {violation['id']} ({violation['help']})")
            continue
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
        summary = violation["nodes"][0].get("failureSummary", "").replace("\n", " ")
        lines.append(
            f"[{name}] {violation['id']} ({violation['impact']}): {violation['help']}\n"
            f"    targets: {targets}\n    e.g.: {summary}"
        )
    for unsure in result["incomplete"]:  # axe could not decide: worth a look by a person
        targets = [" ".join(map(str, node["target"])) for node in unsure["nodes"]]
        print(f"[{name}] axe needs review ({unsure['impact']}): {unsure['id']} on {targets}")
    return lines


def report(problems: list[str]) -> str:
    return "axe found serious/critical violations:\n" + "\n".join(problems)


async def test_login_page(contexts) -> None:
    page = await contexts.page(bypass_csp=True)
    await page.goto("/login")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Anmelden")
    await page.screenshot(path=screenshot_path("login.png"))
    problems = await axe_problems(page, "login")
    assert not problems, report(problems)


async def test_staff_pages(contexts) -> None:
    page = await contexts.page(bypass_csp=True)
    await log_in(page, *MIA)
    problems: list[str] = []

    await page.goto("/staff/contacts")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Kontakte")
    problems += await axe_problems(page, "staff contact list")

    await page.get_by_role("link", name="Datenfrei, Dana").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Dana Datenfrei")
    await page.screenshot(path=screenshot_path("staff-contact.png"), full_page=True)
    problems += await axe_problems(page, "contact detail")

    await page.get_by_role("link", name="Freigaben").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Freigaben für Dana Datenfrei")
    await page.screenshot(path=screenshot_path("permissions.png"), full_page=True)
    problems += await axe_problems(page, "permissions")

    await page.goto("/staff/tickets")  # an open ticket: thread, internal note, reply and forward
    await page.get_by_role("link", name="E-Bike in der Hausratversicherung mitversichert?").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "E-Bike in der Hausratversicherung mitversichert?"
    )
    problems += await axe_problems(page, "staff ticket")
    assert not problems, report(problems)


async def test_customer_pages(contexts) -> None:
    page = await contexts.page(bypass_csp=True)
    await log_in(page, *DANA)
    problems: list[str] = []

    await expect(page.get_by_role("heading", level=1)).to_have_text("Willkommen, Dana")
    problems += await axe_problems(page, "customer home")

    await page.locator("#modules").get_by_role("link", name=re.compile("^Versicherungen")).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Versicherungen")
    problems += await axe_problems(page, "customer folder")

    await page.goto("/portal/tickets")  # an open ticket: thread, reply form, history
    subject = "E-Bike in der Hausratversicherung mitversichert?"
    await page.get_by_role("link", name=subject).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(subject)
    problems += await axe_problems(page, "customer ticket")
    assert not problems, report(problems)
