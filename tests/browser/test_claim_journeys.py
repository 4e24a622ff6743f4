"""Claims (Schäden) in a real browser: a customer on a phone reports a loss with two photos
from the camera roll; the responsible staff member finds it first in the claims list (newest
report first) and sees the photos as thumbnails."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from PIL import Image

from tests.browser.conftest import FELIX, MIA, field, log_in, screenshot_path

async_api = pytest.importorskip("playwright.async_api")
expect = async_api.expect

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def _photos(tmp_path: Path) -> list[str]:
    paths = []
    for name, colour in (("wasser-kueche.jpg", "steelblue"), ("wasser-boden.jpg", "sienna")):
        buffer = io.BytesIO()
        Image.new("RGB", (1200, 900), colour).save(buffer, "JPEG")
        path = tmp_path / name
        path.write_bytes(buffer.getvalue())
        paths.append(str(path))
    return paths


async def test_a_customer_reports_a_claim_on_a_phone_and_staff_find_it_first(
    contexts, tmp_path
) -> None:
    phone = await contexts.page(**PHONE)
    await log_in(phone, *FELIX)
    await phone.goto("/portal/claims")
    await phone.get_by_role("link", name="Schaden melden").first.click()
    await expect(phone.get_by_role("heading", name="Schaden melden")).to_be_visible()
    await field(phone, "Was ist passiert?").select_option(label="Hausrat")
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    await field(phone, "Schadendatum").fill(yesterday)
    await field(phone, "Ort").fill("Küche, Ringstraße 5")
    await field(phone, "Beschreibung").fill("Die Spülmaschine ist ausgelaufen.")
    await field(phone, "Fotos und Dokumente").set_input_files(_photos(tmp_path))
    chosen = phone.locator("#claim-files-chosen")
    await expect(chosen).to_contain_text("wasser-kueche.jpg")
    width = await phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the form is {width}px wide on a 390px phone"
    await phone.screenshot(path=screenshot_path("claim-report-phone.png"), full_page=True)
    await phone.get_by_role("button", name="Schaden melden").click()
    await expect(phone.locator("#claim-reported")).to_be_visible()
    number = (await phone.locator("#claim-number").inner_text()).strip()
    assert re.fullmatch(r"S-\d{4}-\d{4}", number)
    await expect(phone.locator("#claim-status")).to_have_text("Gemeldet")
    await expect(phone.locator("#claim-photos img")).to_have_count(2)
    loaded = "img => img.complete && img.naturalWidth > 0"  # waited for: a thumbnail may still load
    for image in await phone.locator("#claim-photos img").all():
        await phone.wait_for_function(loaded, arg=await image.element_handle())
    await phone.screenshot(path=screenshot_path("claim-detail-phone.png"), full_page=True)

    office = await contexts.page()
    await log_in(office, *MIA)
    await office.goto("/staff/claims")
    first = office.locator("#claim-table tbody tr").first
    await expect(first).to_contain_text(number)
    await expect(first).to_contain_text("Gemeldet")
    await first.get_by_role("link", name=number).click()
    await expect(office.locator("#claim-photos img")).to_have_count(2)
    await expect(office.locator("#claim-description")).to_contain_text("Spülmaschine")
    await office.screenshot(path=screenshot_path("claim-staff.png"), full_page=True)
