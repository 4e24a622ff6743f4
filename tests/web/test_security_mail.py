"""The mail about a change to a login's security, as the user receives it (the real SMTP
server): one per change, naming it, with the link to "Anmeldung & Sicherheit", also while the
sign-in mails are off; and the warning after five wrong second-factor codes in a row.

Each change that adds a way in asks for the current password first; the wrong ones count
together, on whichever form they were typed."""

from __future__ import annotations

import re
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import pytest

from tenant_app.models.accounts import User
from tenant_app.models.factors import Passkey, TotpFactor
from tenant_app.models.scoping import tenant_scope
from tenant_app.queries.sql import unscoped
from tenant_app.security import totp
from tenant_app.services.password_check import CHANGE_PER_ACCOUNT
from tests.conftest import ADMIN_PASSWORD, CUSTOMER_PASSWORD, link_in, make_customer, text_of
from tests.web.test_passkeys import add_passkey, post_json
from tests.web.test_totp import SECOND_STEP, SECURITY, Clock, enrol_totp, password_step
from tests.web.test_totp_staff import KAI_PIN, NEW_PASSWORD, _kai_with_birthdate
from tests.webauthn_authenticator import SoftAuthenticator

KAI = "kai@kunde.example"
FIRM = "Alpha Versicherungsmakler GmbH"
ALERTS = "/account/security/sessions/alerts"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    made = Clock()
    monkeypatch.setattr(totp, "current_time", lambda: made.now)
    return made


@pytest.fixture
async def kai(tenant, passwords, client_for) -> Any:
    """A logged-in customer whose browser can hold passkeys."""
    await make_customer(tenant, passwords, communication=True)
    client = client_for(tenant.hostname)
    await client.log_in("kai", CUSTOMER_PASSWORD)
    client.device = SoftAuthenticator(f"http://{tenant.hostname}")
    return client


def subject(mail: EmailMessage) -> str:
    """As a mail program shows it (a long header comes folded over lines)."""
    return " ".join(str(mail["Subject"]).split())


def changes(messages: list[EmailMessage], to: str = KAI) -> list[str]:
    """What the security mails to `to` name, in order (the subject after the firm)."""
    prefix = f"Ihr Konto bei {FIRM}: "
    return [
        subject(m).removeprefix(prefix)
        for m in messages
        if m["To"] == to and "/account/security" in text_of(m) and "neuen Gerät" not in subject(m)
    ]


def body(mail: EmailMessage) -> str:
    return text_of(mail).replace("\r\n", "\n")


def security_mail(messages: list[EmailMessage], change: str, to: str = KAI) -> EmailMessage:
    [mail] = [m for m in messages if m["To"] == to and subject(m).endswith(change)]
    return mail


async def test_the_authenticator_app_is_told_when_on_off_and_with_new_codes(
    tenant, kai, clock, deliver
) -> None:
    # The sign-in mails off first (as a hijacker would): the security mails come regardless.
    off = await kai.submit(ALERTS, {"alerts_password": CUSTOMER_PASSWORD}, form_page=SECURITY)
    assert off.status_code == 303
    secret, codes = await enrol_totp(kai, clock)
    clock.tick()
    renewed = await kai.submit(
        f"{SECURITY}/totp/recovery-codes",
        {"regenerate_code": clock.code(secret)},
        form_page=SECURITY,
    )
    assert renewed.status_code == 200
    clock.tick()
    removed = await kai.submit(
        f"{SECURITY}/totp/disable",
        {"disable_password": CUSTOMER_PASSWORD, "disable_code": clock.code(secret)},
        form_page=SECURITY,
    )
    assert removed.status_code == 303
    messages = await deliver()
    assert changes(messages) == [
        "E-Mails über neue Anmeldungen ausgeschaltet",
        "Authenticator-App eingeschaltet",
        "Neue Wiederherstellungscodes erstellt",
        "Authenticator-App entfernt",
    ]
    text = body(security_mail(messages, "Authenticator-App eingeschaltet"))
    assert "Guten Tag Kai," in text and "Authenticator-App eingeschaltet\nZeit: " in text
    assert re.search(
        r"Anmeldung & Sicherheit: https?://alpha\.localhost[^\s]*/account/security", text
    )
    assert "Wenn Sie es nicht waren" in text and "wenden Sie sich an uns" in text
    assert not any(code in text for code in codes)  # never a secret in a mail


