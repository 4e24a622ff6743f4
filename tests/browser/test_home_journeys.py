"""The customer's home as an overview, in a real browser on a phone: the advisor Mia puts
her photo on the "Ihr Berater" card; Dana sees it with her open offers, folder tiles with
counts and her premiums. The admin switches the claims module off in the "Kunden-App"
section, and Dana's navigation and home no longer offer claims (and on again).

The broker profile's own journey (the admin fills it, the home shows it with the advisor
card) is tests/browser/test_broker_profile.py."""

from __future__ import annotations

import re

import pytest

from tenant_app.demo.home import portrait_png
from tests.browser.conftest import ADMIN, DANA, MIA, log_in, screenshot_path

async_api = pytest.importorskip("playwright.async_api")
expect = async_api.expect

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 390, "height": 844}}
CLAIMS_LINK = 'a[href="/portal/claims"]'


async def test_the_advisors_photo_and_the_overview_on_the_customers_phone(contexts) -> None:
    mia = await contexts.page()
    await log_in(mia, *MIA)
    await mia.goto("/account/security")
    section = mia.locator("#staff-photo")
    await expect(section.get_by_role("heading", level=2)).to_have_text("Ihr Foto für Kunden")
    await section.get_by_label(re.compile("^Foto")).set_input_files(
        {"name": "mia.png", "mimeType": "image/png", "buffer": portrait_png()}
    )
    await section.get_by_role("button", name="Foto hochladen").click()
    await expect(mia.locator("#photo-saved")).to_contain_text("Foto gespeichert")
    await expect(mia.locator("#own-photo")).to_be_visible()

    dana = await contexts.page(**PHONE)
    await log_in(dana, *DANA)
    await dana.goto("/portal")
    advisor = dana.locator("#advisor-card")
    await expect(advisor).to_contain_text("Mia Mitarbeiterin")
    photo = advisor.locator("#advisor-photo")
    await expect(photo).to_be_visible()
    assert await photo.evaluate("img => img.complete && img.naturalWidth") == 320
    await expect(dana.locator("#tile-insurance .tile__count")).to_have_text(re.compile(r"\d+"))
    await expect(dana.locator("#tile-insurance .tile__meta")).to_contain_text("Verträge")
    premiums = dana.locator("#home-premiums")
    await expect(premiums).to_contain_text("Pro Monat")
    await expect(premiums.locator("#premium-year")).to_have_text(re.compile(r"^[\d.]+,\d\d\s€$"))
    offers = dana.locator("#home-offers")
    if await offers.count():  # the demo's open offers, unless a journey accepted them all
        await expect(offers.locator(".chip--offer").first).to_have_text("Angebot")
        await expect(offers).to_contain_text("Gültig bis")
        await offers.get_by_role("link").first.click()
        await expect(dana).to_have_url(re.compile(r"/portal/folders/insurance"))
        await dana.go_back()
    width = await dana.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the home is {width}px wide on a 390px phone"
    await dana.screenshot(path=str(screenshot_path("portal-home-phone.png")), full_page=True)


async def _save_claims_module(admin, *, on: bool) -> None:
    await admin.goto("/staff/settings")
    section = admin.locator("#customer-app")
    await expect(section.get_by_role("heading", name="Kunden-App")).to_be_visible()
    box = section.get_by_role("checkbox", name=re.compile("Schäden: Kunden melden"))
    await box.set_checked(on)
    await section.get_by_role("button", name="Einstellungen der Kunden-App speichern").click()
    await expect(admin.locator("#portal-app-saved")).to_contain_text("gespeichert")
    await expect(admin.locator("#customer-app #f-module_claims")).to_be_checked(checked=on)


async def test_switching_the_claims_module_off_hides_claims_from_the_customer(contexts) -> None:
    admin = await contexts.page()
    await log_in(admin, *ADMIN)
    dana = await contexts.page(viewport={"width": 1200, "height": 900})
    await log_in(dana, *DANA)
    await dana.goto("/portal")
    await expect(dana.locator(f"nav {CLAIMS_LINK}")).to_have_count(1)
    had_tile = await dana.locator("#tile-claims").count()  # a tile while some claim is open
    try:
        await _save_claims_module(admin, on=False)
        await dana.goto("/portal")
        await expect(dana.locator(f"nav {CLAIMS_LINK}")).to_have_count(0)
        await expect(dana.locator("#tile-claims")).to_have_count(0)
        await expect(dana.locator("#advisor-card")).to_be_visible()  # the rest stays
    finally:
        await _save_claims_module(admin, on=True)  # the session's server is shared
    await dana.goto("/portal")
    await expect(dana.locator(f"nav {CLAIMS_LINK}")).to_have_count(1)
    await expect(dana.locator("#tile-claims")).to_have_count(had_tile)
