"""The trusted person's journey in Chromium, with the demo's Lena and Tom (Lena named Tom for
her emergency folder, seven days' wait): Tom asks, Lena vetoes from her mail's link, Tom asks
again, the seven days pass (moved in the database, not waited for) and Tom reads the folder.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import LENA, MIA, accept_dialogs, field, log_in, screenshot_path
from tests.browser.test_accessibility import axe_problems, report
from tests.conftest import text_of

async_api = pytest.importorskip("playwright.async_api")
expect = async_api.expect

pytestmark = pytest.mark.browser

TOM = ("tom", "demo-kunde-2026")


def _eight_days_pass(live_server, email: str) -> None:
    """Everything of the trusted person so far happened eight days earlier (the server reads
    the same SQLite file; timestamps keep the format the ORM writes)."""
    database = live_server.log_path.parent / "browser.sqlite3"
    with sqlite3.connect(database) as db:
        row = db.execute(
            "SELECT id, requested_at, opens_at FROM trusted_person WHERE email = ?", (email,)
        ).fetchone()
        person_id, *moments = row
        earlier = [(datetime.fromisoformat(m) - timedelta(days=8)).isoformat(" ") for m in moments]
        db.execute(
            "UPDATE trusted_person SET requested_at = ?, opens_at = ? WHERE id = ?",
            (*earlier, person_id),
        )
        for event_id, created in db.execute(
            "SELECT id, created_at FROM trust_event WHERE trusted_person_id = ?", (person_id,)
        ).fetchall():
            moved = (datetime.fromisoformat(created) - timedelta(days=8)).isoformat(" ")
            db.execute("UPDATE trust_event SET created_at = ? WHERE id = ?", (moved, event_id))


async def _ask(tom) -> None:
    await tom.get_by_role("button", name="Zugriff anfragen").click()
    await expect(tom.get_by_role("status").first).to_contain_text("Ihre Anfrage wurde gesendet")


async def test_tom_asks_lena_vetoes_once_then_the_folder_opens_after_the_wait(
    contexts, live_server
) -> None:
    problems: list[str] = []  # axe-core on every page of the journey
    tom = await contexts.page(bypass_csp=True)
    accept_dialogs(tom)
    await log_in(tom, *TOM)
    await tom.goto("/portal")  # a login that is only someone's trusted person lands here
    await expect(tom).to_have_url(re.compile(r"/portal/trust$"))
    await tom.screenshot(path=str(screenshot_path("trusted-home.png")), full_page=True)
    problems += await axe_problems(tom, "trusted person's home")
    await tom.get_by_role("link", name="Notfall-Ordner von Lena Leser").click()
    await expect(tom.locator("#trust-state")).to_contain_text("Sie können Zugriff anfragen")
    problems += await axe_problems(tom, "trusted person's access")
    since = live_server.mail_count()
    await _ask(tom)
    await expect(tom.locator("#trust-state")).to_contain_text("Sie haben am")

    asked = await live_server.wait_for_mail("lena@kunde.example", since=since, subject="Tom Treu")
    veto_link = re.search(r"https?://\S+/portal/trust/persons/\d+", text_of(asked))
    assert veto_link, text_of(asked)
    await live_server.wait_for_mail("mia@demo.example", since=since, subject="Lena Leser")
    lena = await contexts.page(bypass_csp=True)
    accept_dialogs(lena)
    await log_in(lena, *LENA)
    await lena.goto(urlsplit(veto_link.group(0)).path)
    await expect(lena.locator("#trust-state")).to_contain_text("Angefragt am")
    problems += await axe_problems(lena, "trusted person as the customer sees them")
    since = live_server.mail_count()
    await lena.get_by_role("button", name="Widersprechen").click()
    await expect(lena.get_by_role("status").first).to_contain_text("widersprochen")
    await live_server.wait_for_mail("tom@vertrauen.example", since=since, subject="Ihre Anfrage")

    await tom.reload()
    await expect(tom.locator("#trust-state")).to_contain_text("Ihrer letzten Anfrage wurde am")
    await _ask(tom)
    folder = tom.url.split("?")[0] + "/folder"
    answer = await tom.goto(folder)
    assert answer is not None and answer.status == 404  # waiting: no folder yet

    _eight_days_pass(live_server, "tom@vertrauen.example")
    since = live_server.mail_count()
    await tom.goto(folder.removesuffix("/folder"))
    await tom.get_by_role("link", name="Notfall-Ordner öffnen").click()
    await expect(tom.get_by_role("heading", level=1)).to_have_text("Notfall-Ordner von Lena Leser")
    await expect(tom.locator("#contracts")).to_contain_text("Patientenverfügung")
    await expect(tom.locator("#read-only-hint")).to_contain_text("nichts ändern")
    await expect(tom.locator("main form")).to_have_count(0)  # nothing to change here
    async with tom.expect_download() as download:
        await (
            tom.locator("#contracts")
            .get_by_role("link", name=re.compile("Herunterladen"))
            .first.click()
        )
    assert (await download.value).suggested_filename.endswith(".pdf")
    await tom.screenshot(path=str(screenshot_path("trusted-folder.png")), full_page=True)
    problems += await axe_problems(tom, "emergency folder read by the trusted person")
    await live_server.wait_for_mail("tom@vertrauen.example", since=since, subject="Zugriff")

    await lena.goto(lena.url.split("?")[0])  # the page as it stands, without the veto's flash
    trail = lena.locator("#trust-history")
    for line in (
        "Tom Treu hat Zugriff angefragt.",
        "Lena Leser hat der Anfrage widersprochen.",
        "Die Wartezeit ist abgelaufen: Tom Treu hat Zugriff.",
    ):
        await expect(trail).to_contain_text(line)
    await lena.screenshot(path=str(screenshot_path("trusted-person-trail.png")), full_page=True)

    mia = await contexts.page(bypass_csp=True)  # Lena's adviser sees it on her contact page
    await log_in(mia, *MIA)
    await mia.get_by_role("link", name="Kontakte").first.click()
    await mia.wait_for_url(re.compile(r"/staff/contacts$"))  # not a "Leser" link of the home
    await mia.get_by_role("link", name=re.compile("Leser")).first.click()
    section = mia.locator("#trusted")
    await expect(section).to_contain_text("Tom Treu")
    await expect(section).to_contain_text("Zugriff offen")
    await section.get_by_text("Historie").click()
    await expect(section).to_contain_text("Lena Leser hat der Anfrage widersprochen.")
    await section.screenshot(path=str(screenshot_path("trusted-person-staff.png")))
    problems += await axe_problems(mia, "contact page with trusted persons")
    assert not problems, report(problems)


async def test_lena_names_a_trusted_person_with_the_form_and_staff_could_open_on_proof(
    contexts,
) -> None:
    lena = await contexts.page(bypass_csp=True)
    await log_in(lena, *LENA)
    await lena.goto("/portal/folders/emergency")
    await lena.get_by_role("link", name="Vertrauenspersonen").click()
    await lena.get_by_role("link", name="Vertrauensperson hinzufügen").first.click()
    await field(lena, "Vorname").fill("Nina")
    await field(lena, "Nachname").fill("Nah")
    await field(lena, "E-Mail").fill("lena@kunde.example")  # herself: refused
    await field(lena, "Geburtsdatum").fill("1980-02-03")
    await field(lena, "Wartezeit").select_option(label="14 Tage")
    await lena.get_by_role("button", name="Vertrauensperson benennen").click()
    await expect(lena.locator("#f-email-error")).to_contain_text("nicht selbst")
    problems = await axe_problems(lena, "naming form with an error")
    await expect(field(lena, "Vorname")).to_have_value("Nina")
    await field(lena, "E-Mail").fill("nina@nah.example")
    await lena.get_by_role("button", name="Vertrauensperson benennen").click()
    await expect(lena.get_by_role("status").first).to_contain_text("Vertrauensperson ist benannt")
    await expect(lena.locator("#trusted-list")).to_contain_text("Nina Nah")
    problems += await axe_problems(lena, "trusted persons list")

    mia = await contexts.page(bypass_csp=True)  # staff could open it at once on proof
    await log_in(mia, *MIA)
    await mia.get_by_role("link", name="Kontakte").first.click()
    await mia.wait_for_url(re.compile(r"/staff/contacts$"))  # not a "Leser" link of the home
    await mia.get_by_role("link", name=re.compile("Leser")).first.click()
    nina = mia.locator("#trusted article", has_text="Nina Nah")
    await nina.get_by_role("link", name=re.compile("Sofort öffnen")).click()
    await mia.get_by_role("button", name="Jetzt öffnen").click()
    await expect(mia.locator("#f-note-error")).to_be_visible()
    await expect(mia.locator("#f-file-error")).to_be_visible()
    problems += await axe_problems(mia, "open on proof with errors")
    assert not problems, report(problems)
