"""The authenticator app in Chromium: a customer sets it up by the key the page shows (as an
app would read it from the QR code), logs out, logs in with password and code, and removes
it again; the admin requires a second factor for all staff, which forces the set-up.

Both journeys end as they began (no factor, no requirement): the demo's logins serve the
other journeys too.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pyotp
import pytest

from tests.browser.conftest import ADMIN, LENA, accept_dialogs, field, log_in, screenshot_path
from tests.browser.test_accessibility import axe_problems, report

async_api = pytest.importorskip("playwright.async_api")
expect = async_api.expect

pytestmark = pytest.mark.browser


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _code(secret: str, steps: int = 0) -> str:
    """What the app shows now, or `steps` 30-second steps later (a code is used only once)."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps)


async def _start(page: Any, password: str) -> None:
    """Start the set-up with the current password (a wrong one first: the message is at the
    field, and nothing starts)."""
    section = page.locator("#totp")
    await field(section, "Aktuelles Passwort").fill("falsch")
    await section.get_by_role("button", name="Authenticator-App einrichten").click()
    error = page.locator("#f-start_password-error")
    await expect(error).to_have_text("Das aktuelle Passwort ist nicht korrekt.")
    password_field = field(page.locator("#totp"), "Aktuelles Passwort")
    await expect(password_field).to_have_attribute("aria-describedby", "f-start_password-error")
    await expect(page.locator("#totp-secret")).to_have_count(0)
    await password_field.fill(password)
    await page.locator("#totp").get_by_role("button", name="Authenticator-App einrichten").click()


async def _set_up_app(page: Any, password: str) -> tuple[str, list[str]]:
    """On "Anmeldung & Sicherheit": start with the password, read the key, confirm; the
    recovery codes."""
    await _start(page, password)
    section = page.locator("#totp")
    await expect(
        section.get_by_role("img", name="QR-Code für die Authenticator-App")
    ).to_be_visible()
    secret = (await page.locator("#totp-secret").inner_text()).replace(" ", "")
    await section.screenshot(path=screenshot_path("totp-setup.png"))
    await field(section, "Code aus der App").fill("000000" if _code(secret) != "000000" else "1")
    await section.get_by_role("button", name="Aktivieren").click()
    await expect(page.locator("#f-code-error")).to_contain_text("Der Code stimmt nicht")
    await field(page.locator("#totp"), "Code aus der App").fill(_code(secret))
    await page.locator("#totp").get_by_role("button", name="Aktivieren").click()
    await expect(page.locator("#totp-enabled")).to_be_visible()
    codes = await page.locator("#recovery-code-list li").all_inner_texts()
    assert len(codes) == 10
    await expect(page.get_by_role("button", name="Drucken")).to_be_visible()
    async with page.expect_download() as download:
        await page.get_by_role("link", name="Als Textdatei herunterladen").click()
    saved = await (await download.value).path()
    assert _read(saved).split() == codes
    await page.get_by_role("link", name="Ich habe die Codes gesichert").click()
    await expect(page.locator("#totp-state")).to_contain_text("An")
    return secret, codes


async def _remove_app(page: Any, password: str, recovery_code: str) -> None:
    await page.goto("/account/security")
    section = page.locator("#totp")
    await section.locator("summary", has_text="Authenticator-App entfernen").click()
    form = page.locator("#totp-disable-form")
    await field(form, "Aktuelles Passwort").fill(password)
    await field(form, "Code aus der App oder Wiederherstellungscode").fill(recovery_code)
    await form.get_by_role("button", name="Authenticator-App entfernen").click()
    await expect(page.locator("#totp-disabled")).to_be_visible()


async def _log_out(page: Any) -> None:
    await page.locator(".logout-form").get_by_role("button", name="Abmelden").click()
    await expect(page).to_have_url(re.compile(r"/login"))


async def test_a_customer_sets_up_the_app_and_logs_in_with_it(contexts) -> None:
    page = await contexts.page()
    accept_dialogs(page)
    await log_in(page, *LENA)
    await page.goto("/account/security")
    secret, codes = await _set_up_app(page, LENA[1])
    await _log_out(page)

    await page.goto("/login")
    await field(page, "Benutzername oder E-Mail").fill(LENA[0])
    await field(page, "Passwort").fill(LENA[1])
    await page.get_by_role("button", name="Anmelden", exact=True).click()
    await expect(page).to_have_url(re.compile(r"/login/second-factor$"))
    code_field = field(page, "Code aus der App")
    await expect(code_field).to_have_attribute("autocomplete", "one-time-code")
    await code_field.fill(_code(secret, 1))  # the set-up used the current one
    await page.get_by_role("button", name="Bestätigen").click()
    await expect(page).to_have_url(re.compile(r"/portal$"))

    await _remove_app(page, LENA[1], codes[0])
    await _log_out(page)
    await log_in(page, *LENA)  # the password alone again
    await expect(page).to_have_url(re.compile(r"/portal$"))


