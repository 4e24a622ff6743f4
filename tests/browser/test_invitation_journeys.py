"""Inviting contacts from the list, clicked through in Chromium: three chosen (one without an
e-mail address, filled in in the dialog; one with a login, skipped), only the recommended
categories shared, with Du; each invited one gets a Du mail, and after registering sees
exactly the shared documents."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import (
    ADMIN,
    NEW_PASSWORD,
    accept_dialogs,
    field,
    link_from,
    log_in,
    username_from,
)
from tests.browser.test_accessibility import axe_problems, report
from tests.browser.test_journeys import fill_set_password, submit_set_password
from tests.conftest import text_of

async_api = pytest.importorskip("playwright.async_api")
expect = async_api.expect

pytestmark = pytest.mark.browser

NINA, OTTO = "nina.neu@example.org", "otto.ohnemail@example.org"


async def test_bulk_invitation_with_du_and_the_customer_sees_the_shared_documents(
    contexts, live_server
) -> None:
    staff = await contexts.page(bypass_csp=True)  # for axe on the report
    accept_dialogs(staff)
    await log_in(staff, *ADMIN)
    await staff.goto("/staff/contacts?sort=name")
    for name in ("Neu, Nina", "Ohnemail, Otto", "Datenfrei, Dana"):
        await staff.get_by_label(f"{name} auswählen").check()
    await staff.get_by_role("button", name="Ausgewählte einladen").click()

    await expect(staff.get_by_role("heading", name="Zum Portal einladen")).to_be_visible()
    await expect(staff.locator("#has-login")).to_contain_text("Datenfrei, Dana")
    await expect(field(staff, "Police")).to_be_checked()  # recommended: preselected
    await expect(field(staff, "Schriftverkehr")).not_to_be_checked()
    await field(staff, "E-Mail von Ohnemail, Otto").fill("otto@@kaputt")
    await staff.get_by_label("Persönlich (Du)").check()
    await staff.get_by_role("button", name="Einladungen verschicken").click()
    error = staff.locator(f"#{await _email_field_id(staff)}-error")
    await expect(error).to_contain_text("gültige E-Mail")  # nothing sent: fix it
    await expect(staff.get_by_label("Persönlich (Du)")).to_be_checked()  # the choice stays
    since = live_server.mail_count()
    await field(staff, "E-Mail von Ohnemail, Otto").fill(OTTO)
    await staff.get_by_role("button", name="Einladungen verschicken").click()

    await expect(staff.locator("#invitations-done")).to_be_visible(timeout=30_000)
    await expect(staff.locator("#count-invited")).to_have_text("2")
    await expect(staff.locator("#count-skipped")).to_have_text("1")
    await expect(staff.locator("#invitation-report")).to_contain_text("bereits einen Zugang")
    assert not (problems := await axe_problems(staff, "invitation report")), report(problems)

    nina_mail = await live_server.wait_for_mail(NINA, since=since)
    otto_mail = await live_server.wait_for_mail(OTTO, since=since)
    for mail in (nina_mail, otto_mail):
        text = text_of(mail).split("\n-- ")[0]  # the tenant's own signature is its text
        assert "dein" in text and not re.search(r"\b(Sie|Ihr|Ihre|Ihnen)\b", text), text
        assert "/portal/documents/" in text  # the first information

    customer = await contexts.page()
    accept_dialogs(customer)
    since = live_server.mail_count()
    await customer.goto(link_from(nina_mail))
    await fill_set_password(customer, NEW_PASSWORD, "29021988")
    assert await submit_set_password(customer) == 200
    username = username_from(await live_server.wait_for_mail(NINA, since=since))
    await log_in(customer, username, NEW_PASSWORD)
    await customer.goto("/portal/folders/insurance")
    main = customer.get_by_role("main")
    await expect(main.locator(".document-row__title")).to_have_text(
        [re.compile("^Police Hausrat Neu")]
    )
    await expect(main).not_to_contain_text("Schreiben zur Beratung")
    await customer.goto("/portal/folders/other")
    await expect(main.locator(".document-row__title")).to_have_text(
        [re.compile("^Erstinformation für Kunden")]
    )

    contact_page = staff.get_by_role("link", name="Neu, Nina")
    await contact_page.click()
    panel = staff.locator("#invitation-panel")
    await expect(panel.locator("#registered-at")).not_to_contain_text("noch nicht")


async def _email_field_id(page) -> str:
    """The id of the e-mail field the dialog shows for Otto (it carries his contact id)."""
    found = await field(page, "E-Mail von Ohnemail, Otto").get_attribute("id")
    assert found
    return found
