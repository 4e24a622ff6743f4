"""A tender in real browsers across two hosts: the broker's office on its portal, the backoffice
on the platform's own host.

Mia opens a commercial case for Hannes Holz (demo) and starts a tender with the line's risk
questions and a document; the risk is frozen (its hash confirmed), and she cannot write before
the backoffice. Bea (the demo's backoffice) finds it in her queue, takes it and asks a
question; Mia answers with an attachment; Bea enters two offers and releases them. Mia sees
them marked as tender offers, compares them (what differs is highlighted), chooses one and gets
the proposal and the cover order as PDFs in the customer's folder: each names the broker firm
and the insurer with their legal form exactly once, the amounts in German format."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tenant_app.demo.tenders import BACKOFFICE_LOGIN
from tests.browser.conftest import MIA, accept_dialogs, field, log_in, screenshot_path
from tests.pdf_text import pdf_text

async_api = pytest.importorskip("playwright.async_api")
expect = async_api.expect

pytestmark = pytest.mark.browser

OFFERS = (
    ("Continentale Sachversicherung", "AG", "1.234,56", "1.000"),
    ("Die Haftpflichtkasse", "VVaG", "1.399,00", "500"),
)


async def _start_tender(page: Any, pdf_file: Path) -> str:
    """Mia's commercial case for Hannes Holz and its tender; the tender page's path."""
    await page.goto("/staff/contacts?q=Holz")
    await page.get_by_role("link", name=re.compile("Holz, Hannes")).click()
    await page.locator("#new-case").click()
    await field(page, "Titel").fill("Cyber-Versicherung Schreinerei")
    await page.get_by_label("Gewerbe", exact=True).check()
    await page.get_by_role("button", name="Vorgang anlegen").click()
    await expect(page.locator("main")).to_contain_text("Der Vorgang wurde angelegt.")
    await page.locator("#tender-start-gewerbe").click()
    await expect(page.locator("#tender-frozen-warning")).to_be_visible()
    await field(page, "Vorschäden in den letzten 5 Jahren").fill("1")
    await field(page, "Jahre und Höhe der Vorschäden").fill("2023: 3.400 €")
    await field(page, "Betriebsart / Tätigkeit").fill("Möbelbau nach Maß, Webshop")
    await field(page, "Das Risiko in eigenen Worten").fill("Kundendaten im Webshop.")
    await page.set_input_files("#f-file", str(pdf_file))
    choice = page.locator("#f-backoffice option", has_text="Nordlicht Assekuranz-Service GmbH")
    await page.locator("#f-backoffice").select_option(await choice.get_attribute("value"))
    await page.locator("#tender-submit").click()
    await expect(page.locator("#tender-confirmation")).to_be_visible()
    await expect(page.locator("#tender-hash")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    return urlsplit(page.url).path


async def _backoffice_asks(page: Any, number: str) -> None:
    await page.goto("/backoffice")
    await page.get_by_role("link", name=number).click()
    await expect(page.locator("#tender-customer")).to_contain_text("Hannes Holz")
    await expect(page.locator("#snapshot-hash")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    await page.locator("#take-tender").click()
    await expect(page.locator("#assignee-name")).to_contain_text("Bea Berger")
    await field(page, "Nachricht an den Makler").fill("Wie viele Kundendatensätze liegen vor?")
    await page.get_by_role("button", name="Senden").click()
    await expect(page.locator("#tender-status")).to_have_text("Wartet auf Makler")


async def _backoffice_offers(page: Any) -> None:
    await expect(page.locator("#thread")).to_contain_text("Etwa 2.000 Datensätze")
    for insurer, form, premium, deductible in OFFERS:
        entry = page.locator("#offer-entry")
        if not await entry.evaluate("details => details.open"):
            await entry.locator("summary").click()
        await field(page, "Versicherer (ohne Rechtsform)").fill(insurer)
        await field(page, "Rechtsform des Versicherers").fill(form)
        await field(page, "Beitrag je Zahlungsperiode (€)").fill(premium)
        await field(page, "Selbstbeteiligung (€)").fill(deductible)
        await page.get_by_role("button", name="Als Entwurf speichern").click()
        await expect(page.locator("main")).to_contain_text("als Entwurf gespeichert")
    for insurer, *_ in OFFERS:
        release = page.get_by_role("button", name=f"Freigeben {insurer}")
        await release.click()
        await expect(release).to_have_count(0)  # released: the page came back without it
    await field(page, "Angefragte Gesellschaften").fill("4")
    await page.locator("#insurers-form").get_by_role("button").click()
    await expect(page.locator("#insurer-count")).to_contain_text("2 von 4")


FETCH_JS = """async (url) => {
  const response = await fetch(url);
  const body = new Uint8Array(await response.arrayBuffer());
  return [response.status, response.headers.get("content-type"), Array.from(body)];
}"""


async def _paper_text(page: Any, link: str) -> str:
    """The PDF behind the link, fetched by the page (with its session), as text."""
    href = await page.locator(link).get_attribute("href")
    status, content_type, body = await page.evaluate(FETCH_JS, href)
    assert status == 200 and content_type.startswith("application/pdf"), (status, content_type)
    return re.sub(r"\s+", " ", pdf_text(bytes(body)))


async def test_a_tender_from_start_to_proposal_and_cover_order(contexts, pdf_file) -> None:
    broker = await contexts.page()
    accept_dialogs(broker)
    await log_in(broker, *MIA)
    tender_path = await _start_tender(broker, pdf_file)
    found = re.search(r"A-\d{5}", await broker.locator("h1").inner_text())
    assert found, await broker.locator("h1").inner_text()
    number = found.group(0)
    await expect(broker.locator("#tender-wait")).to_be_visible()  # the backoffice opens it
    await expect(broker.locator("#tender-message-form")).to_have_count(0)
    await expect(broker.locator("#tender-risk input, #tender-risk textarea")).to_have_count(0)
    await expect(broker.locator("#tender-documents")).to_contain_text(".pdf")

    backoffice = await contexts.page("platform")
    accept_dialogs(backoffice)
    await log_in(backoffice, *BACKOFFICE_LOGIN)
    await _backoffice_asks(backoffice, number)

    await broker.goto(tender_path)
    await expect(broker.locator("#thread")).to_contain_text("Kundendatensätze")
    await field(broker, "Ihre Nachricht").fill("Etwa 2.000 Datensätze, verschlüsselt gesichert.")
    await broker.set_input_files("#f-file", str(pdf_file))
    await broker.get_by_role("button", name="Senden").click()
    await expect(broker.locator("#thread")).to_contain_text("Etwa 2.000 Datensätze")

    await backoffice.reload()
    await _backoffice_offers(backoffice)
    await backoffice.screenshot(path=screenshot_path("backoffice-tender.png"), full_page=True)

    await broker.goto(tender_path)
    await broker.locator("#tender-compare").click()
    table = broker.locator("#compare-table")
    await expect(table).to_contain_text("Continentale Sachversicherung AG")
    await expect(broker.locator("#compare-premium .compare-cell--differs")).to_have_count(2)
    await broker.screenshot(path=screenshot_path("offer-comparison.png"), full_page=True)
    await broker.get_by_role("button", name="Wählen Continentale Sachversicherung AG").click()
    await expect(broker.locator(".offer--tender.offer--chosen")).to_contain_text("Continentale")
    await broker.locator("#make-papers").click()
    await expect(broker.locator("#proposal-link")).to_be_visible()

    proposal = await _paper_text(broker, "#proposal-link")
    cover = await _paper_text(broker, "#cover-order-link")
    for text in (proposal, cover):
        assert text.count("Muster & Partner Versicherungsmakler GmbH") == 1, text
        assert text.count("GmbH GmbH") == 0
        assert text.count("Continentale Sachversicherung AG") == 1, text
        assert "1.234,56 €" in text and number in text
    assert "Hannes Holz" in proposal