async def test_a_staff_wide_requirement_forces_the_set_up(contexts) -> None:
    page = await contexts.page()
    accept_dialogs(page)
    await log_in(page, *ADMIN)
    await page.goto("/staff/settings")
    section = page.locator("#staff-second-factor")
    await field(section, "Übergangsfrist in Tagen").fill("14")
    await section.get_by_role(
        "button", name="Zweiten Faktor für alle Mitarbeitenden verlangen"
    ).click()
    await expect(page.locator("#staff-factor-saved")).to_be_visible()
    await page.goto("/staff")
    banner = page.locator("#staff-factor-banner")
    await expect(banner).to_contain_text("Ihre Firma verlangt für jede Mitarbeiter-Anmeldung")
    await expect(banner.get_by_role("link", name="Jetzt einrichten")).to_be_visible()

    # No grace left: every staff page leads to the set-up, nothing else is offered.
    await page.goto("/staff/settings")
    await field(page.locator("#staff-second-factor"), "Übergangsfrist in Tagen").fill("0")
    await (
        page.locator("#staff-second-factor")
        .get_by_role("button", name="Übergangsfrist speichern")
        .click()
    )
    await expect(page).to_have_url(re.compile(r"/account/security(#.*)?$"))
    await expect(page.locator("#staff-factor-banner")).to_contain_text("Bitte richten Sie unten")
    await page.goto("/staff/contacts")
    await expect(page).to_have_url(re.compile(r"/account/security(#.*)?$"))
    await expect(page.get_by_role("link", name="Kontakte")).to_have_count(0)

    _secret, codes = await _set_up_app(page, ADMIN[1])
    await page.goto("/staff/contacts")
    await expect(page).to_have_url(re.compile(r"/staff/contacts$"))
    await expect(page.locator("#staff-factor-banner")).to_have_count(0)

    # As it was: no requirement, no app.
    await page.goto("/staff/settings")
    await (
        page.locator("#staff-second-factor")
        .get_by_role("button", name="Nicht mehr verlangen")
        .click()
    )
    await expect(page.locator("#staff-factor-lifted")).to_be_visible()
    await _remove_app(page, ADMIN[1], codes[0])


async def test_the_second_factor_pages_pass_axe(contexts) -> None:
    """Set-up (QR code, key, a refused code), the codes shown once, the login's second step
    with its error, and the settings section with its error: no serious axe violation."""
    page = await contexts.page(bypass_csp=True)  # axe is injected as an inline script
    accept_dialogs(page)
    await log_in(page, *LENA)
    await page.goto("/account/security")
    section = page.locator("#totp")
    await section.get_by_role("button", name="Authenticator-App einrichten").click()
    await expect(page.locator("#f-start_password-error")).to_be_visible()
    problems = await axe_problems(page, "set-up start with an error")
    await field(section, "Aktuelles Passwort").fill(LENA[1])
    await section.get_by_role("button", name="Authenticator-App einrichten").click()
    secret = (await page.locator("#totp-secret").inner_text()).replace(" ", "")
    await field(section, "Code aus der App").fill("000000" if _code(secret) != "000000" else "1")
    await section.get_by_role("button", name="Aktivieren").click()
    await expect(page.locator("#f-code-error")).to_be_visible()
    problems += await axe_problems(page, "set-up with an error")
    await field(page.locator("#totp"), "Code aus der App").fill(_code(secret))
    await page.locator("#totp").get_by_role("button", name="Aktivieren").click()
    codes = await page.locator("#recovery-code-list li").all_inner_texts()
    problems += await axe_problems(page, "recovery codes")
    await _log_out(page)
    await page.goto("/login")
    await field(page, "Benutzername oder E-Mail").fill(LENA[0])
    await field(page, "Passwort").fill(LENA[1])
    await page.get_by_role("button", name="Anmelden", exact=True).click()
    await field(page, "Code aus der App").fill("x")
    await page.get_by_role("button", name="Bestätigen").click()
    await expect(page.locator("#f-code-error")).to_be_visible()
    problems += await axe_problems(page, "second step with an error")
    await page.get_by_role(
        "link", name="Telefon verloren? Mit einem Wiederherstellungscode anmelden"
    ).click()
    await field(page, "Wiederherstellungscode").fill(codes[0])
    await page.get_by_role("button", name="Bestätigen").click()
    await expect(page).to_have_url(re.compile(r"/portal$"))
    await page.goto("/account/security")
    problems += await axe_problems(page, "security page, app on")
    await _remove_app(page, LENA[1], codes[1])

    staff = await contexts.page(bypass_csp=True)
    await log_in(staff, *ADMIN)
    await staff.goto("/staff/settings")
    await field(staff.locator("#staff-second-factor"), "Übergangsfrist in Tagen").fill("91")
    await staff.get_by_role(
        "button", name="Zweiten Faktor für alle Mitarbeitenden verlangen"
    ).click()
    await expect(staff.locator("#f-grace_days-error")).to_be_visible()
    problems += await axe_problems(staff, "settings with an error")
    assert not problems, report(problems)
