"""An e-bike insured through the insurer's interface, in Chromium, against the reference
insurer (Radschutz) running as its own server.

Anna (the demo's admin) stores the firm's Radschutz login under Onlinekonten and gives Mia a
new agent number. Mia adds Lena's new e-bike to her contact; the reminder asks about insurance;
she applies through every step (the object, its data, the tariff with instant cover, the
lock, the customer's data, the review), sends it, gets the filled application as a PDF naming
Lena, has Lena sign by click, finalizes through the confirmation dialog and finds the policy
documents at the e-bike. Lena sees the new contract in Versicherungen."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from tenant_app.text.formatting import local_today
from tests.browser.conftest import MIA, field, htmx_settled, log_in, screenshot_path
from tests.insurer_service import InsurerService
from tests.pdf_text import pdf_text

async_api = pytest.importorskip("playwright.async_api")
expect = async_api.expect

pytestmark = pytest.mark.browser

AGENT = "VM-10003"
FRAME = "WAW2026LENA"


async def _anna_sets_up_the_account(page: Any) -> None:
    await log_in(page, "admin", "demo-admin-2026")
    await page.goto("/staff/settings/insurer-accounts")
    await page.locator("#account-radschutz-link").click()
    await field(page, "Benutzername").fill("demo-makler")
    await field(page, "Passwort").fill("radschutz-demo")
    await page.locator("#credentials-save").click()
    await expect(page.locator("#credentials-saved")).to_be_visible()
    assert "radschutz-demo" not in await page.content()  # never shown again
    await page.locator("#agents-table tr", has_text="Mia").locator("input").fill(AGENT)
    await page.locator("#agents-save").click()
    await expect(page.locator("#agents-saved")).to_be_visible()


async def _mia_adds_the_ebike(page: Any) -> None:
    await page.goto("/staff/contacts?q=Leser")
    await page.get_by_role("link", name=re.compile("Leser, Lena")).click()
    await page.locator("#new-object").click()
    # The line is Fahrrad already; choosing it still swaps its fields in (a change event
    # each time): what is typed before that swap would be lost, so wait for it.
    async with page.expect_response(re.compile(r"product_line=fahrrad")):
        await page.locator("#line-choice").select_option("fahrrad")
    await expect(page.locator("#object-line")).to_contain_text("Fahrrad und E-Bike")
    await htmx_settled(page)
    await page.locator("#f-attributes\\.object_type").select_option("ebike")
    await field(page, "Hersteller").fill("Gazelle")
    await field(page, "Modell").fill("Ultimate C380")
    await field(page, "Rahmennummer").fill(FRAME)
    await field(page, "Kaufpreis (€)").fill("3.299,00")
    bought = local_today() - timedelta(days=3)
    await field(page, "Kaufdatum").fill(bought.isoformat())
    await page.locator("#object-save").click()
    await expect(page.locator("#insurance-reminder")).to_be_visible()


async def _next(page: Any, title: str) -> None:
    await page.locator("#step-next").click()
    await expect(page.locator("#step-title")).to_have_text(title)


async def _mia_applies(page: Any) -> None:
    await page.locator("#apply-radschutz").click()
    await expect(page.locator("#step-title")).to_have_text("Versicherungsobjekt wählen")
    await expect(page.get_by_label("E-Bike", exact=True)).to_be_checked()
    await _next(page, "Fahrzeugdaten prüfen")
    await expect(field(page, "Rahmennummer")).to_have_value(FRAME)
    await _next(page, "Tarifinformation")
    await expect(page.locator("#application-step")).to_contain_text(re.compile(r"\d+,\d\d\s€"))
    await page.get_by_label("Sofortschutz mitbuchen").check()
    await page.screenshot(path=screenshot_path("application-tariff.png"), full_page=True)
    await _next(page, "Schloss und Leasing")
    await page.get_by_label("Ein zugelassenes Schloss ist vorhanden").check()
    await _next(page, "Kundendaten ergänzen")
    await expect(field(page, "Nachname")).to_have_value("Leser")
    await _next(page, "Antrag prüfen und absenden")
    await expect(page.locator("#application-step")).to_contain_text("Gazelle")
    await page.locator("#submit-application").click()
    await expect(page.locator("#paper-preview")).to_be_visible()


async def _paper_text(page: Any) -> str:
    link = await page.locator("#paper-link").get_attribute("href")
    data = await page.evaluate(
        """async (link) => {
            const answer = await fetch(link);
            return Array.from(new Uint8Array(await answer.arrayBuffer()));
        }""",
        link,
    )
    return pdf_text(bytes(data))


async def _lena_signs_and_mia_finalizes(page: Any) -> None:
    await page.locator("#f-consent").check()
    await page.locator("#f-signer_name").fill("Lena Leser")
    await page.locator("#sign-click").click()
    await expect(page.locator("#signature-note")).to_contain_text("Lena Leser")
    await page.locator("#f-confirm").check()
    await page.locator("#finalize").click()
    dialog = page.get_by_role("dialog", name="Antrag finalisieren")
    await expect(dialog).to_contain_text("Gazelle Ultimate C380")  # what it touches
    await dialog.get_by_role("button", name="Antrag finalisieren").click()
    await expect(page.locator("#object-state")).to_have_text(re.compile("versichert", re.I))
    await expect(page.locator("main")).to_contain_text("Versicherungsschein")
    await expect(page.locator("main")).to_contain_text("Versicherungsbedingungen")


async def test_an_ebike_insured_through_the_interface_from_login_to_policy(
    contexts: Any, insurer_service: InsurerService
) -> None:
    anna = await contexts.page()
    await _anna_sets_up_the_account(anna)
    mia = await contexts.page()
    await log_in(mia, *MIA)
    await _mia_adds_the_ebike(mia)
    await _mia_applies(mia)
    paper = await _paper_text(mia)
    assert "Lena Leser" in paper and FRAME in paper
    sent = [r for r in insurer_service.requests() if r["path"] == "/v1/applications"]
    assert sent and sent[-1]["headers"]["x-agent-number"] == AGENT
    await _lena_signs_and_mia_finalizes(mia)
    await mia.screenshot(path=screenshot_path("insured-ebike.png"), full_page=True)
    lena = await contexts.page()
    await log_in(lena, "lena", "demo-kunde-2026")
    await lena.goto("/portal/folders/insurance")
    await expect(lena.locator("main")).to_contain_text("Radschutz Versicherung AG")
    await expect(lena.locator("main")).to_contain_text("Versicherungsschein")
