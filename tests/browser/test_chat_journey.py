"""The chat in real browsers: a customer on a phone and the office on a desktop, each page
served by another app process on one PostgreSQL database (LISTEN/NOTIFY carries the news).

Felix (demo) asked twice and has no chat operator yet: the admin hears of his messages (and
the chat list open on the admin's screen counts them) until Mia answers first and so becomes
operator; her reply with a PDF reaches Felix's open page live, his messages' marks turn to
"gelesen"; archiving hides the chat from Felix's open page and files a transcript PDF at the
contract chosen under "Zugeordnet zu"."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import ADMIN, MIA, accept_dialogs, field, log_in, screenshot_path
from tests.browser.test_notifications import (  # noqa: F401 - the fixture
    SAME_PAGE,
    STILL_SAME_PAGE,
    read_everything,
    two_processes,
)

async_api = pytest.importorskip("playwright.async_api")
expect = async_api.expect

pytestmark = pytest.mark.browser

FELIX = ("felix", "demo-kunde-2026")
PHONE = {"width": 390, "height": 844}
FOLDERS = ("insurance", "finance", "other", "emergency")


async def write(page: Any, text: str) -> None:
    await field(page, "Nachricht").fill(text)
    await page.get_by_role("button", name="Senden").click()


def message(page: Any, text: str) -> Any:
    return page.locator("#chat-messages .chat-msg").filter(has_text=text)


async def test_customer_and_office_chat_live_across_two_processes(
    two_processes,  # noqa: F811 - first: its servers stop after the pages have closed
    contexts,
    pdf_file,
) -> None:
    office, app = (f"http://demo.localhost:{port}" for port in two_processes)

    admin = await (await contexts.new(base_url=app)).new_page()
    await log_in(admin, *ADMIN)
    await read_everything(admin)
    await admin.goto("/staff/chats")
    felix_row = admin.locator(".chat-list__item").filter(has_text="Felix")
    unread = int((await felix_row.locator(".badge").inner_text()).split()[0])
    await admin.evaluate(SAME_PAGE)

    mia = await (await contexts.new(base_url=office)).new_page()
    accept_dialogs(mia)
    await log_in(mia, *MIA)
    await mia.goto("/staff/chats")
    await mia.locator(".chat-list__item").filter(has_text="Felix").get_by_role("link").click()
    await expect(mia).to_have_url(re.compile(r"/staff/chats/\d+$"))
    await expect(mia.locator("#chat-operator-name")).to_have_text("Kein Chat-Operator")
    await mia.evaluate(SAME_PAGE)

    felix = await (await contexts.new(base_url=app, viewport=PHONE, is_mobile=True)).new_page()
    await log_in(felix, *FELIX)
    await felix.goto("/portal/chat")
    await expect(felix.get_by_role("heading", level=1, name="Chat")).to_be_visible()
    await felix.evaluate(SAME_PAGE)

    # Felix writes: Mia's open page shows it at once; without an operator, the admin hears
    await write(felix, "Ist mein Fahrrad in der Hausratversicherung mitversichert?")
    asked = message(mia, "Fahrrad in der Hausratversicherung")
    await expect(asked).to_be_visible()
    await expect(admin.locator("#bell")).to_have_accessible_name("Benachrichtigungen 1 ungelesen")
    # and the chat list open on the admin's screen counts the new message
    await expect(felix_row.locator(".badge")).to_have_text(re.compile(rf"^{unread + 1}\b"))
    assert await mia.evaluate(STILL_SAME_PAGE) and await admin.evaluate(STILL_SAME_PAGE)

    # Mia answers first, with the policy: she is the operator now, and Felix sees it live
    await mia.locator("#chat-file").set_input_files(str(pdf_file))
    await write(mia, "Ja, bis 1.000 € – die Bedingungen hänge ich an.")
    answer = message(felix, "bis 1.000 €")
    await expect(answer).to_be_visible()
    await expect(answer.get_by_role("link", name="police.pdf")).to_be_visible()
    assert await felix.evaluate(STILL_SAME_PAGE)
    # Mia's page read Felix's question: its mark on his phone says so
    await expect(message(felix, "Fahrrad").locator(".chat-msg__mark")).to_have_text("gelesen")
    await felix.screenshot(path=str(screenshot_path("chat-phone.png")))

    await mia.reload()
    await expect(mia.locator("#chat-operator-name")).to_have_text("Mia Mitarbeiterin")
    await mia.evaluate(SAME_PAGE)

    # From now on only the operator hears: the admin's bell stays quiet
    await read_everything(admin)
    await write(felix, "Danke, dann ist alles klar.")
    await expect(message(mia, "dann ist alles klar")).to_be_visible()
    await expect(admin.locator("#bell")).to_have_accessible_name("Benachrichtigungen")
    await mia.screenshot(path=str(screenshot_path("chat-staff.png")))

    # Mia archives the chat with its transcript at one of Felix's contracts
    contact_path = await mia.locator("#chat-customer").get_attribute("href")
    await mia.locator("#chat-archive").click()
    choice = mia.locator("#f-assigned_to optgroup option").first
    chosen = await choice.get_attribute("value")
    await field(mia, "Zugeordnet zu").select_option(chosen)
    await mia.get_by_role("button", name="Archivieren").click()
    await expect(mia).to_have_url(re.compile(r"/staff/chats\?status=archived"))

    # Felix's open page learns that the chat is gone; reloaded, it is an empty chat again
    await expect(felix.get_by_text("Dieser Chat wurde archiviert.")).to_be_visible()
    await felix.reload()
    await expect(message(felix, "Fahrrad")).to_have_count(0)

    # The transcript lies in one folder of Felix's, at the contract chosen
    found = 0
    for folder in FOLDERS:
        await mia.goto(f"{contact_path}/folders/{folder}")
        found += await mia.get_by_text(re.compile(r"^Chat-Transkript Felix Freigeschaltet")).count()
    assert found == 1, chosen
