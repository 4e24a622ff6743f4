"""The main journeys, clicked through in Chromium the way a person would.

Elements are found by their visible label, role or text (German UI), so a field without a
label fails here. Each journey starts from fresh browser contexts; the server is shared, so
every journey works with its own people or with demo data it does not change for others.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import (
    ADMIN,
    DANA,
    FELIX,
    KARLA,
    LENA,
    MIA,
    NEW_PASSWORD,
    PAUL,
    accept_dialogs,
    field,
    link_from,
    log_in,
    screenshot_path,
    username_from,
)

async_api = pytest.importorskip("playwright.async_api")
expect = async_api.expect

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


class LayoutProblem(AssertionError):
    """Something on a page does not fit or is not where UI.md wants it."""


class SetPasswordRefused(AssertionError):
    """The set-password form (/passwort/<token>) was answered with 403 instead of being handled.

    Chromium sends `Origin: null` and no Referer from that page (it is served with
    `Referrer-Policy: no-referrer`); the CSRF check must accept that via Sec-Fetch-Site.
    """


async def submit_set_password(page, *, keyboard: bool = False) -> int:
    """Send the set-password form (Enter in the PIN field, or a click); the response status."""

    def is_post(response) -> bool:
        return response.request.method == "POST" and "/passwort/" in response.url

    async with page.expect_response(is_post) as answer:
        if keyboard:
            await page.keyboard.press("Enter")
        else:
            await page.get_by_role("button", name="Passwort speichern").click()
    response = await answer.value
    if response.status == 403:
        heading = await page.get_by_role("heading", level=1).inner_text()
        origin = await response.request.header_value("origin")
        raise SetPasswordRefused(
            f"POST {response.url} answered 403 ({heading!r}); the browser sent Origin: {origin}"
        )
    return response.status


async def fill_set_password(page, password: str, pin: str) -> None:
    await field(page, "Neues Passwort").fill(password)
    await field(page, "Neues Passwort wiederholen").fill(password)
    await field(page, "PIN").fill(pin)


async def tab_to(page, target, *, limit: int = 40) -> None:
    """Press Tab until `target` has the focus (as a keyboard user would)."""
    for _ in range(limit):
        if await target.evaluate("element => element === document.activeElement"):
            return
        await page.keyboard.press("Tab")
    raise AssertionError(f"{target} cannot be reached with the Tab key")


async def open_main_nav(page, name: str) -> None:
    await (
        page.get_by_role("navigation", name="Hauptnavigation")
        .get_by_role("link", name=re.compile(rf"^{re.escape(name)}\b"))
        .click()
    )


async def create_staff_user(page, first: str, last: str, email: str, birthdate: str) -> None:
    """As admin: Benutzer → Benutzer erstellen → fill in → save."""
    await open_main_nav(page, "Benutzer")
    await expect(page).to_have_url(re.compile(r"/staff/users$"))
    await page.get_by_role("link", name="Benutzer erstellen").click()
    await expect(page).to_have_url(re.compile(r"/staff/users/new$"))
    await field(page, "Vorname").fill(first)
    await field(page, "Nachname").fill(last)
    await field(page, "E-Mail").fill(email)
    await field(page, "Geburtsdatum").fill(birthdate)
    await field(page, "Rolle").select_option(label="Mitarbeiter")
    await field(page, "Versicherungen").select_option(label="Lesen")
    await page.get_by_role("button", name="Benutzer erstellen").click()
    await expect(page).to_have_url(re.compile(r"/staff/users/\d+\?created=1$"))
    await expect(page.get_by_role("status")).to_contain_text("Der Benutzer wurde angelegt")


# --- journey 2: the admin creates a staff user who registers (keyboard only) and logs in ---


async def test_admin_creates_staff_user_who_registers_and_logs_in(contexts, live_server) -> None:
    admin = await contexts.page()
    await log_in(admin, *ADMIN)
    since = live_server.mail_count()
    await create_staff_user(admin, "Greta", "Grün", "greta@demo.example", "1990-05-06")

    invitation = await live_server.wait_for_mail("greta@demo.example", since=since)
    link = link_from(invitation)
    assert link.startswith(live_server.url("/passwort/"))

    # The set-password page, with the keyboard only: Tab to each labelled field, type, Enter.
    greta = await contexts.page()
    since = live_server.mail_count()
    await greta.goto(link)
    await expect(greta.get_by_role("heading", name="Passwort vergeben")).to_be_visible()
    keys = greta.keyboard
    await tab_to(greta, field(greta, "Neues Passwort"))
    await keys.type(NEW_PASSWORD)
    await keys.press("Tab")
    await expect(field(greta, "Neues Passwort wiederholen")).to_be_focused()
    await keys.type(NEW_PASSWORD)
    await keys.press("Tab")
    await expect(field(greta, "PIN")).to_be_focused()
    await keys.type("06051990")
    assert await submit_set_password(greta, keyboard=True) == 200
    await expect(greta.get_by_role("status")).to_contain_text("Ihr Passwort wurde gespeichert")

    username = username_from(await live_server.wait_for_mail("greta@demo.example", since=since))
    assert username == "greta.gruen"
    await greta.get_by_role("link", name="Zur Anmeldung").click()
    await log_in(greta, username, NEW_PASSWORD)
    await expect(greta).to_have_url(live_server.url("/staff"))
    await expect(greta.get_by_role("heading", name="Willkommen, Greta")).to_be_visible()

    await admin.goto("/staff/users")
    await expect(admin.get_by_role("row", name=re.compile("Greta Grün"))).to_contain_text("Aktiv")


# --- journey 3: staff prepare a customer folder; the customer registers and uses it ---------


async def add_contract(page, folder: str, line: str, number: str) -> None:
    """From the contact page: open the folder tile → Vertrag hinzufügen → save.

    Insurance takes its insurer from the catalogue; a finance contract names any provider."""
    await page.get_by_role("link", name=re.compile(rf"^{folder}\b")).click()
    await expect(page.get_by_role("heading", level=1, name=folder)).to_be_visible()
    await page.get_by_role("main").get_by_role("link", name="Vertrag hinzufügen").first.click()
    await expect(page.get_by_role("heading", level=1, name="Vertrag hinzufügen")).to_be_visible()
    if folder == "Versicherungen":
        await field(page, "Sparte").fill(line)
        insurer = field(page, "Versicherer")
        await insurer.press_sequentially("Condor")
        # The type-ahead fills the datalist; the person then picks the full name.
        condor = "Condor Allgemeine Versicherungs-AG"
        await expect(page.locator(f'#insurer-options option[value="{condor}"]')).to_be_attached()
        await insurer.fill(condor)
        await field(page, "Versicherungsnummer").fill(number)
        await field(page, "Bruttobeitrag je Zahlungsperiode (€)").fill("1.234,56")
    else:
        await field(page, "Produktart").fill(line)
        await field(page, "Anbieter (Bank, Bausparkasse, Fondsgesellschaft)").fill(
            "Wüstenrot Bausparkasse AG"
        )
        await field(page, "Vertragsnummer").fill(number)
        await field(page, "Betrag pro Zahlung (€)").fill("1.234,56")
    await field(page, "Zahlweise").select_option(label="monatlich")
    await page.get_by_role("button", name="Vertrag speichern").click()
    await expect(page.get_by_role("status")).to_contain_text("Der Vertrag wurde hinzugefügt")
    card = page.locator("article", has=page.get_by_role("heading", name=re.compile(line)))
    await expect(card).to_contain_text(number)
    await expect(card).to_contain_text("1.234,56 €")


async def upload_in(scope, page, pdf_file, title: str, summary: str = "Dokument hinzufügen"):
    await scope.get_by_text(summary, exact=True).click()
    await field(scope, "Datei").set_input_files(pdf_file)
    await field(scope, "Titel").fill(title)
    await scope.get_by_role("button", name="Hochladen", exact=True).click()
    await expect(page.get_by_role("status")).to_contain_text("Das Dokument wurde hochgeladen")


async def test_staff_prepare_a_folder_and_the_customer_uses_it(
    contexts, live_server, pdf_file
) -> None:
    mia = await contexts.page()
    accept_dialogs(mia)
    await log_in(mia, *MIA)
    await open_main_nav(mia, "Kontakte")
    await mia.get_by_role("link", name="Kontakt erstellen").first.click()
    await field(mia, "Vorname").fill("Jonas")
    await field(mia, "Nachname").fill("Journey")
    await field(mia, "Geburtsdatum").fill("1985-04-03")
    await field(mia, "E-Mail").fill("jonas@kunde.example")
    await field(mia, "Ort").fill("Köln")
    await mia.get_by_role("button", name="Speichern").click()
    await expect(mia.get_by_role("status")).to_contain_text("Der Kontakt wurde angelegt")
    contact_url = mia.url.split("?")[0]

    await add_contract(mia, "Versicherungen", "Privathaftpflicht", "PH-BROWSER-1")
    broker_contract = mia.locator(
        "article", has=mia.get_by_role("heading", name=re.compile("Privathaftpflicht"))
    )
    await upload_in(broker_contract, mia, pdf_file, "Versicherungsschein PH")
    await expect(broker_contract).to_contain_text("Versicherungsschein PH")
    await (
        mia.get_by_role("navigation", name="Brotkrumennavigation")
        .get_by_role("link", name="Jonas Journey")
        .click()
    )
    await add_contract(mia, "Finanzen", "Bausparen", "BS-BROWSER-2")

    # Freigaben: insurance with data share; finance unlocked but read-only.
    await mia.goto(contact_url)
    await mia.get_by_role("link", name="Freigaben").click()
    await field(mia, "Datenfreigabe – Versicherungen").check()
    await field(mia, "Freischaltung – Finanzen").check()
    await field(mia, "Nur lesen – Finanzen").check()
    await mia.get_by_role("button", name="Freigaben speichern").click()
    saved = mia.get_by_role("status").filter(has_text="Freigaben gespeichert")
    await expect(saved).to_be_visible()
    # Freischaltung + Nur lesen leaves the folder empty for the customer: the page says so
    await expect(mia.locator("#warn-finance")).to_contain_text("bleibt für den Kunden leer")

    await mia.goto(contact_url)
    await mia.get_by_role("button", name="Benutzerkonto erstellen").click()  # confirm: OK
    await expect(mia.get_by_role("status")).to_contain_text("Das Benutzerkonto wurde erstellt")
    since = live_server.mail_count()
    await mia.get_by_role("button", name="Registrierungsmail verschicken").click()
    await expect(mia.get_by_role("status")).to_contain_text("Die Registrierungsmail wurde")

    customer = await contexts.page()
    accept_dialogs(customer)
    link = link_from(await live_server.wait_for_mail("jonas@kunde.example", since=since))
    since = live_server.mail_count()
    await customer.goto(link)
    await fill_set_password(customer, NEW_PASSWORD, "03041985")
    assert await submit_set_password(customer) == 200
    await expect(customer.get_by_role("status")).to_contain_text("Ihr Passwort wurde gespeichert")
    username = username_from(await live_server.wait_for_mail("jonas@kunde.example", since=since))
    await log_in(customer, username, NEW_PASSWORD)
    await expect(customer).to_have_url(live_server.url("/portal"))
    await check_customer_folders(
        customer, own="Privathaftpflicht", document="Versicherungsschein PH", hidden="Bausparen"
    )
    await upload_as_customer_and_check_staff_view(customer, mia, pdf_file, "Jonas Journey")


async def check_customer_folders(page, *, own: str, document: str, hidden: str) -> None:
    """Insurance with data share, finance unlocked + read-only, nothing else shared."""
    tiles = page.locator("#modules")
    await expect(tiles.get_by_role("link", name=re.compile("^Versicherungen"))).to_be_visible()
    await expect(tiles.get_by_role("link", name=re.compile("^Finanzen"))).to_be_visible()
    await expect(tiles.get_by_role("link", name=re.compile("^Sonstige Verträge"))).to_have_count(0)
    await expect(tiles.get_by_role("link", name=re.compile("^Notfall-Ordner"))).to_have_count(0)

    # Data share: the broker's contract with its document, editable and deletable; may add.
    await tiles.get_by_role("link", name=re.compile("^Versicherungen")).click()
    await expect(page.get_by_role("heading", level=1, name="Versicherungen")).to_be_visible()
    contract = page.locator("article", has=page.get_by_role("heading", name=re.compile(own)))
    await expect(contract).to_be_visible()
    await expect(contract.locator(".document-row__title", has_text=document)).to_be_visible()
    await expect(contract.get_by_role("link", name="Bearbeiten")).to_be_visible()
    await expect(contract.get_by_role("button", name="Löschen")).to_be_visible()
    await expect(page.get_by_role("link", name="Vertrag hinzufügen").first).to_be_visible()

    # Unlock + read-only: the broker's contract stays hidden, nothing can be added.
    await (
        page.get_by_role("navigation", name="Hauptnavigation")
        .get_by_role("link", name="Finanzen")
        .click()
    )
    await expect(page.get_by_role("heading", level=1, name="Finanzen")).to_be_visible()
    await expect(page.get_by_text("Sie können diesen Ordner ansehen")).to_be_visible()
    await expect(page.get_by_role("heading", name=re.compile(hidden))).to_have_count(0)
    await expect(page.get_by_role("link", name="Vertrag hinzufügen")).to_have_count(0)
    await expect(page.get_by_role("button", name="Hochladen", exact=True)).to_have_count(0)
    await expect(page.get_by_role("button", name="Löschen")).to_have_count(0)

    # A folder without any flag does not exist for the customer.
    await page.goto("/portal/folders/other")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Seite nicht gefunden")


async def upload_as_customer_and_check_staff_view(customer, staff, pdf_file, name: str) -> None:
    await customer.goto("/portal/folders/insurance")
    # a contract's upload form is fetched when its button opens
    contract = customer.locator(
        "article", has=customer.get_by_role("heading", name=re.compile("Privathaftpflicht"))
    )
    await upload_in(contract, customer, pdf_file, f"Nachweis {name}")
    contract = customer.locator(
        "article", has=customer.get_by_role("heading", name=re.compile("Privathaftpflicht"))
    )
    await expect(contract).to_contain_text(f"Nachweis {name}")
    section = customer.locator("section", has=customer.get_by_role("heading", name="Dokumente"))
    title = f"Foto Schadenmeldung {name}"
    await upload_in(section, customer, pdf_file, title, "Dokument hochladen oder Foto aufnehmen")
    await expect(section).to_contain_text(title)

    await staff.goto("/staff/contacts")
    await field(staff, "Suche nach Name, E-Mail oder Kundennummer").fill(name.split()[0])
    await staff.get_by_role("link", name=re.compile(name.split()[0])).first.click()
    await staff.get_by_role("link", name=re.compile("^Versicherungen")).click()
    entry = staff.get_by_role("listitem").filter(has_text=title)
    await expect(entry).to_be_visible()
    await expect(entry).to_contain_text("vom Kunden")


# --- journey 4: a ticket from the customer, forwarded, answered, closed ---------------------


async def test_ticket_round_trip(contexts, live_server, pdf_file) -> None:
    subject = "Wasserschaden im Keller"
    dana = await contexts.page()
    await log_in(dana, *DANA)
    await dana.locator("#modules").get_by_role("link", name=re.compile("^Kommunikation")).click()
    await expect(dana).to_have_url(re.compile(r"/portal/tickets$"))
    await dana.get_by_role("link", name="Neue Nachricht").first.click()
    await expect(field(dana, "An")).to_have_value(re.compile(r"\d+"))
    await field(dana, "An").select_option(label="Mia Mitarbeiterin")
    await field(dana, "Betreff").fill(subject)
    await field(dana, "Nachricht").fill("Im Keller steht Wasser.\nWas muss ich tun?")
    await field(dana, "Anhang (optional)").set_input_files(pdf_file)
    await dana.get_by_role("button", name="Senden").click()
    await expect(dana).to_have_url(re.compile(r"/portal/tickets/\d+\?created=1$"))
    ticket_url = dana.url.split("?")[0]
    await expect(dana.get_by_role("heading", level=1)).to_have_text(subject)
    await expect(dana.locator("#thread")).to_contain_text("police.pdf")

    mia = await contexts.page()
    accept_dialogs(mia)
    await log_in(mia, *MIA)
    badge = mia.locator("#unread-count")
    await expect(badge).to_have_text(re.compile(r"^[1-9]\d* "))
    await open_main_nav(mia, "Kommunikation")
    await mia.get_by_role("link", name=subject).click()
    await expect(mia.get_by_role("heading", level=1)).to_have_text(subject)
    await expect(mia.locator("#thread")).to_contain_text("Im Keller steht Wasser.")
    forward = mia.locator("form", has=mia.get_by_role("heading", name="An Kollegen weiterleiten"))
    await field(forward, "Kollege/Kollegin").select_option(label="Paul Partner")
    comment = "Kommentar für die Kollegin oder den Kollegen (intern, optional)"
    await field(forward, comment).fill("Bitte übernimm du, Paul.")
    await forward.get_by_role("button", name="Weiterleiten").click()
    await expect(mia).to_have_url(re.compile(r"/staff/tickets\?forwarded=1$"))

    paul = await contexts.page()
    accept_dialogs(paul)
    await log_in(paul, *PAUL)
    await expect(paul.locator("#unread-count")).to_have_text(re.compile(r"^[1-9]\d* "))
    await open_main_nav(paul, "Kommunikation")
    await paul.get_by_role("link", name=subject).click()
    await field(paul, "Neuer Eintrag").fill("Bitte schicken Sie uns Fotos, wir melden den Schaden.")
    await paul.get_by_role("button", name="Senden").click()
    await expect(paul).to_have_url(re.compile(r"/staff/tickets/\d+\?replied=1$"))

    await dana.goto(ticket_url)
    await expect(dana.locator("#thread")).to_contain_text("Bitte schicken Sie uns Fotos")
    history = dana.locator("section", has=dana.get_by_role("heading", name="Historie"))
    await expect(history).to_contain_text("Dana Datenfrei hat das Ticket eröffnet")
    await expect(history).not_to_contain_text("weitergeleitet")  # the office's business
    await expect(dana.locator("main")).not_to_contain_text("Bitte übernimm du, Paul.")
    await expect(history).to_contain_text("Paul Partner hat geantwortet")
    await dana.screenshot(path=screenshot_path("ticket.png"), full_page=True)

    await paul.get_by_role("button", name="Ticket schließen").click()  # confirm: OK
    await expect(paul).to_have_url(re.compile(r"/staff/tickets\?closed=1$"))

    await dana.reload()
    await expect(dana.locator("#ticket-status")).to_have_text("Geschlossen")
    await expect(dana.get_by_text("Dieses Ticket wurde geschlossen")).to_be_visible()
    await expect(field(dana, "Neuer Eintrag")).to_have_count(0)
    await expect(dana.get_by_role("button", name="Senden")).to_have_count(0)
    await expect(history).to_contain_text("Paul Partner hat das Ticket geschlossen")


# --- journey 5: five wrong PINs block the link; a fresh link works ----------------------------


async def test_wrong_pins_block_the_link_and_a_fresh_link_works(contexts, live_server) -> None:
    admin = await contexts.page()
    await log_in(admin, *ADMIN)
    since = live_server.mail_count()
    await create_staff_user(admin, "Pia", "Pinfalsch", "pia@demo.example", "1979-12-24")
    user_url = admin.url.split("?")[0]
    first_link = link_from(await live_server.wait_for_mail("pia@demo.example", since=since))

    person = await contexts.page()
    await person.goto(first_link)
    for left in (4, 3, 2, 1):
        await fill_set_password(person, NEW_PASSWORD, "11111111")
        assert await submit_set_password(person) == 422
        await expect(
            person.get_by_text(re.compile(rf"PIN ist nicht korrekt.*{left}"))
        ).to_be_visible()
    await fill_set_password(person, NEW_PASSWORD, "11111111")
    assert await submit_set_password(person) == 410
    await expect(person.get_by_role("alert")).to_contain_text("zu oft falsch")
    await person.goto(first_link)
    await expect(person.get_by_role("alert")).to_contain_text("gesperrt")
    await expect(field(person, "PIN")).to_have_count(0)

    await admin.goto(user_url)
    since = live_server.mail_count()
    await admin.get_by_role("button", name="Passwort-Mail erneut senden").click()
    await expect(admin.get_by_role("status")).to_contain_text("erneut verschickt")
    fresh_link = link_from(await live_server.wait_for_mail("pia@demo.example", since=since))
    assert fresh_link != first_link

    await person.goto(fresh_link)
    await fill_set_password(person, NEW_PASSWORD, "24121979")
    assert await submit_set_password(person) == 200
    await expect(person.get_by_role("status")).to_contain_text("Ihr Passwort wurde gespeichert")


# --- journey 6: a session cookie of one tenant is worthless on another -----------------------


async def test_session_cookie_does_not_work_on_another_tenant(contexts, live_server) -> None:
    demo = await contexts.new()
    page = await demo.new_page()
    await log_in(page, *LENA)
    await expect(page).to_have_url(live_server.url("/portal"))
    cookies = await demo.cookies()
    assert any(cookie["name"].endswith("session") for cookie in cookies), cookies

    other = await contexts.new("other")
    await other.add_cookies(
        [
            {"name": c["name"], "value": c["value"], "domain": "other.localhost", "path": "/"}
            for c in cookies
        ]
    )
    intruder = await other.new_page()
    await intruder.goto(live_server.url("/portal", "other"))
    await expect(intruder).to_have_url(re.compile(r"^http://other\.localhost:\d+/login"))
    await expect(intruder.get_by_role("heading", level=1)).to_have_text("Anmelden")
    await expect(intruder.get_by_text("Andere Makler KG").first).to_be_visible()
    await expect(intruder.get_by_text("Willkommen")).to_have_count(0)


# --- the customer on a phone ------------------------------------------------------------------


async def test_customer_on_a_phone(contexts, pdf_file) -> None:
    phone = await contexts.page(**PHONE)
    await log_in(phone, *DANA)
    menu = phone.get_by_role("button", name="Menü")
    nav = phone.get_by_role("navigation", name="Hauptnavigation")
    await expect(menu).to_be_visible()
    await expect(menu).to_have_attribute("aria-expanded", "false")
    await expect(nav).not_to_be_in_viewport()
    tiles = phone.locator("#modules .tile")
    first, second = await tiles.nth(0).bounding_box(), await tiles.nth(1).bounding_box()
    assert first and second and second["y"] >= first["y"] + first["height"], "tiles do not stack"

    await menu.tap()
    await expect(menu).to_have_attribute("aria-expanded", "true")
    await expect(nav).to_be_in_viewport()
    await nav.get_by_role("link", name="Versicherungen").tap()
    await expect(phone.get_by_role("heading", level=1, name="Versicherungen")).to_be_visible()
    await expect(menu).to_have_attribute("aria-expanded", "false")
    await expect(nav).not_to_be_in_viewport()  # the menu has slid away again
    await expect(phone.locator("article").first).to_be_visible()
    await phone.screenshot(path=screenshot_path("customer-folder-phone.png"))

    await menu.tap()
    await nav.get_by_role("link", name=re.compile("^Kommunikation")).tap()
    await phone.get_by_role("link", name="Neue Nachricht").first.tap()
    await field(phone, "Betreff").fill("Frage vom Handy")
    await field(phone, "Nachricht").fill("Kurze Frage von unterwegs.")
    await field(phone, "Anhang (optional)").set_input_files(pdf_file)
    await phone.get_by_role("button", name="Senden").tap()
    await expect(phone).to_have_url(re.compile(r"/portal/tickets/\d+\?created=1$"))
    await expect(phone.get_by_role("heading", level=1)).to_have_text("Frage vom Handy")


# --- keyboard only: the new-ticket form -------------------------------------------------------


async def test_new_ticket_with_the_keyboard_only(contexts, pdf_file) -> None:
    page = await contexts.page()
    await log_in(page, *KARLA)
    await page.goto("/portal/tickets/new")
    keys = page.keyboard
    await tab_to(page, field(page, "An"))
    await keys.press("Tab")
    await expect(field(page, "Betreff")).to_be_focused()
    await keys.type("Frage per Tastatur")
    await keys.press("Tab")
    await expect(field(page, "Nachricht")).to_be_focused()
    await keys.type("Erste Zeile")
    await keys.press("Enter")
    await keys.type("Zweite Zeile")
    attachment = field(page, "Anhang (optional)")
    # Playwright subscribes to file choosers without waiting for the answer: started
    # before the Tab key, the subscription is in place when Space opens the chooser.
    async with page.expect_file_chooser() as chooser:
        await keys.press("Tab")
        await expect(attachment).to_be_focused()
        await keys.press("Space")
    await (await chooser.value).set_files(pdf_file)
    await keys.press("Tab")
    await expect(page.get_by_role("button", name="Senden")).to_be_focused()
    await keys.press("Enter")
    await expect(page).to_have_url(re.compile(r"/portal/tickets/\d+\?created=1$"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("Frage per Tastatur")
    await expect(page.locator("#thread")).to_contain_text("Erste Zeile")
    await expect(page.locator("#thread")).to_contain_text("Zweite Zeile")
    await expect(page.locator("#thread")).to_contain_text("police.pdf")


OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll("body *")]
    .filter((el) => el.getBoundingClientRect().right > width + 0.5)
    .map((el) => el.tagName.toLowerCase()
      + (el.className ? "." + el.className.replace(/ /g, ".") : "")
      + " «" + (el.textContent || "").trim().slice(0, 50) + "»");
}"""


