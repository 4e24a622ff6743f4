"""The portal as an app in a real Chromium: the manifest is linked, the service worker
registers on the portal (scope: the whole host), the install hint shows on a phone and stays
closed once closed, and the offline page passes axe."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import LENA, log_in
from tests.browser.test_accessibility import axe_problems

async_api = pytest.importorskip("playwright.async_api")

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


async def test_the_portal_installs_as_an_app_on_a_phone(contexts) -> None:
    expect = async_api.expect
    page = await contexts.page(**PHONE)
    await log_in(page, *LENA)
    await page.goto("/portal")
    assert await page.locator('link[rel="manifest"]').get_attribute("href") == (
        "/manifest.webmanifest"
    )
    scope = await page.evaluate("async () => (await navigator.serviceWorker.ready).scope")
    assert scope == contexts.server.url("/")
    # Static files now come from the worker's cache; a page never does.
    cached = await page.evaluate(
        """async () => {
            const keys = [];
            for (const name of await caches.keys()) {
                for (const request of await (await caches.open(name)).keys()) {
                    keys.push(new URL(request.url).pathname);
                }
            }
            return keys;
        }"""
    )
    assert cached and all(
        path.startswith("/static/") or path == "/app/offline" for path in cached
    ), cached
    hint = page.locator("#install-hint")
    await expect(hint).to_be_visible()
    await expect(hint).to_contain_text("Zum Startbildschirm hinzufügen")
    await hint.get_by_role("button", name="Nicht jetzt").click()
    await expect(hint).to_be_hidden()
    await page.reload()
    await expect(page.locator("#main")).to_be_visible()
    await expect(hint).to_be_hidden()
    assert await page.evaluate("localStorage.getItem('install-hint-dismissed')") == "1"


async def test_no_install_hint_on_a_desktop_and_the_offline_page_is_accessible(
    contexts,
) -> None:
    expect = async_api.expect
    page = await contexts.page(bypass_csp=True)  # axe is injected as an inline script
    await log_in(page, *LENA)
    await page.goto("/portal")
    await expect(page.locator("#main")).to_be_visible()
    await expect(page.locator("#install-hint")).to_be_hidden()
    await page.goto("/app/offline")
    await expect(page.get_by_role("heading", name="Keine Verbindung")).to_be_visible()
    assert await axe_problems(page, "offline") == []


async def test_the_notification_page_offers_push_for_this_device(contexts) -> None:
    expect = async_api.expect
    page = await contexts.page(bypass_csp=True, **PHONE)  # axe is injected as an inline script
    await log_in(page, *LENA)
    await page.goto("/account/notifications")
    push = page.locator("#push")
    await expect(push.get_by_role("heading", name="Push-Benachrichtigungen")).to_be_visible()
    await expect(push.get_by_role("button", name="Für dieses Gerät einschalten")).to_be_visible()
    await expect(push.locator("#push-status")).to_have_text(
        "Push-Benachrichtigungen sind für dieses Gerät ausgeschaltet."
    )
    await expect(push.get_by_role("button", name="Für dieses Gerät ausschalten")).to_be_hidden()
    assert await axe_problems(page, "notifications with push") == []


# The browser's push subscription, stood in for (headless Chromium reaches no push service).
_FAKE_SUBSCRIPTION_JS = """(() => {
  const subscription = {
    endpoint: "https://push.example.com/lena-phone",
    unsubscribe: () => {
      sessionStorage.setItem("unsubscribed", "1");
      return Promise.resolve(true);
    }
  };
  const registration = { pushManager: { getSubscription: () => Promise.resolve(subscription) } };
  if (navigator.serviceWorker) {
    navigator.serviceWorker.getRegistration = () => Promise.resolve(registration);
  }
})();"""


async def test_logging_out_ends_this_devices_push_subscription(contexts) -> None:
    expect = async_api.expect
    page = await contexts.page()
    await page.add_init_script(_FAKE_SUBSCRIPTION_JS)
    await log_in(page, *LENA)
    await page.goto("/portal")
    async with page.expect_request(
        lambda request: request.url.endswith("/account/push/off") and request.method == "POST"
    ) as told:
        await page.locator("#sidebar").get_by_role("button", name="Abmelden").click()
    assert (await told.value).post_data_json == {"endpoint": "https://push.example.com/lena-phone"}
    await expect(page).to_have_url(re.compile(r"/login"))
    assert await page.evaluate("sessionStorage.getItem('unsubscribed')") == "1"
    await page.goto("/portal")
    await expect(page).to_have_url(re.compile(r"/login"))  # logged out all the same
