"""'Angemeldete Geräte' in Chromium: a customer signed in on a laptop and a phone is mailed
about the phone, sees both on "Anmeldung & Sicherheit" and logs the phone out from the laptop
through the product's confirmation dialog."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import KARLA, accept_dialogs, log_in
from tests.conftest import text_of

async_api = pytest.importorskip("playwright.async_api")
expect = async_api.expect

pytestmark = pytest.mark.browser

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15"
    " (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)


async def test_a_customer_logs_out_their_phone_from_the_laptop(contexts, live_server) -> None:
    laptop = await contexts.page()
    await log_in(laptop, *KARLA)
    since = live_server.mail_count()
    phone = await contexts.page(user_agent=IPHONE, viewport={"width": 390, "height": 844})
    await log_in(phone, *KARLA)
    mail = await live_server.wait_for_mail(
        "karla@kunde.example", since=since, subject="Anmeldung von einem neuen Gerät"
    )
    assert "Gerät: Safari auf iPhone" in text_of(mail)

    accept_dialogs(laptop)
    await laptop.goto("/account/security")
    devices = laptop.locator("#devices")
    await expect(devices.locator("#current-device")).to_contain_text("Dieses Gerät")
    row = devices.locator("tr", has_text="Safari auf iPhone")
    await row.get_by_role("button", name="Abmelden").click()
    await expect(devices).to_contain_text("Das Gerät wurde abgemeldet.")
    await expect(devices).not_to_contain_text("Safari auf iPhone")

    await phone.goto("/portal")
    await expect(phone).to_have_url(re.compile(r"/login"))
    await laptop.goto("/portal")
    await expect(laptop).to_have_url(re.compile(r"/portal$"))
