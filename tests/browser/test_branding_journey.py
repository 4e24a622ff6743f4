"""Journey 1: an admin brands the tenant; the login page, portal and mails show it at once.

It runs on the second tenant (`other`), so the demo tenant's texts stay as the other
journeys expect them.
"""

from __future__ import annotations

import io

from PIL import Image
from playwright.async_api import expect

from tests.browser.conftest import NEW_PASSWORD, accept_dialogs, field, log_in, screenshot_path

IMPRINT_TEXT = "Andere Makler KG, Hafenstraße 5, 20457 Hamburg"
SIGNATURE_TEXT = "Herzliche Grüße aus Hamburg"


def logo_file(tmp_path) -> str:
    image = Image.new("RGB", (300, 100), "#7a1f5c")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    path = tmp_path / "logo.png"
    path.write_bytes(buffer.getvalue())
    return str(path)


async def write_rich_text(page, label: str, text: str) -> None:
    area = page.get_by_role("textbox", name=label)
    await area.click()
    await page.keyboard.type(text)


async def test_admin_brands_the_tenant_and_the_login_page_shows_it(
    contexts, live_server, tmp_path
) -> None:
    admin = await contexts.page(base_url=live_server.url("", tenant="other"))
    accept_dialogs(admin)
    username, one_time_password = live_server.other_admin
    await log_in(admin, username, one_time_password)
    # The CLI's password is one-time: the first page asks for a password of the admin's own.
    await expect(admin.locator("#password-change-required")).to_be_visible()
    await field(admin, "Aktuelles Passwort").fill(one_time_password)
    await field(admin, "Neues Passwort").fill(NEW_PASSWORD)
    await field(admin, "Neues Passwort wiederholen").fill(NEW_PASSWORD)
    await admin.get_by_role("button", name="Passwort ändern").click()
    await expect(admin.locator("#password-changed")).to_be_visible()
    await admin.get_by_role("link", name="Einstellungen").click()
    await expect(admin.get_by_role("heading", name="Einstellungen").first).to_be_visible()

    await field(admin, "Logo-Datei").set_input_files(logo_file(tmp_path))
    await admin.locator("#logo_panel").get_by_role("button", name="Hochladen").click()
    await expect(admin.locator("#logo-current")).to_be_visible()

    await field(admin, "Hauptfarbe").fill("#7a1f5c")
    await field(admin, "Zweitfarbe").fill("#e0a100")
    await write_rich_text(admin, "Zusatz zum Impressum", IMPRINT_TEXT)
    await write_rich_text(admin, "Zusatz zur Signatur", SIGNATURE_TEXT)
    await admin.locator("#branding-form").get_by_role("button", name="Speichern").last.click()
    await expect(admin.get_by_role("status").first).to_be_visible()

    visitor = await contexts.page(base_url=live_server.url("", tenant="other"))
    await visitor.goto("/login")
    await expect(visitor.locator(".auth-brand img.brand-logo")).to_be_visible()
    primary = await visitor.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--brand-primary').trim()"
    )
    assert primary == "#7a1f5c"
    await visitor.screenshot(path=str(screenshot_path("login-branded.png")))
    await visitor.get_by_role("link", name="Impressum").click()
    await expect(visitor.get_by_text(IMPRINT_TEXT)).to_be_visible()
