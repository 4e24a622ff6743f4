"""CSV import in a real browser: from the contact list a staff member uploads a broker
system's export (Windows-1252, semicolons), sees the columns chosen and the first rows
checked, starts the import, watches its progress until it is done (the server's own
background loop runs it) and downloads the report. The mapping and the result pages are
swept like every other page (axe, keyboard)."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import anyio
import pytest

from tests.browser.conftest import MIA, log_in
from tests.browser.test_accessibility import axe_problems
from tests.browser.test_ux_sweep import keyboard_problems

async_api = pytest.importorskip("playwright.async_api")
expect = async_api.expect

pytestmark = pytest.mark.browser


def export_file(tmp_path: Path) -> Path:
    """Three customers, the second with a date of birth that does not exist."""
    run = uuid.uuid4().hex[:6]
    rows = [
        "Kundennummer;Vorname;Nachname;Geburtsdatum;E-Mail;Straße;PLZ;Ort",
        f"B-{run}-1;Jürgen;Müller;03.04.1985;mueller-{run}@example.de;Hauptstraße 5;10115;Berlin",
        f"B-{run}-2;Anna;Schmidt;31.02.1990;schmidt-{run}@example.de;Gartenweg 1;20095;Hamburg",
        f"B-{run}-3;Ömer;Öztürk;15.11.1972;oeztuerk-{run}@example.de;Weißdornweg 3;80331;München",
    ]
    path = tmp_path / "bestand.csv"
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode("cp1252"))
    return path


async def test_upload_map_watch_the_progress_and_download_the_report(
    contexts: Any, tmp_path: Path
) -> None:
    page = await contexts.page(bypass_csp=True)  # axe is injected as a script
    await log_in(page, *MIA)
    await page.goto("/staff/contacts")
    await page.locator("#import-link").click()
    await expect(page).to_have_url(re.compile(r"/staff/imports$"))
    await page.locator("#new-import").click()
    await page.get_by_label("Kontakte").check()
    await page.locator("#import-file").set_input_files(str(export_file(tmp_path)))
    await expect(page.locator("#import-file-chosen")).to_have_text("bestand.csv")
    await page.get_by_role("button", name="Hochladen und Spalten zuordnen").click()

    await expect(page).to_have_url(re.compile(r"/staff/imports/\d+/mapping$"))
    await expect(page.locator("#file-facts")).to_contain_text("Windows-1252")
    await expect(page.locator("#map-last_name")).to_have_value("Nachname")
    await expect(page.locator("#preview-table")).to_contain_text("Weißdornweg 3")
    await expect(page.locator("#preview-row-3-errors")).to_contain_text(
        "Geburtsdatum: Bitte ein gültiges Datum eingeben"
    )
    problems = await axe_problems(page, "mapping")
    problems += await keyboard_problems(page, "mapping")

    await page.get_by_role("button", name="Gültige Zeilen importieren").click()
    await expect(page).to_have_url(re.compile(r"/staff/imports/\d+$"))
    # polled every second; the server's background loop picks the job up within seconds
    await expect(page.locator("#import-done")).to_be_visible(timeout=60_000)  # a loaded CI machine
    await expect(page.locator("#count-created")).to_have_text("2")
    await expect(page.locator("#count-failed")).to_have_text("1")
    await expect(page.locator("#import-progress")).to_have_attribute("value", "3")
    # polling ended; waited for, as htmx gives a swapped element its new attributes only when
    # it settles, some milliseconds after the new content shows
    await expect(page.locator("#progress:not([hx-trigger])")).to_have_count(1)
    await expect(page.locator("#failed-row-3")).to_contain_text("Bitte ein gültiges Datum")
    problems += await axe_problems(page, "result")
    problems += await keyboard_problems(page, "result")

    async with page.expect_download() as download_info:
        await page.locator("#report-download").click()
    report = await anyio.Path(await (await download_info.value).path()).read_bytes()
    assert report.startswith(b"\xef\xbb\xbfZeile;Fehler;Kundennummer;")
    assert "Schmidt;31.02.1990" in report.decode("utf-8-sig")

    await page.goto("/staff/contacts?q=Öztürk")
    await expect(page.locator("#contact-table")).to_contain_text("Öztürk, Ömer")
    assert not problems, "\n".join(problems)
