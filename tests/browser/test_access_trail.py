"""The customer's access trail in a real browser: a staff member downloads one of Dana's
documents; Dana finds under "Zugriffe auf meine Daten" who opened it and when."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import DANA, MIA, log_in, screenshot_path

async_api = pytest.importorskip("playwright.async_api")
expect = async_api.expect

pytestmark = pytest.mark.browser

# A document Dana sees: shared with her, on a contract that is not deleted.
SHOWN_ROW = ".contract:not(.contract--deleted) .document-row:has(.chip--active)"
# A row's title: the link's own text, without the hidden "(preview)" hint.
TITLE_JS = "link => link.firstChild.textContent.trim()"


async def test_dana_sees_that_mia_opened_her_document(contexts) -> None:
    staff = await contexts.page()
    await log_in(staff, *MIA)
    await staff.goto("/staff/contacts")
    await staff.get_by_role("link", name="Datenfrei, Dana").click()
    await staff.get_by_role("link", name=re.compile(r"^Versicherungen\b")).first.click()
    await expect(staff.get_by_role("heading", level=1, name="Versicherungen")).to_be_visible()
    row = staff.locator(SHOWN_ROW).first
    title = await row.locator(".document-row__title").evaluate(TITLE_JS)
    async with staff.expect_download() as download:
        await row.get_by_role("link", name=re.compile("^Herunterladen")).click()
    assert (await download.value).suggested_filename

    customer = await contexts.page()
    await log_in(customer, *DANA)
    sidebar = customer.get_by_role("navigation", name="Hauptnavigation")
    await sidebar.get_by_role("link", name="Zugriffe auf meine Daten").click()
    await expect(customer.get_by_role("heading", level=1)).to_have_text("Zugriffe auf meine Daten")
    entry = customer.locator(".trail-entry", has_text=f"hat Ihr Dokument {title} geöffnet")
    await expect(entry.first).to_contain_text(f"Mia Mitarbeiterin hat Ihr Dokument {title}")
    await expect(customer.get_by_role("heading", level=2, name="Heute")).to_be_visible()
    await expect(entry.first.locator("time")).to_have_text(re.compile(r"^\d{2}:\d{2}$"))
    await customer.screenshot(path=str(screenshot_path("access-trail.png")), full_page=True)
