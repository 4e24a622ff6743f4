"""Advice cases in Chromium: Mia opens a case on Felix's page, adds a building to it (the
risk form swaps in the building's fields when she picks the product line), types a wrong year
first, and sees the risk with its typed attributes on the case; the "Vorgänge" list and Dana's
demo case are one click from the sidebar."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import MIA, field, htmx_settled, log_in, screenshot_path
from tests.browser.test_accessibility import axe_problems, report

async_api = pytest.importorskip("playwright.async_api")
expect = async_api.expect

pytestmark = pytest.mark.browser


async def test_staff_open_a_case_and_add_a_risk_with_typed_attributes(contexts) -> None:
    page = await contexts.page(bypass_csp=True)  # axe is injected as a script
    await log_in(page, *MIA)
    await page.goto("/staff/contacts?q=Felix")
    await page.get_by_role("link", name=re.compile("Freigeschaltet, Felix")).click()
    await page.locator("#new-case").click()
    await field(page, "Titel").fill("Wohngebäude nach Hauskauf")
    await page.get_by_label("Wohngebäude", exact=True).check()
    await page.get_by_label("Hausrat", exact=True).check()
    await field(page, "Bedarf (Freitext)").fill("Felix hat ein Haus gekauft.")
    await page.get_by_role("button", name="Vorgang anlegen").click()
    await expect(page.locator("main")).to_contain_text("Der Vorgang wurde angelegt.")
    await expect(page.locator("#case-status")).to_have_text("Offen")

    await page.locator("#add-risk").click()
    await expect(page.locator("#risk-line")).to_contain_text("Wohngebäude")
    await htmx_settled(page)  # the boosted page's form listens for the change only then
    await page.get_by_label("Sparte", exact=True).select_option(label="Hausrat")
    await expect(page.locator("#risk-line")).to_contain_text("Hausrat")  # swapped by htmx
    await expect(field(page, "Versicherungssumme (€)")).to_be_visible()
    await page.get_by_label("Sparte", exact=True).select_option(label="Wohngebäude")
    await expect(field(page, "Baujahr")).to_be_visible()
    await field(page, "Bezeichnung des Risikos").fill("Haus Am Weiher 7")
    await field(page, "Anschrift des Gebäudes").fill("Am Weiher 7, 50999 Köln")
    await field(page, "Baujahr").fill("neunzehnhundert")
    await field(page, "Wohnfläche (m²)").fill("142,5")
    await field(page, "Bauartklasse").select_option(label="BAK I")
    await page.get_by_role("button", name="Risiko speichern").click()
    await expect(page.locator("#f-attributes\\.year_built-error")).to_contain_text("ganze Zahl")
    await expect(field(page, "Wohnfläche (m²)")).to_have_value("142,5")  # kept as typed
    await field(page, "Baujahr").fill("1998")
    await page.get_by_role("button", name="Risiko speichern").click()

    risks = page.locator("#case-risks")
    await expect(page.locator("main")).to_contain_text("Das Risiko wurde hinzugefügt.")
    await expect(risks).to_contain_text("Haus Am Weiher 7")
    for label, value in (
        ("Baujahr", "1998"),
        ("Wohnfläche (m²)", "142,5"),
        ("Bauartklasse", "BAK I"),
    ):
        term = risks.locator("dt", has_text=label)
        await expect(term).to_have_count(1)
        await expect(term.locator("xpath=following-sibling::dd[1]")).to_have_text(value)
    await page.screenshot(path=screenshot_path("advice-case.png"), full_page=True)
    problems = await axe_problems(page, "advice case")
    assert not problems, report(problems)

    await page.get_by_role("navigation").get_by_role("link", name="Vorgänge").first.click()
    await expect(page).to_have_url(re.compile(r"/staff/cases$"))
    await expect(page.locator("#case-table")).to_contain_text("Wohngebäude nach Hauskauf")
    await page.get_by_role("link", name="Kfz-Wechsel").click()
    await expect(page.locator("#case-risks")).to_contain_text("VW Golf Variant")
    await expect(page.locator("#case-status")).to_have_text("In Beratung")