async def test_customer_pages_fit_a_phone_screen(contexts) -> None:
    phone = await contexts.page(**PHONE)
    await log_in(phone, *FELIX)
    too_wide = {}
    for path in (
        "/portal",
        "/portal/folders/insurance",
        "/portal/folders/other",
        "/portal/tickets",
        "/portal/tickets/new",
    ):
        await phone.goto(path)
        if elements := await phone.evaluate(OVERFLOW_JS):
            too_wide[path] = elements
    if too_wide:
        raise LayoutProblem(f"wider than the 390 px screen: {too_wide}")


async def test_unread_badge_stays_visible_on_a_phone(contexts) -> None:
    phone = await contexts.page(**PHONE)
    await log_in(phone, *FELIX)  # Paul's answer in his open demo ticket is unread
    badge = phone.locator(".badge", has_text=re.compile(r"^\d+ "))
    await expect(badge.first).to_be_attached()
    try:
        await expect(badge.first).to_be_in_viewport(timeout=2_000)
    except AssertionError as off_screen:
        raise LayoutProblem("the unread badge is not on the phone's screen") from off_screen


async def test_idle_progress_bars_are_hidden(contexts) -> None:
    page = await contexts.page()
    await log_in(page, *KARLA)
    await page.goto("/portal/tickets/new")
    bar = page.locator("progress.progress")
    await expect(bar).to_have_attribute("hidden", "")
    try:
        await expect(bar).to_be_hidden(timeout=2_000)
    except AssertionError as shown:
        raise LayoutProblem("a hidden <progress> bar is displayed") from shown
