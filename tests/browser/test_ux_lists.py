"""Issue 24 in a real browser: the permission page explains each folder's setting as its
ticks change (and warns on a folder left useless), and choosing a role on the new-user form
fills in that role's usual rights, which stay editable. Nothing is saved: the demo stays.
The dashboard, the lists and the permission page pass axe at desktop width and at 390 px."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import ADMIN, log_in, screenshot_path
from tests.browser.test_accessibility import axe_problems, report


def _expect() -> Any:
    from playwright.async_api import expect

    return expect


async def test_live_permission_words_and_role_presets(contexts) -> None:
    expect = _expect()
    page = await contexts.page()
    await log_in(page, *ADMIN)
    await _permission_words(page, expect)
    await _role_presets(page, expect)


async def _permission_words(page: Any, expect: Any) -> None:
    await page.goto("/staff/contacts?q=Freigeschaltet")
    await page.get_by_role("link", name=re.compile("Freigeschaltet, Felix")).click()
    await expect(page).to_have_url(re.compile(r"/staff/contacts/\d+$"))
    await page.goto(page.url + "/permissions")
    words, warning = page.locator("#explain-insurance"), page.locator("#warn-insurance")
    await expect(words).to_have_text(
        "Der Kunde sieht nur seine eigenen Verträge und darf welche anlegen, ändern und löschen."
    )
    await expect(warning).to_be_hidden()

    await page.get_by_label("Nur lesen – Versicherungen").check()
    await expect(words).to_have_text(
        "Der Kunde sieht nur seine eigenen Verträge und darf nichts anlegen oder ändern."
    )
    await expect(warning).to_be_visible()
    await expect(warning).to_contain_text("bleibt für den Kunden leer")

    await page.get_by_label("Freischaltung – Versicherungen").uncheck()
    await expect(words).to_have_text(
        "Der Kunde sieht Ihre Verträge und seine eigenen und darf nichts anlegen oder ändern."
    )
    await expect(warning).to_be_hidden()
    # the other folders keep their own words
    await expect(page.locator("#explain-emergency")).to_have_text(
        "Der Kunde sieht diesen Ordner nicht."
    )


async def _role_presets(page: Any, expect: Any) -> None:
    await page.goto("/staff/users/new")
    await expect(page.get_by_role("heading", name="Benutzer erstellen")).to_be_visible()
    await expect(page.get_by_role("button", name="Benutzer erstellen")).to_be_visible()
    tickets = page.get_by_label("Bearbeitet Tickets (Kommunikation)")
    insurance = page.locator("#f-access_insurance")
    await expect(tickets).to_be_checked()  # the default role, Employee, starts with its rights
    await expect(insurance).to_have_value("write")

    await page.locator("#f-role").select_option("netzwerkpartner")
    await expect(insurance).to_have_value("read")
    await expect(page.locator("#f-access_other")).to_have_value("none")
    await expect(tickets).not_to_be_checked()

    await page.locator("#f-access_other").select_option("write")  # still editable
    await tickets.check()
    await expect(page.locator("#f-access_other")).to_have_value("write")
    await expect(tickets).to_be_checked()

    await page.locator("#f-role").select_option("experte")
    await expect(page.locator("#f-access_finance")).to_have_value("write")
    await expect(page.locator("#f-access_other")).to_have_value("none")


async def test_dashboard_lists_and_permissions_pass_axe(contexts) -> None:
    expect = _expect()
    page = await contexts.page(bypass_csp=True)  # axe is injected as a script
    await log_in(page, *ADMIN)
    problems: list[str] = []
    for width in (1280, 390):
        await page.set_viewport_size({"width": width, "height": 900})
        await page.goto("/staff")
        await expect(
            page.get_by_role("heading", name="Was Ihre Aufmerksamkeit braucht")
        ).to_be_visible()
        await page.screenshot(path=screenshot_path(f"staff-home-{width}.png"), full_page=True)
        problems += await axe_problems(page, f"staff home {width}")
        await page.goto("/staff/contacts?q=zzzz-nobody")
        await expect(page.locator("#no-contacts")).to_be_visible()
        problems += await axe_problems(page, f"empty contact list {width}")
        await page.goto("/staff/users/new")
        problems += await axe_problems(page, f"new user {width}")
        await page.goto("/staff/contacts?q=Datenfrei")
        await page.get_by_role("link", name=re.compile("Datenfrei, Dana")).click()
        await expect(page.locator("#level-finance")).to_contain_text("Freischaltung + Nur lesen")
        await page.goto(page.url + "/permissions")
        await expect(page.locator("#warn-finance")).to_be_visible()  # unlock + read-only
        await page.screenshot(path=screenshot_path(f"permissions-{width}.png"), full_page=True)
        problems += await axe_problems(page, f"permissions {width}")
    assert not problems, report(problems)
