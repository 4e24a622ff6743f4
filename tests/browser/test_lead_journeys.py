"""Kunde werden in a real browser: Dana's referral link, a prospect filling the public page
(after the time trap's seconds), the opt-in mail and its confirmation page, and Mia (told of
new prospects in the demo) finding it on the bell and making a contact of it."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from tests.browser.conftest import DANA, MIA, field, log_in, screenshot_path
from tests.browser.test_notifications import read_everything
from tests.conftest import text_of

async_api = pytest.importorskip("playwright.async_api")
expect = async_api.expect

pytestmark = pytest.mark.browser

CONFIRM_RE = re.compile(r"https?://\S+/kunde-werden/bestaetigen/[A-Za-z0-9_-]+")


async def referral_link(contexts: Any) -> str:
    dana = await contexts.page()
    await log_in(dana, *DANA)
    await dana.get_by_role("link", name="Empfehlen").first.click()
    await expect(dana.get_by_role("heading", level=1, name="Empfehlen")).to_be_visible()
    link = await dana.locator("#referral-link").input_value()
    assert "/kunde-werden?von=" in link
    return link


async def fill_the_public_page(page: Any, link: str, email: str) -> None:
    await page.goto(link)
    await expect(page.locator("#referred-by")).to_have_text("Empfohlen von Dana D.")
    await field(page, "Vorname").fill("Greta")
    await field(page, "Nachname").fill("Gründlich")
    await field(page, "E-Mail").fill(email)
    await field(page, "Ich interessiere mich für").select_option(label="Hausrat")
    await field(page, "Ihre Nachricht (optional)").fill("Bitte abends anrufen.")
    await page.locator("#f-consent").check()
    await page.wait_for_timeout(3200)  # a person takes longer than the time trap's 3 seconds
    await page.screenshot(path=str(screenshot_path("lead_form.png")), full_page=True)
    await page.get_by_role("button", name="Anfrage senden").click()
    await expect(page.locator("#lead-sent")).to_contain_text(email)


async def test_a_recommended_prospect_becomes_a_contact(contexts, live_server) -> None:
    link = await referral_link(contexts)
    mia = await contexts.page()
    await log_in(mia, *MIA)
    await read_everything(mia)
    bell = mia.locator("#bell")

    prospect = await contexts.page()
    email = f"greta.{uuid.uuid4().hex[:6]}@example.org"
    since = live_server.mail_count()
    await fill_the_public_page(prospect, link, email)
    mail = await live_server.wait_for_mail(email, since=since, subject="Anfrage")
    match = CONFIRM_RE.search(text_of(mail))
    assert match, text_of(mail)
    await prospect.goto(match.group(0))
    await prospect.get_by_role("button", name="Anfrage bestätigen").click()
    await expect(prospect.locator("#lead-confirmed")).to_contain_text("Greta")

    # Mia's open page counts it on the bell; the entry leads to the prospect
    await expect(bell).to_have_accessible_name("Benachrichtigungen 1 ungelesen")
    await bell.click()
    entry = mia.get_by_role("link", name=re.compile("Greta Gründlich möchte Kunde werden"))
    await entry.first.click()
    await expect(mia.locator("#lead-referrer")).to_contain_text("Dana")
    await expect(mia.locator("#lead-consent-text")).to_contain_text("einverstanden")
    await mia.get_by_role("link", name="Als Kontakt anlegen").click()
    await expect(field(mia, "Vorname")).to_have_value("Greta")
    await field(mia, "Geburtsdatum").fill("1988-02-29")
    await mia.get_by_role("button", name="Kontakt speichern").click()
    await expect(mia).to_have_url(re.compile(r"/staff/contacts/\d+\?created=1$"))
    await expect(mia.get_by_role("heading", level=1)).to_contain_text("Gründlich")
    await mia.goto("/staff/interessenten?status=converted")
    await expect(mia.locator("#lead-table")).to_contain_text("Greta Gründlich")