async def test_a_refused_change_changes_nothing_and_mails_nothing(tenant, kai, deliver) -> None:
    wrong = {"start_password": "falsch"}
    assert (
        await kai.submit(f"{SECURITY}/totp/start", wrong, form_page=SECURITY)
    ).status_code == 422
    body = {"name": "Laptop", "current_password": "falsch"}
    assert (await post_json(kai, "/account/passkeys/options", body)).status_code == 422
    off = await kai.submit(ALERTS, {"alerts_password": "falsch"}, form_page=SECURITY)
    assert off.status_code == 422
    with tenant_scope(tenant.tenant.id):
        assert not await TotpFactor.exists() and not await Passkey.exists()
        assert (await User.get(username="kai")).login_alerts
    assert changes(await deliver()) == []


async def test_passkeys_added_and_removed_are_told_by_name(tenant, kai, deliver) -> None:
    assert (await add_passkey(kai, kai.device, "Laptop")).status_code == 200
    with tenant_scope(tenant.tenant.id):
        passkey = await Passkey.get()
    removed = await kai.submit(
        f"/account/passkeys/{passkey.id}/delete",
        {"current_password": CUSTOMER_PASSWORD},
        form_page=SECURITY,
    )
    assert removed.status_code == 303
    messages = await deliver()
    assert changes(messages) == ["Passkey hinzugefügt", "Passkey entfernt"]
    for change in ("Passkey hinzugefügt", "Passkey entfernt"):
        assert f"{change}\nName: Laptop\nZeit: " in body(security_mail(messages, change))


async def test_a_new_password_is_told(tenant, kai, deliver) -> None:
    new = {"password": NEW_PASSWORD, "password2": NEW_PASSWORD}
    refused = await kai.submit("/account/password", {"current_password": "falsch", **new})
    assert refused.status_code == 422
    changed = await kai.submit("/account/password", {"current_password": CUSTOMER_PASSWORD, **new})
    assert changed.status_code == 303
    messages = await deliver()
    assert changes(messages) == ["Passwort geändert"]
    text = body(security_mail(messages, "Passwort geändert"))
    assert "„Passwort vergessen?“ auf der Anmeldeseite" in text


async def test_staff_are_told_in_the_formal_form_without_the_firm_to_call(
    tenant, client, deliver
) -> None:
    await client.log_in("alpha-admin")
    device = SoftAuthenticator(f"http://{tenant.hostname}")
    assert (await add_passkey(client, device, "Büro", password=ADMIN_PASSWORD)).is_success
    mail = security_mail(await deliver(), "Passkey hinzugefügt", to=tenant.admin.email)
    text = body(mail)
    assert "informieren Sie Ihre Administration" in text and "wenden Sie sich an uns" not in text


async def test_a_reset_by_staff_is_told(tenant, passwords, client_for, deliver) -> None:
    contact = await _kai_with_birthdate(tenant, passwords)
    kai = client_for(tenant.hostname)
    await kai.log_in("kai", CUSTOMER_PASSWORD)
    await enrol_totp(kai)
    admin = client_for(tenant.hostname)
    await admin.log_in("alpha-admin")
    page = f"/staff/contacts/{contact.id}"
    await admin.submit(f"{page}/second-factor/reset", form_page=page)
    [link_mail] = [m for m in await deliver() if "zweiter Faktor" in str(m["Subject"])]
    link = urlsplit(link_in(link_mail)).path
    new = {"password": NEW_PASSWORD, "password2": NEW_PASSWORD, "pin": KAI_PIN}
    assert (await client_for(tenant.hostname).submit(link, new)).status_code == 200
    assert changes(await deliver()) == [
        "Authenticator-App eingeschaltet",
        "Zweiter Faktor zurückgesetzt, neues Passwort gesetzt",
    ]


