"""Issue 16 in a real browser: Dana changes a broker contract in the portal; Mia, responsible
for her, finds it in her activity feed with the old and the new value and marks it "geprüft"
in place, and the count in her sidebar goes down."""

from __future__ import annotations

import re
import secrets
from typing import Any

from tests.browser.conftest import DANA, MIA, field, log_in, screenshot_path


def _expect() -> Any:
    from playwright.async_api import expect

    return expect


async def _sidebar_count(page: Any) -> int:
    """The unchecked entries told to the member, as the sidebar shows them (empty: none)."""
    text = (await page.locator("#activity-count").text_content() or "").strip()
    return int(text.split()[0]) if text else 0


async def test_a_customers_edit_is_checked_in_the_staff_feed(contexts) -> None:
    expect = _expect()
    note = f"Neue Bankverbindung {secrets.token_hex(3)}"

    dana = await contexts.page()
    await log_in(dana, *DANA)
    await dana.goto("/portal/folders/insurance")
    await dana.get_by_role("link", name="Bearbeiten").first.click()
    await expect(dana.get_by_role("heading", level=1)).to_have_text("Vertrag bearbeiten")
    old = (await field(dana, "Notiz").input_value()).strip() or "(leer)"
    await field(dana, "Notiz").fill(note)
    await dana.get_by_role("button", name="Vertrag speichern").click()
    await expect(dana).to_have_url(re.compile(r"/portal/folders/insurance\?saved=1$"))

    mia = await contexts.page()
    await log_in(mia, *MIA)
    sidebar = mia.get_by_role("navigation", name="Hauptnavigation")
    before = await _sidebar_count(mia)
    assert before >= 1
    # the home's card of customers' changes names the values too
    card = mia.locator("#card-activity li").filter(has_text=note)
    await expect(card.locator("ins")).to_have_text(note)
    await mia.screenshot(path=screenshot_path("staff-home-activity.png"), full_page=True)
    await sidebar.get_by_role("link", name=re.compile("^Aktivität")).click()
    await expect(mia.get_by_role("heading", level=1)).to_have_text("Aktivität")
    entry = mia.locator("article.activity-entry").filter(has_text=note)
    await expect(entry).to_contain_text(re.compile(r"Dana Datenfrei hat den Vertrag .+ geändert"))
    await expect(entry.locator(".activity-changes li")).to_contain_text(f"Notiz: {old}")
    await expect(entry.locator("ins")).to_have_text(note)
    await expect(entry.get_by_role("link", name="Dana Datenfrei")).to_be_visible()
    await mia.screenshot(path=screenshot_path("activity-feed.png"), full_page=True)

    await entry.get_by_role("button", name="Als geprüft markieren").click()
    await expect(entry).to_contain_text(re.compile(r"Geprüft von Mia \S+ am \d\d\.\d\d\.\d{4}"))
    await expect(entry.get_by_role("button", name="Als ungeprüft markieren")).to_be_focused()
    after = re.compile(rf"^{before - 1} ungeprüft$") if before > 1 else re.compile("^$")
    await expect(mia.locator("#activity-count")).to_have_text(after)

    # a reload shows the same: checked for everyone, no longer among the unchecked
    await mia.reload()
    await expect(mia.locator("article.activity-entry").filter(has_text=note)).to_have_count(0)
    await mia.get_by_role("link", name="Alle", exact=True).click()
    checked = mia.locator("article.activity-entry").filter(has_text=note)
    await expect(checked).to_contain_text("Geprüft von Mia")
