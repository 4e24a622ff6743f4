"""Offers in Chromium: Dana finds her broker's offers at the top of her insurance folder,
accepts one after reading what she accepts (the receipt PDF appears with the contract) and
asks about another; Mia reads of the acceptance in her notifications and finds the question
as a ticket linked to the offer."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import DANA, MIA, field, log_in, screenshot_path
from tests.browser.test_accessibility import axe_problems, report

async_api = pytest.importorskip("playwright.async_api")
expect = async_api.expect

pytestmark = pytest.mark.browser

ACCEPTED, ASKED = "ANG-2026-101", "ANG-2026-102"  # tenant_app/demo/offers.py


async def test_customer_accepts_an_offer_and_asks_about_another(contexts) -> None:
    dana = await contexts.page(bypass_csp=True, viewport={"width": 390, "height": 844})
    await log_in(dana, *DANA)
    await dana.goto("/portal/folders/insurance")
    cards = dana.locator("#contracts article.contract")
    await expect(cards.first).to_have_class(re.compile("contract--offer"))
    offer = dana.locator("article.contract--offer", has_text=ACCEPTED)
    await offer.get_by_role("link", name="Ansehen und annehmen").click()
    await expect(dana.get_by_role("heading", level=1)).to_have_text("Angebot annehmen")
    text = dana.locator("#offer-text")
    await expect(text).to_contain_text("Ich nehme das folgende Angebot an")
    await expect(text).to_contain_text(ACCEPTED)
    await expect(text).to_contain_text("6,90 € monatlich")
    problems = await axe_problems(dana, "offer confirmation")
    assert not problems, report(problems)
    await dana.screenshot(path=screenshot_path("offer-accept.png"), full_page=True)
    await dana.get_by_role("button", name="Angebot jetzt annehmen").click()
    await expect(dana).to_have_url(re.compile(r"/portal/folders/insurance"))
    await expect(dana.get_by_role("main")).to_contain_text("Sie haben das Angebot angenommen")
    accepted = dana.locator("article.contract", has_text=ACCEPTED)
    await expect(accepted).not_to_have_class(re.compile("contract--offer"))
    await expect(accepted).to_contain_text("Annahme des Angebots")  # the receipt, filed there

    other = dana.locator("article.contract--offer", has_text=ASKED)
    await other.get_by_role("link", name="Frage stellen").click()
    await expect(field(dana, "Betreff")).to_have_value(re.compile("Frage zum Angebot"))
    await field(dana, "Nachricht").fill("Gilt der Rechtsschutz auch für meinen Mietvertrag?")
    await dana.get_by_role("button", name="Senden").click()
    await expect(dana).to_have_url(re.compile(r"/portal/tickets/\d+"))

    mia = await contexts.page(bypass_csp=True)
    await log_in(mia, *MIA)
    await mia.goto("/account/notifications")
    await expect(mia.get_by_role("main")).to_contain_text("hat das Angebot")
    await expect(mia.get_by_role("main")).to_contain_text("angenommen")
    await mia.goto("/staff/tickets?scope=all")
    await mia.get_by_role("link", name=re.compile("Frage zum Angebot Rechtsschutz")).first.click()
    link = mia.locator("#ticket-offer-link")
    await expect(link).to_contain_text("Rechtsschutz")
    await link.click()
    await expect(mia.locator("main")).to_contain_text(ASKED)


async def test_customer_requests_an_offer_and_staff_see_it(contexts) -> None:
    felix = await contexts.page(bypass_csp=True, viewport={"width": 390, "height": 844})
    await log_in(felix, "felix", DANA[1])
    await felix.goto("/portal/offers")
    await felix.get_by_role("link", name="Angebot anfragen").first.click()
    await field(felix, "Wofür soll das Angebot sein?").select_option("hausrat")
    await felix.get_by_role("button", name="Senden").click()
    await expect(felix.locator("#f-description-error")).to_be_visible()
    await field(felix, "Was brauchen Sie? Eine kurze Beschreibung").fill("Umzug in 80 qm")
    await felix.get_by_role("button", name="Senden").click()
    await expect(felix.get_by_role("main")).to_contain_text("Vielen Dank! Ihre Anfrage")
    mia = await contexts.page(bypass_csp=True)
    await log_in(mia, *MIA)
    await mia.goto("/staff/offer-requests")
    row = mia.locator("#offer-request-table tr", has_text="Umzug in 80 qm")
    await expect(row).to_have_count(1)
    problems = await axe_problems(mia, "offer requests")
    assert not problems, report(problems)