async def test_wrong_passwords_count_together_on_every_form(tenant, kai, deliver) -> None:
    """Five wrong current passwords in 15 minutes, on whichever forms: then even the right
    one waits, everywhere."""
    wrong_everywhere = [
        (f"{SECURITY}/totp/start", {"start_password": "falsch"}),
        (ALERTS, {"alerts_password": "falsch"}),
        ("/account/password", {"current_password": "falsch", "password": NEW_PASSWORD}),
    ]
    for attempt in range(CHANGE_PER_ACCOUNT.attempts - 1):
        path, data = wrong_everywhere[attempt % len(wrong_everywhere)]
        if path == "/account/password":
            data = {**data, "password2": NEW_PASSWORD}
        assert (await kai.submit(path, data, form_page=SECURITY)).status_code == 422
    body = {"name": "Laptop", "current_password": "falsch"}
    assert (await post_json(kai, "/account/passkeys/options", body)).status_code == 422
    blocked = await kai.submit(
        f"{SECURITY}/totp/start", {"start_password": CUSTOMER_PASSWORD}, form_page=SECURITY
    )
    assert blocked.status_code == 422
    assert 'id="f-start_password-error">Zu viele Versuche.' in blocked.text
    options = await post_json(
        kai, "/account/passkeys/options", {"name": "Laptop", "current_password": CUSTOMER_PASSWORD}
    )
    assert options.json()["errors"]["current_password"].startswith("Zu viele Versuche.")
    with tenant_scope(tenant.tenant.id):
        assert not await TotpFactor.exists()
    assert changes(await deliver()) == []


# Wrong codes after the right password.

WARNING = "Falsche Codes nach dem richtigen Passwort"


async def _wrong_codes(client: Any, times: int) -> None:
    for _attempt in range(times):
        answer = await client.submit(SECOND_STEP, {"code": "nicht-echt"})
        assert answer.status_code == 422


async def test_five_wrong_codes_in_a_row_warn_the_owner_once_an_hour(
    tenant, kai, client_for, clock, deliver
) -> None:
    secret, _codes = await enrol_totp(kai, clock)
    stranger = client_for(tenant.hostname)
    await password_step(stranger, "kai")
    await _wrong_codes(stranger, 4)
    assert WARNING not in changes(await deliver())
    await _wrong_codes(stranger, 1)
    messages = await deliver()
    assert changes(messages)[-1] == WARNING
    text = body(security_mail(messages, WARNING))
    assert "das richtige Passwort Ihres Kontos eingegeben" in text
    assert "kennt jemand anderes Ihr Passwort" in text
    # More wrong codes, a fresh password step too: no second mail within the hour.
    await _wrong_codes(stranger, 3)
    again = client_for(tenant.hostname)
    await password_step(again, "kai")
    await _wrong_codes(again, 2)
    assert changes(await deliver()).count(WARNING) == 1
    assert (await stranger.get("/portal")).status_code == 303  # nobody got in
    # An hour later (every counting window aged: the database's clock cannot be moved),
    # five more: told again.
    await unscoped.execute("UPDATE rate_counter SET window_start = window_start - 3601")
    await _wrong_codes(again, 4)
    assert changes(await deliver()).count(WARNING) == 1
    await _wrong_codes(again, 1)
    assert changes(await deliver()).count(WARNING) == 2


async def test_a_right_code_ends_the_run_of_wrong_ones(tenant, kai, client_for, clock, deliver):
    secret, _codes = await enrol_totp(kai, clock)
    owner = client_for(tenant.hostname)
    await password_step(owner, "kai")
    await _wrong_codes(owner, 4)  # typos
    clock.tick()
    assert (await owner.submit(SECOND_STEP, {"code": clock.code(secret)})).status_code == 303
    later = client_for(tenant.hostname)
    await password_step(later, "kai")
    await _wrong_codes(later, 4)
    assert WARNING not in changes(await deliver())
    assert (await later.submit(SECOND_STEP, {"code": "nicht-echt"})).status_code == 422
    assert changes(await deliver()).count(WARNING) == 1
