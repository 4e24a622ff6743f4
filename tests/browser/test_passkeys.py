"""Passkeys in Chromium with a virtual authenticator (DevTools' WebAuthn domain: CTAP2, built
in, resident keys, user verification): a customer adds one on "Anmeldung & Sicherheit", logs
out and back in without a password; a staff member confirms the password with one; a browser
without WebAuthn is not offered them.

The relying party is the tenant's host, `demo.localhost`: Chromium counts `*.localhost` as a
secure context, so WebAuthn works over plain http there, and the host is its own RP id. Each
journey removes its passkey again, so the demo logins keep logging in with a password alone.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import FELIX, KARLA, PAUL, field, log_in
from tests.browser.test_accessibility import axe_problems, report

async_api = pytest.importorskip("playwright.async_api")
expect = async_api.expect

pytestmark = pytest.mark.browser

VIRTUAL_AUTHENTICATOR = {
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
}


async def with_authenticator(contexts: Any, **options: Any) -> tuple[Any, Any, str]:
    """A page whose browser has a platform authenticator (a phone's or laptop's, simulated)."""
    context = await contexts.new(**options)
    page = await context.new_page()
    devtools = await context.new_cdp_session(page)
    await devtools.send("WebAuthn.enable")
    added = await devtools.send(
        "WebAuthn.addVirtualAuthenticator", {"options": VIRTUAL_AUTHENTICATOR}
    )
    return page, devtools, added["authenticatorId"]


async def add_passkey(page: Any, name: str, password: str) -> Any:
    await page.goto("/account/security")
    section = page.locator("#passkeys")
    form = page.locator("#passkey-add")
    await field(form, "Name des neuen Passkeys").fill(name)
    await field(form, "Aktuelles Passwort").fill(password)
    await section.get_by_role("button", name="Passkey hinzufügen").click()
    await expect(section.locator("#passkey-added")).to_contain_text(f"„{name}“ wurde hinzugefügt")
    return section


async def log_out(page: Any) -> None:
    await page.locator("#sidebar").get_by_role("button", name="Abmelden").click()
    await expect(page).to_have_url(re.compile(r"/login"))


async def remove_passkey(page: Any, name: str, password: str) -> None:
    await page.goto("/account/security")
    row = page.locator("#passkeys tr", has_text=name)
    await row.get_by_text("Entfernen", exact=True).click()
    await field(row, "Aktuelles Passwort").fill(password)
    await row.get_by_role("button", name="Passkey entfernen").click()
    await expect(page.locator("#passkeys")).to_contain_text("Der Passkey wurde entfernt.")


async def test_a_customer_adds_a_passkey_and_logs_in_without_a_password(contexts) -> None:
    page, devtools, authenticator = await with_authenticator(contexts, bypass_csp=True)  # axe
    await log_in(page, *FELIX)
    await page.goto("/account/security")
    await page.get_by_role("button", name="Passkey hinzufügen").click()  # nothing filled in
    form = page.locator("#passkey-add")
    name = field(form, "Name des neuen Passkeys")
    await expect(name).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#passkey-new-name-error")).to_have_text(
        "Bitte dem Passkey einen Namen geben."
    )
    password = field(form, "Aktuelles Passwort")
    await expect(password).to_have_attribute("aria-describedby", "passkey-new-password-error")
    await expect(page.locator("#passkey-new-password-error")).to_have_text(
        "Bitte das aktuelle Passwort eingeben."
    )
    await name.fill("Laptop")
    await password.fill("falsch")  # a wrong password: the browser is not even asked
    await page.get_by_role("button", name="Passkey hinzufügen").click()
    await expect(page.locator("#passkey-new-password-error")).to_have_text(
        "Das aktuelle Passwort ist nicht korrekt."
    )
    await expect(page.locator("#passkey-new-name-error")).to_have_count(0)
    await expect(name).not_to_have_attribute("aria-invalid", "true")
    held = await devtools.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert held["credentials"] == []
    section = await add_passkey(page, "Laptop", FELIX[1])
    codes = section.locator("#passkey-recovery-codes li")
    await expect(codes).to_have_count(10)  # the login's first factor: shown this once
    await expect(section.locator("#passkey-table")).to_contain_text("Laptop")
    await expect(section.get_by_role("button", name="Kopieren")).to_be_visible()
    await expect(section.get_by_role("button", name="Passkey hinzufügen")).to_be_visible()
    problems = await axe_problems(page, "passkeys")
    assert not problems, report(problems)
    held = await devtools.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    [credential] = held["credentials"]
    assert credential["isResidentCredential"] and credential["rpId"] == "demo.localhost"

    await log_out(page)
    await page.get_by_role("button", name="Mit Passkey anmelden").click()
    await expect(page).to_have_url(re.compile(r"/portal$"))
    await page.goto("/account/security")
    row = page.locator("#passkeys tr", has_text="Laptop")
    await expect(row.locator("td").nth(2)).to_have_text(re.compile(r"\d\d\.\d\d\.\d{4}"))

    await remove_passkey(page, "Laptop", FELIX[1])
    await log_out(page)  # still on the device, no longer here: the page says so
    await page.get_by_role("button", name="Mit Passkey anmelden").click()
    await expect(page.locator("#passkey-login [role=alert]")).to_contain_text(
        "nicht (mehr) registriert"
    )
    await expect(page).to_have_url(re.compile(r"/login"))


async def test_a_staff_member_confirms_the_password_with_a_passkey(contexts) -> None:
    page, _devtools, _authenticator = await with_authenticator(contexts)
    await log_in(page, *PAUL)
    await add_passkey(page, "Büro-PC", PAUL[1])
    await log_out(page)
    await field(page, "Benutzername oder E-Mail").fill(PAUL[0])
    await field(page, "Passwort").fill(PAUL[1])
    await page.get_by_role("button", name="Anmelden", exact=True).click()
    await expect(page).to_have_url(re.compile(r"/login/second-factor"))
    await page.get_by_role("button", name="Mit Passkey bestätigen").click()
    await expect(page).to_have_url(re.compile(r"/staff$"))
    await remove_passkey(page, "Büro-PC", PAUL[1])


async def test_a_browser_without_webauthn_is_not_offered_passkeys(contexts) -> None:
    context = await contexts.new()
    await context.add_init_script("delete window.PublicKeyCredential;")
    page = await context.new_page()
    await page.goto("/login")
    await expect(page.get_by_role("button", name="Mit Passkey anmelden")).to_have_count(0)
    await log_in(page, *KARLA)
    await page.goto("/account/security")
    section = page.locator("#passkeys")
    await expect(section.locator("#passkeys-unsupported")).to_be_visible()
    await expect(section.get_by_role("button", name="Passkey hinzufügen")).to_have_count(0)
