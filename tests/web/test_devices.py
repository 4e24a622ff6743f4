"""'Angemeldete Geräte': a user sees where their login is signed in and ends other sessions;
a sign-in from a new browser is mailed; staff end every session of a colleague or customer."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from tenant_app.models.accounts import Session, User
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant
from tenant_app.queries.sql import database_time
from tenant_app.security import cookies
from tenant_app.services.devices import session_ref
from tenant_app.tenancy import tenant_cache
from tests.conftest import ADMIN_PASSWORD, CUSTOMER_PASSWORD, make_customer, text_of

SECURITY = "/account/security"
END = "/account/security/sessions/end"
END_OTHERS = "/account/security/sessions/end-others"
ALERTS = "/account/security/sessions/alerts"
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15"
    " (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)
ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/124.0.0.0 Mobile Safari/537.36"
)
EDGE = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0"
)
REF_RE = re.compile(r'name="session" value="([0-9a-f]+)"')


def browser(client_for: Any, tenant: Any, user_agent: str) -> Any:
    client = client_for(tenant.hostname)
    client.headers["User-Agent"] = user_agent
    return client


async def signed_in(client_for: Any, tenant: Any, user_agent: str, who: str = "kai") -> Any:
    client = browser(client_for, tenant, user_agent)
    await client.log_in(who, CUSTOMER_PASSWORD if who == "kai" else ADMIN_PASSWORD)
    return client


def session_id_of(client: Any, settings: Any, tenant: Any) -> str:
    raw = client.cookies.get("session")
    secret = cookies.unsign(settings, "session", tenant.tenant.id, raw, max_age=3600)
    assert secret
    return cookies.token_digest(secret)


def is_logged_in(response: Any) -> bool:
    return response.status_code == 200


@pytest.fixture
async def kai(tenant, passwords) -> Any:
    return await make_customer(tenant, passwords)


async def test_the_list_shows_each_signed_in_browser_and_marks_this_one(
    client_for, tenant, kai, settings
) -> None:
    here = await signed_in(client_for, tenant, FIREFOX)
    phone = await signed_in(client_for, tenant, IPHONE)
    idle = await signed_in(client_for, tenant, ANDROID)
    aged = await signed_in(client_for, tenant, EDGE)
    with tenant_scope(tenant.tenant.id):  # past the idle or the absolute limit: gone
        now = await database_time()
        last_seen = now - timedelta(minutes=settings.session_idle_minutes + 1)
        await Session.filter(id=session_id_of(idle, settings, tenant)).update(
            last_seen_at=last_seen
        )
        started = now - timedelta(hours=settings.session_max_hours, minutes=1)
        await Session.filter(id=session_id_of(aged, settings, tenant)).update(created_at=started)

    page = await here.get(SECURITY)
    assert page.status_code == 200
    section = page.text.split('id="devices"', 1)[1]
    current = section.split('id="current-device"', 1)[1].split("</tr>", 1)[0]
    assert "Firefox auf Windows" in current and "Dieses Gerät" in current
    assert "Jetzt aktiv" in current and 'name="session"' not in current  # no button for itself
    assert "Safari auf iPhone" in section and "Chrome auf Android" not in section
    assert "Edge" not in section
    assert "gerade eben" in section  # the phone's last activity, roughly
    assert len(REF_RE.findall(section)) == 1
    assert 'id="end-other-devices"' in section
    for client in (here, phone):  # neither a session's id nor its cookie reaches the page
        assert session_id_of(client, settings, tenant) not in page.text
        assert client.cookies.get("session") not in page.text

    alone = await phone.submit(END_OTHERS, form_page=SECURITY)
    assert alone.status_code == 303
    page = await phone.get(alone.headers["location"])
    assert "Alle anderen Geräte wurden abgemeldet." in page.text
    assert 'id="no-other-devices"' in page.text and "Safari auf iPhone" in page.text


async def test_a_user_logs_out_one_other_device(client_for, tenant, kai) -> None:
    here = await signed_in(client_for, tenant, FIREFOX)
    phone = await signed_in(client_for, tenant, IPHONE)
    tablet = await signed_in(client_for, tenant, ANDROID)
    page = await here.get(SECURITY)
    row = next(r for r in page.text.split("<tr") if "Safari auf iPhone" in r)
    ended = await here.submit(END, {"session": REF_RE.findall(row)[0]}, form_page=SECURITY)
    assert ended.status_code == 303
    page = await here.get(ended.headers["location"])
    assert "Das Gerät wurde abgemeldet." in page.text and "Safari auf iPhone" not in page.text
    assert (await phone.get("/portal")).status_code == 303  # to the login
    assert is_logged_in(await tablet.get("/portal")) and is_logged_in(await here.get("/portal"))


async def test_all_other_devices_end_but_never_this_one(client_for, tenant, kai) -> None:
    here = await signed_in(client_for, tenant, FIREFOX)
    others = [await signed_in(client_for, tenant, ua) for ua in (IPHONE, ANDROID, FIREFOX)]
    ended = await here.submit(END_OTHERS, form_page=SECURITY)
    assert ended.status_code == 303
    for other in others:
        assert (await other.get("/portal")).status_code == 303
    assert is_logged_in(await here.get("/portal"))


async def test_sessions_of_others_and_this_one_cannot_be_named(
    client_for, tenant, other_tenant, kai, settings
) -> None:
    """Another user's session (same tenant or another), made-up names, the session's own id,
    and the current session itself: 404, and nobody is logged out."""
    here = await signed_in(client_for, tenant, FIREFOX)
    admin = await signed_in(client_for, tenant, FIREFOX, who="alpha-admin")
    foreign = browser(client_for, other_tenant, FIREFOX)
    await foreign.log_in("beta-admin")
    victims = [(admin, tenant), (foreign, other_tenant), (here, tenant)]
    names = [session_ref(settings, session_id_of(c, settings, t)) for c, t in victims]
    names += [session_id_of(here, settings, tenant), "0" * 32, ""]
    for name in names:
        refused = await here.submit(END, {"session": name}, form_page=SECURITY)
        assert refused.status_code == 404, name
    for client, path in ((here, "/portal"), (admin, "/staff"), (foreign, "/staff")):
        assert is_logged_in(await client.get(path))


async def test_staff_see_their_own_devices_too(client_for, tenant) -> None:
    desk = await signed_in(client_for, tenant, FIREFOX, who="alpha-admin")
    laptop = await signed_in(client_for, tenant, IPHONE, who="alpha-admin")
    page = await desk.get(SECURITY)
    assert "Safari auf iPhone" in page.text and 'id="current-device"' in page.text
    await desk.submit(END_OTHERS, form_page=SECURITY)
    assert (await laptop.get("/staff")).status_code == 303


async def test_the_sign_in_mail_can_be_turned_off_and_on(client_for, tenant, kai) -> None:
    here = await signed_in(client_for, tenant, FIREFOX)
    page = await here.get(SECURITY)
    assert re.search(r'id="f-login_alerts"[^>]* checked', page.text)
    assert '<label for="f-alerts_password">Aktuelles Passwort' in page.text
    off = await here.submit(ALERTS, {"alerts_password": CUSTOMER_PASSWORD}, form_page=SECURITY)
    assert off.status_code == 303
    page = await here.get(off.headers["location"])
    assert "E-Mails über Anmeldungen von neuen Geräten sind ausgeschaltet." in page.text
    assert not re.search(r'id="f-login_alerts"[^>]* checked', page.text)
    with tenant_scope(tenant.tenant.id):
        assert not (await User.get(contact_id=kai.id)).login_alerts
    again = await here.submit(ALERTS, {}, form_page=SECURITY)  # off already: nothing to prove
    assert again.status_code == 303
    on = await here.submit(ALERTS, {"login_alerts": "on"}, form_page=SECURITY)  # no password
    assert on.status_code == 303
    with tenant_scope(tenant.tenant.id):
        assert (await User.get(contact_id=kai.id)).login_alerts


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Bitte das aktuelle Passwort eingeben."),
        ("falsch", "Das aktuelle Passwort ist nicht korrekt."),
    ],
)
async def test_turning_the_sign_in_mail_off_needs_the_current_password(
    client_for, tenant, kai, typed, message
) -> None:
    """Whoever has only the session must not silence the mails before adding a way in."""
    here = await signed_in(client_for, tenant, FIREFOX)
    refused = await here.submit(ALERTS, {"alerts_password": typed}, form_page=SECURITY)
    assert refused.status_code == 422
    assert f'id="f-alerts_password-error">{message}</p>' in refused.text
    assert not re.search(r'id="f-login_alerts"[^>]* checked', refused.text)  # as the user left it
    with tenant_scope(tenant.tenant.id):
        assert (await User.get(contact_id=kai.id)).login_alerts


# The mail about a new browser.


def _device_mails(messages: list[Any], to: str = "kai@kunde.example") -> list[Any]:
    return [m for m in messages if m["To"] == to and "neuen Gerät" in m["Subject"]]


async def test_a_new_browser_is_mailed_but_not_the_first_nor_a_known_one(
    client_for, tenant, kai, deliver
) -> None:
    first = await signed_in(client_for, tenant, FIREFOX)
    assert _device_mails(await deliver()) == []  # the account's first login

    await signed_in(client_for, tenant, IPHONE)
    mails = _device_mails(await deliver())
    assert len(mails) == 1
    mail = mails[0]
    assert mail["Subject"] == (
        "Ihr Konto bei Alpha Versicherungsmakler GmbH: Anmeldung von einem neuen Gerät"
    )
    text = text_of(mail)
    assert "Guten Tag Kai," in text and "Gerät: Safari auf iPhone" in text
    assert "IP-Adresse:" in text and "Zeit:" in text
    assert re.search(r"https?://alpha\.localhost[^\s]*/account/security", text)

    for _again in range(2):  # the same browser again (a fresh session): known, no mail
        await first.submit("/logout", form_page="/portal")
        await first.log_in("kai", CUSTOMER_PASSWORD)
    assert len(_device_mails(await deliver())) == 1


async def test_no_mail_when_turned_off(client_for, tenant, kai, deliver) -> None:
    here = await signed_in(client_for, tenant, FIREFOX)
    await here.submit(ALERTS, {"alerts_password": CUSTOMER_PASSWORD}, form_page=SECURITY)
    await signed_in(client_for, tenant, IPHONE)
    assert _device_mails(await deliver()) == []


async def test_the_mail_speaks_the_users_language_and_the_tenants_du(
    client_for, tenant, kai, deliver
) -> None:
    await signed_in(client_for, tenant, FIREFOX)
    await Tenant.filter(id=tenant.tenant.id).update(address_form="du")
    tenant_cache.invalidate()
    await signed_in(client_for, tenant, IPHONE)
    with tenant_scope(tenant.tenant.id):
        await User.filter(contact_id=kai.id).update(language="en")
    await signed_in(client_for, tenant, ANDROID)
    german, english = [m for m in await deliver() if m["To"] == "kai@kunde.example"]
    assert german["Subject"].startswith("Dein Konto bei") and "Hallo Kai," in text_of(german)
    assert "Ihr" not in text_of(german).split("--")[0]
    assert english["Subject"].strip().startswith("Your account at")
    assert "Device: Chrome on Android" in text_of(english)


async def test_a_shared_computer_stays_known_for_each_of_its_users(
    client_for, tenant, passwords, kai, deliver
) -> None:
    """Two people on one browser: each is mailed once for it, not at every turn."""
    await make_customer(tenant, passwords, email="lea@kunde.example", first_name="Lea")
    for who in ("kai", "lea"):  # each has signed in somewhere before
        await browser(client_for, tenant, ANDROID).log_in(who, CUSTOMER_PASSWORD)
    shared = browser(client_for, tenant, FIREFOX)
    for _turn in range(3):
        for who in ("kai", "lea"):
            await shared.log_in(who, CUSTOMER_PASSWORD)
            await shared.submit("/logout", form_page="/portal")
    messages = await deliver()
    assert len(_device_mails(messages)) == 1
    assert len(_device_mails(messages, "lea@kunde.example")) == 1


# Staff end every session of a colleague or a customer.


async def _staff(tenant: Any, passwords: Any, username: str, **rights: Any) -> User:
    with tenant_scope(tenant.tenant.id):
        return await User.create(
            kind="staff",
            role="mitarbeiter",
            username=username,
            email=f"{username}@alpha.example",
            first_name=username.title(),
            last_name="Staff",
            password_hash=await passwords.hash(ADMIN_PASSWORD),
            **rights,
        )


async def test_an_admin_ends_every_session_of_a_colleague(client_for, tenant, passwords) -> None:
    sina = await _staff(tenant, passwords, "sina")
    sessions = [await signed_in(client_for, tenant, ua, who="sina") for ua in (FIREFOX, IPHONE)]
    admin = await signed_in(client_for, tenant, FIREFOX, who="alpha-admin")
    page = f"/staff/users/{sina.id}"
    assert 'id="end-sessions"' in (await admin.get(page)).text
    ended = await admin.submit(f"{page}/sessions/end", form_page=page)
    assert ended.status_code == 303
    shown = await admin.get(ended.headers["location"])
    assert "Alle Sitzungen dieses Benutzers wurden beendet." in shown.text
    for session in sessions:
        assert (await session.get("/staff")).status_code == 303
    await sessions[0].log_in("sina", ADMIN_PASSWORD)  # the account itself stays usable


async def test_on_their_own_account_the_session_in_use_stays(client_for, tenant) -> None:
    admin = await signed_in(client_for, tenant, FIREFOX, who="alpha-admin")
    elsewhere = await signed_in(client_for, tenant, IPHONE, who="alpha-admin")
    page = f"/staff/users/{tenant.admin.id}"
    assert "Alle anderen Sitzungen beenden" in (await admin.get(page)).text
    ended = await admin.submit(f"{page}/sessions/end", form_page=page)
    shown = await admin.get(ended.headers["location"])
    assert "Ihre anderen Sitzungen wurden beendet" in shown.text
    assert (await elsewhere.get("/staff")).status_code == 303


async def test_staff_end_every_session_of_a_customer(client_for, tenant, kai) -> None:
    devices = [await signed_in(client_for, tenant, ua) for ua in (FIREFOX, IPHONE)]
    admin = await signed_in(client_for, tenant, FIREFOX, who="alpha-admin")
    page = f"/staff/contacts/{kai.id}"
    assert 'id="end-customer-sessions"' in (await admin.get(page)).text
    ended = await admin.submit(f"{page}/sessions/end", form_page=page)
    assert ended.status_code == 303
    shown = await admin.get(ended.headers["location"])
    assert "Der Kunde wurde auf allen Geräten abgemeldet." in shown.text
    for device in devices:
        assert (await device.get("/portal")).status_code == 303
    assert is_logged_in(await admin.get("/staff"))


async def test_ending_sessions_needs_the_right_and_stays_in_the_tenant(
    client_for, tenant, other_tenant, passwords, kai
) -> None:
    plain = await _staff(tenant, passwords, "paul", sees_all_contacts=True)
    manager = await _staff(tenant, passwords, "mia", manages_users=True)
    kai_device = await signed_in(client_for, tenant, FIREFOX)
    admin = await signed_in(client_for, tenant, FIREFOX, who="alpha-admin")
    foreign = browser(client_for, other_tenant, FIREFOX)
    await foreign.log_in("beta-admin")
    paul = await signed_in(client_for, tenant, FIREFOX, who="paul")
    mia = await signed_in(client_for, tenant, FIREFOX, who="mia")

    attempts = [
        (paul, f"/staff/users/{manager.id}/sessions/end", "/staff", 403),
        (paul, f"/staff/contacts/{kai.id}/sessions/end", f"/staff/contacts/{kai.id}", 403),
        (mia, f"/staff/users/{tenant.admin.id}/sessions/end", "/staff", 403),  # an admin
        (mia, f"/staff/contacts/{kai.id}/sessions/end", "/staff", 404),  # not her contact
        (kai_device, f"/staff/users/{plain.id}/sessions/end", "/portal", 403),
        (admin, f"/staff/users/{other_tenant.admin.id}/sessions/end", "/staff", 404),
        (admin, f"/staff/users/{kai.id}/sessions/end", "/staff", 404),  # not a user id
    ]
    with tenant_scope(tenant.tenant.id):
        kai_user = await User.get(contact_id=kai.id)
    attempts.append((admin, f"/staff/users/{kai_user.id}/sessions/end", "/staff", 404))
    for client, path, form_page, status in attempts:
        response = await client.submit(path, form_page=form_page)
        assert response.status_code == status, path
    for client, path in ((kai_device, "/portal"), (admin, "/staff"), (foreign, "/staff")):
        assert is_logged_in(await client.get(path))
    assert 'id="end-customer-sessions"' not in (await paul.get(f"/staff/contacts/{kai.id}")).text


async def test_contacts_of_another_tenant_are_not_found(
    client_for, tenant, other_tenant, passwords
) -> None:
    theirs = await make_customer(other_tenant, passwords)
    customer = browser(client_for, other_tenant, FIREFOX)
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    admin = await signed_in(client_for, tenant, FIREFOX, who="alpha-admin")
    refused = await admin.submit(f"/staff/contacts/{theirs.id}/sessions/end", form_page="/staff")
    assert refused.status_code == 404
    assert is_logged_in(await customer.get("/portal"))
