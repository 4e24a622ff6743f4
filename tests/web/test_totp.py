"""The authenticator app as people use it: set it up on "Anmeldung & Sicherheit" (QR code,
a wrong then the right first code, ten recovery codes shown once), log in with a code or a
recovery code, and take it away again with password and code. Codes are checked against a
clock the tests set (never slept), one 30-second step at a time."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
import pytest

from tenant_app.models.accounts import User
from tenant_app.models.factors import RecoveryCode, TotpFactor
from tenant_app.models.scoping import tenant_scope
from tenant_app.security import totp
from tenant_app.services import second_factor
from tests.conftest import ADMIN_PASSWORD, CUSTOMER_PASSWORD, make_customer

SECURITY = "/account/security"
SECOND_STEP = "/login/second-factor"
SECRET_RE = re.compile(r'id="totp-secret">([A-Z2-7 ]+)<')
CODE_RE = re.compile(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>")
START = datetime(2026, 6, 1, 9, 0, 0, tzinfo=UTC)


class Clock:
    """The moment the app checks codes against; tests move it by whole 30-second steps."""

    def __init__(self) -> None:
        self.now = START

    def tick(self, steps: int = 1) -> None:
        self.now += timedelta(seconds=totp.STEP_SECONDS * steps)

    def code(self, secret: str, steps: int = 0) -> str:
        """The code an app shows now (or `steps` later)."""
        return pyotp.TOTP(secret).at(self.now + timedelta(seconds=totp.STEP_SECONDS * steps))


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    made = Clock()
    monkeypatch.setattr(totp, "current_time", lambda: made.now)
    return made


@pytest.fixture
async def kai(tenant, passwords, client_for) -> Any:
    """A logged-in customer."""
    await make_customer(tenant, passwords, communication=True)
    client = client_for(tenant.hostname)
    await client.log_in("kai", CUSTOMER_PASSWORD)
    return client


async def start_totp(client: Any, password: str = CUSTOMER_PASSWORD) -> str:
    """Start the set-up with the login's password; the secret as the page shows it for typing
    into an app."""
    started = await client.submit(
        f"{SECURITY}/totp/start", {"start_password": password}, form_page=SECURITY
    )
    assert started.status_code == 303, started.text[:500]
    page = await client.get(SECURITY)
    match = SECRET_RE.search(page.text)
    assert match, page.text[:2000]
    return match.group(1).replace(" ", "")


async def enrol_totp(
    client: Any, clock: Any = None, *, password: str = CUSTOMER_PASSWORD
) -> tuple[str, list[str]]:
    """Set up the app as a user does: the password, the secret, its current code, the codes
    shown once."""
    secret = await start_totp(client, password)
    code = clock.code(secret) if clock else pyotp.TOTP(secret).now()
    confirmed = await client.submit(f"{SECURITY}/totp/confirm", {"code": code}, form_page=SECURITY)
    assert confirmed.status_code == 200, confirmed.text[:500]
    return secret, CODE_RE.findall(confirmed.text)


async def password_step(client: Any, identifier: str, password: str = CUSTOMER_PASSWORD) -> Any:
    answer = await client.submit("/login", {"identifier": identifier, "password": password})
    assert answer.status_code == 303
    return answer


async def second_step(client: Any, code: str) -> Any:
    return await client.submit(SECOND_STEP, {"code": code})


async def test_set_up_with_a_wrong_then_the_right_code_and_see_the_codes_once(
    tenant, kai, clock
) -> None:
    page = await kai.get(SECURITY)
    assert 'id="totp-start-form"' in page.text and "Authenticator-App einrichten" in page.text
    secret = await start_totp(kai)
    page = await kai.get(SECURITY)
    assert '<svg viewBox="0 0' in page.text and 'class="totp-qr"' in page.text  # drawn here
    assert "style=" not in page.text.split('class="totp-qr"')[1].split("</svg>")[0]
    wrong = await kai.submit(f"{SECURITY}/totp/confirm", {"code": "000000"}, form_page=SECURITY)
    assert wrong.status_code == 422
    assert re.search(r'id="f-code-error">Der Code stimmt nicht', wrong.text)
    with tenant_scope(tenant.tenant.id):
        assert not (await User.get(username="kai")).has_second_factor
    right = await kai.submit(
        f"{SECURITY}/totp/confirm", {"code": clock.code(secret)}, form_page=SECURITY
    )
    assert right.status_code == 200 and 'id="totp-enabled"' in right.text
    codes = CODE_RE.findall(right.text)
    assert len(codes) == len(set(codes)) == 10
    after = await kai.get(SECURITY)
    assert "Unbenutzte Wiederherstellungscodes: 10" in after.text
    assert not any(code in after.text for code in codes)  # shown once, then never again
    assert 'id="totp-secret"' not in after.text
    with tenant_scope(tenant.tenant.id):
        user = await User.get(username="kai")
        stored = await RecoveryCode.filter(user_id=user.id).values_list("code_hash", flat=True)
        factor = await TotpFactor.get(user_id=user.id)
    assert user.has_second_factor and factor.confirmed_at is not None
    assert not set(codes) & set(stored)  # kept as hashes only
    # Once on, setting it up again is refused, with the reason at the section.
    again = await kai.submit(
        f"{SECURITY}/totp/start", {"start_password": CUSTOMER_PASSWORD}, form_page=SECURITY
    )
    assert again.status_code == 422 and "bereits eingerichtet" in again.text


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Bitte das aktuelle Passwort eingeben."),
        ("falsch", "Das aktuelle Passwort ist nicht korrekt."),
    ],
)
async def test_the_set_up_starts_only_with_the_current_password(
    tenant, kai, typed, message
) -> None:
    """A session alone (a computer left logged in) cannot put another app on the login."""
    refused = await kai.submit(
        f"{SECURITY}/totp/start", {"start_password": typed}, form_page=SECURITY
    )
    assert refused.status_code == 422
    assert f'id="f-start_password-error">{message}</p>' in refused.text
    assert 'id="totp-secret"' not in refused.text and 'id="totp-start-form"' in refused.text
    with tenant_scope(tenant.tenant.id):
        assert not await TotpFactor.exists()


async def test_a_set_up_left_open_expires(tenant, kai, clock) -> None:
    """A set-up its owner started and left is not there for the next person at the screen."""
    secret = await start_totp(kai)
    with tenant_scope(tenant.tenant.id):
        await TotpFactor.all().update(
            created_at=datetime.now(UTC) - timedelta(minutes=second_factor.SETUP_MINUTES + 1)
        )
    page = await kai.get(SECURITY)
    assert 'id="totp-secret"' not in page.text and 'id="f-start_password"' in page.text
    late = await kai.submit(
        f"{SECURITY}/totp/confirm", {"code": clock.code(secret)}, form_page=SECURITY
    )
    assert late.status_code == 422 and "Bitte starten Sie die Einrichtung neu." in late.text
    restarted = await start_totp(kai)  # the password again: a fresh secret, a fresh half hour
    assert restarted != secret
    confirmed = await kai.submit(
        f"{SECURITY}/totp/confirm", {"code": clock.code(restarted)}, form_page=SECURITY
    )
    assert confirmed.status_code == 200 and 'id="totp-enabled"' in confirmed.text


async def test_a_restarted_set_up_has_a_new_secret_and_can_be_cancelled(kai) -> None:
    first = await start_totp(kai)
    second = await start_totp(kai)
    assert first != second
    cancelled = await kai.submit(f"{SECURITY}/totp/cancel", form_page=SECURITY)
    assert cancelled.status_code == 303
    page = await kai.get(cancelled.headers["location"])
    assert 'id="totp-cancelled"' in page.text and 'id="totp-start-form"' in page.text


async def test_the_login_asks_for_the_code_and_refuses_it_twice(
    tenant, kai, client_for, clock
) -> None:
    secret, _codes = await enrol_totp(kai, clock)
    clock.tick()
    visitor = client_for(tenant.hostname)
    answer = await password_step(visitor, "kai")
    assert answer.headers["location"] == SECOND_STEP
    assert (await visitor.get("/portal")).status_code == 303  # no session yet
    page = await visitor.get(SECOND_STEP)
    assert 'autocomplete="one-time-code"' in page.text and 'inputmode="numeric"' in page.text
    assert 'id="use-recovery-code"' in page.text
    wrong = await second_step(visitor, "123456" if clock.code(secret) != "123456" else "654321")
    assert wrong.status_code == 422 and 'id="f-code-error"' in wrong.text
    assert "Der Code stimmt nicht" in wrong.text
    code = clock.code(secret)
    done = await second_step(visitor, code)
    assert done.status_code == 303 and done.headers["location"] == "/portal"
    assert (await visitor.get("/portal")).status_code == 200
    # The same code a second time (someone who watched it typed) is refused: replay.
    other = client_for(tenant.hostname)
    await password_step(other, "kai")
    replayed = await second_step(other, code)
    assert replayed.status_code == 422 and "bereits verwendet" in replayed.text
    older = await second_step(other, clock.code(secret, -1))  # an older step: also used up
    assert older.status_code == 422
    clock.tick()
    assert (await second_step(other, clock.code(secret))).status_code == 303


async def test_a_recovery_code_works_once(tenant, kai, client_for, clock) -> None:
    _secret, codes = await enrol_totp(kai, clock)
    visitor = client_for(tenant.hostname)
    await password_step(visitor, "kai")
    page = await visitor.get(f"{SECOND_STEP}?recovery=1")
    assert 'id="f-code"' in page.text and 'autocomplete="off"' in page.text
    assert 'id="use-app-code"' in page.text
    typed = codes[0].upper().replace("-", " ")  # as people type it
    assert (await second_step(visitor, typed)).status_code == 303
    again = client_for(tenant.hostname)
    await password_step(again, "kai")
    refused = await second_step(again, codes[0])
    assert refused.status_code == 422 and "Wiederherstellungscode" in refused.text
    assert "Unbenutzte Wiederherstellungscodes: 9" in (await kai.get(SECURITY)).text


async def test_codes_are_rate_limited_like_pins(tenant, kai, client_for, clock) -> None:
    secret, _codes = await enrol_totp(kai, clock)
    clock.tick()
    visitor = client_for(tenant.hostname)
    await password_step(visitor, "kai")
    right = clock.code(secret)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _attempt in range(10):
        assert (await second_step(visitor, wrong)).status_code == 422
    blocked = await second_step(visitor, right)  # claimed before it is checked: refused too
    assert blocked.status_code == 429 and "Zu viele falsche Codes" in blocked.text
    assert (await visitor.get("/portal")).status_code == 303


async def test_an_empty_code_is_a_message_and_costs_no_attempt(tenant, kai, client_for) -> None:
    await enrol_totp(kai)
    visitor = client_for(tenant.hostname)
    await password_step(visitor, "kai")
    for _attempt in range(12):
        empty = await second_step(visitor, " ")
        assert empty.status_code == 422 and "6-stelligen Code" in empty.text


async def test_without_a_pending_login_the_second_step_leads_to_the_login(
    tenant, other_tenant, kai, client_for
) -> None:
    await enrol_totp(kai)
    stranger = client_for(tenant.hostname)
    for answer in (await stranger.get(SECOND_STEP), await stranger.post(SECOND_STEP)):
        assert answer.status_code in (303, 403)
    assert (await stranger.get(SECOND_STEP)).headers["location"] == "/login"
    # The pending login is bound to its tenant: carried to another one's host it is nothing.
    visitor = client_for(tenant.hostname)
    await password_step(visitor, "kai")
    elsewhere = client_for(other_tenant.hostname)
    elsewhere.cookies.update(visitor.cookies)
    assert (await elsewhere.get(SECOND_STEP)).headers["location"] == "/login"


async def test_removing_the_app_needs_the_password_and_a_code(
    tenant, kai, client_for, clock
) -> None:
    secret, _codes = await enrol_totp(kai, clock)
    clock.tick()
    path = f"{SECURITY}/totp/disable"
    empty = await kai.submit(path, {"disable_password": "", "disable_code": ""}, form_page=SECURITY)
    assert empty.status_code == 422
    assert (
        'id="f-disable_password-error"' in empty.text and 'id="f-disable_code-error"' in empty.text
    )
    wrong_password = {"disable_password": "falsch", "disable_code": clock.code(secret)}
    answer = await kai.submit(path, wrong_password, form_page=SECURITY)
    assert answer.status_code == 422 and "Das aktuelle Passwort ist nicht korrekt" in answer.text
    wrong_code = {"disable_password": CUSTOMER_PASSWORD, "disable_code": "000000"}
    answer = await kai.submit(path, wrong_code, form_page=SECURITY)
    assert answer.status_code == 422 and 'id="f-disable_code-error"' in answer.text
    right = {"disable_password": CUSTOMER_PASSWORD, "disable_code": clock.code(secret)}
    removed = await kai.submit(path, right, form_page=SECURITY)
    assert removed.status_code == 303
    page = await kai.get(removed.headers["location"])
    assert 'id="totp-disabled"' in page.text and 'id="totp-start-form"' in page.text
    with tenant_scope(tenant.tenant.id):
        user = await User.get(username="kai")
        assert not user.has_second_factor
        assert not await RecoveryCode.filter(user_id=user.id).exists()
        assert not await TotpFactor.filter(user_id=user.id).exists()
    visitor = client_for(tenant.hostname)
    answer = await password_step(visitor, "kai")
    assert answer.headers["location"] == "/portal"  # the password alone again


async def test_new_recovery_codes_replace_the_old_ones(tenant, kai, client_for, clock) -> None:
    secret, old_codes = await enrol_totp(kai, clock)
    path = f"{SECURITY}/totp/recovery-codes"
    refused = await kai.submit(path, {"regenerate_code": "nix"}, form_page=SECURITY)
    assert refused.status_code == 422 and 'id="f-regenerate_code-error"' in refused.text
    clock.tick()
    renewed = await kai.submit(path, {"regenerate_code": clock.code(secret)}, form_page=SECURITY)
    assert renewed.status_code == 200 and 'id="recovery-codes-renewed"' in renewed.text
    new_codes = CODE_RE.findall(renewed.text)
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    visitor = client_for(tenant.hostname)
    await password_step(visitor, "kai")
    assert (await second_step(visitor, old_codes[1])).status_code == 422
    assert (await second_step(visitor, new_codes[1])).status_code == 303


async def test_one_login_cannot_use_another_ones_codes(
    tenant, passwords, kai, client_for, clock
) -> None:
    """Kai's codes and recovery codes open only Kai's login; Lea's only hers."""
    kai_secret, kai_codes = await enrol_totp(kai, clock)
    await make_customer(tenant, passwords, email="lea@kunde.example", first_name="Lea")
    lea = client_for(tenant.hostname)
    await lea.log_in("lea", CUSTOMER_PASSWORD)
    clock.tick()
    lea_secret, _lea_codes = await enrol_totp(lea, clock)
    assert lea_secret != kai_secret
    visitor = client_for(tenant.hostname)
    await password_step(visitor, "lea")
    clock.tick()
    assert (await second_step(visitor, clock.code(kai_secret))).status_code == 422
    assert (await second_step(visitor, kai_codes[0])).status_code == 422
    assert (await second_step(visitor, clock.code(lea_secret))).status_code == 303
    with tenant_scope(tenant.tenant.id):
        kai_user = await User.get(username="kai")
        assert await RecoveryCode.filter(user_id=kai_user.id, used_at=None).count() == 10


async def test_staff_viewing_as_a_customer_reach_only_their_own_factor(
    tenant, passwords, client_for
) -> None:
    """ "Als Kunde ansehen" serves /portal only: the security page stays the staff member's."""
    contact = await make_customer(tenant, passwords, communication=True, insurance_unlock=True)
    admin = client_for(tenant.hostname)
    await admin.log_in("alpha-admin")
    page = f"/staff/contacts/{contact.id}"
    started = await admin.submit(f"{page}/view-as", form_page=page)
    assert started.status_code == 303
    await start_totp(admin, ADMIN_PASSWORD)
    with tenant_scope(tenant.tenant.id):
        owners = set(await TotpFactor.all().values_list("user_id", flat=True))
        assert owners == {tenant.admin.id}
