"""The broker profile in a real browser: the admin fills it on the settings page; Felix's
portal home shows it with the logo, and his advisor Mia with a button that writes to her."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import ADMIN, FELIX, field, log_in, screenshot_path

async_api = pytest.importorskip("playwright.async_api")
expect = async_api.expect

pytestmark = pytest.mark.browser


async def test_the_admin_fills_the_profile_and_the_customer_home_shows_it(contexts) -> None:
    admin = await contexts.page()
    await log_in(admin, *ADMIN)
    await admin.goto("/staff/settings")
    section = admin.locator("#broker-profile")
    await expect(section.get_by_role("heading", name="Maklerprofil")).to_be_visible()
    await field(section, "Firmenname").fill("Muster & Partner Versicherungsmakler")
    await field(section, "Rechtsform").select_option("GmbH")
    await field(section, "Straße und Hausnummer").fill("Hohenzollernring 42")
    await field(section, "PLZ").fill("50672")
    await field(section, "Ort").fill("Köln")
    await field(section, "Telefon").fill("0221 98765-0")
    await field(section, "E-Mail").fill("service@muster-partner.example")
    await field(section, "Öffnungszeiten").fill(
        "Mo–Do 9:00–17:30 Uhr\nFr 9:00–14:00 Uhr\nSamstags nach Vereinbarung"
    )
    register = field(section, "Vermittlerregisternummer")
    await register.fill("D-M7K2-QX4TR")  # one group short
    await section.get_by_role("button", name="Maklerprofil speichern").click()
    await expect(admin.locator("#f-broker_register_number-error")).to_contain_text(
        "D-ABCD-EFGHI-12"
    )
    await expect(field(admin.locator("#broker-profile"), "Ort")).to_have_value("Köln")  # kept
    await field(admin.locator("#broker-profile"), "Vermittlerregisternummer").fill(
        "D-M7K2-QX4TR-58"
    )
    await field(admin.locator("#broker-profile"), "Makler-ID").fill("MP-4711")
    await admin.get_by_role("button", name="Maklerprofil speichern").click()
    await expect(admin.locator("#profile-saved")).to_contain_text("Maklerprofil gespeichert")

    customer = await contexts.page(viewport={"width": 1200, "height": 900})
    await log_in(customer, *FELIX)
    await customer.goto("/portal")
    broker = customer.locator("#broker-card")
    await expect(broker.get_by_role("heading", level=2)).to_have_text(
        "Muster & Partner Versicherungsmakler GmbH"
    )
    await expect(broker.locator("img.broker-card__logo")).to_be_visible()
    await expect(broker.locator("address")).to_have_text(
        re.compile(r"Hohenzollernring 42\s*50672 Köln")
    )
    await expect(broker.get_by_role("link", name="0221 98765-0")).to_have_attribute(
        "href", "tel:0221987650"
    )
    await expect(broker.get_by_role("link", name="service@muster-partner.example")).to_be_visible()
    await expect(broker).to_contain_text("Samstags nach Vereinbarung")
    await expect(broker).to_contain_text("D-M7K2-QX4TR-58")
    await expect(broker).to_contain_text("MP-4711")
    advisor = customer.locator("#advisor-card")
    await expect(advisor.get_by_role("heading", level=2)).to_have_text("Ihr Berater")
    await expect(advisor).to_contain_text("Mia Mitarbeiterin")
    await expect(advisor.get_by_role("link", name="0221 98765-12")).to_be_visible()
    await customer.screenshot(path=str(screenshot_path("broker-profile-home.png")), full_page=True)

    await advisor.get_by_role("link", name="Nachricht schreiben").click()
    await expect(customer.get_by_role("heading", level=1)).to_have_text("Neue Nachricht")
    chosen = customer.get_by_label("An")
    await expect(chosen.locator("option:checked")).to_have_text("Mia Mitarbeiterin")
