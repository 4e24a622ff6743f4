"""Registration through the e-mailed link with the birthdate PIN, for staff and customers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest

from tenant_app.models.accounts import AccountLink, User
from tenant_app.models.mail import OutboxMail
from tenant_app.models.scoping import tenant_scope
from tests.conftest import html_of, link_in, text_of

NEW_PASSWORD = "Sommerwiese-2026"
STAFF = {
    "first_name": "Bernd",
    "last_name": "Böhm",
    "email": "bernd@alpha.example",
    "birthdate": "1985-04-03",
    "role": "mitarbeiter",
    "access_insurance": "read",
}


async def create_staff(client, **changes) -> object:
    await client.log_in("alpha-admin")
    response = await client.submit(
        "/staff/users", {**STAFF, **changes}, form_page="/staff/users/new"
    )
    assert response.status_code == 303, response.text[:2000]
    return response


async def test_staff_user_registers_with_pin_and_logs_in(
    client, client_for, tenant, deliver
) -> None:
    await create_staff(client)
    mails = await deliver()
    assert len(mails) == 1
    first = mails[0]
    assert first["To"] == "bernd@alpha.example"
    assert "Alpha Versicherungsmakler GmbH" in first["Subject"]
    assert "Alpha Versicherungsmakler GmbH" in first["From"]
    link = link_in(first)
    assert link.startswith("http://alpha.localhost/passwort/")
    assert "TTMMJJJJ" in text_of(first)
    assert '<a href="' + link in html_of(first)

    person = client_for(tenant.hostname)
    path = urlsplit(link).path
    for _ in range(2):  # a mail scanner prefetching the link consumes nothing
        page = await person.get(path)
        assert page.status_code == 200
        assert page.headers["referrer-policy"] == "no-referrer"
        assert 'name="pin"' in page.text

    wrong = await person.submit(
        path, {"password": NEW_PASSWORD, "password2": NEW_PASSWORD, "pin": "01011990"}
    )
    assert wrong.status_code == 422
    assert "Die PIN ist nicht korrekt" in wrong.text and "noch 4 Versuche" in wrong.text

    done = await person.submit(
        path, {"password": NEW_PASSWORD, "password2": NEW_PASSWORD, "pin": "03041985"}
    )
    assert done.status_code == 200
    assert "Ihr Passwort wurde gespeichert" in done.text

    second = [m for m in await deliver() if m is not first]
    assert len(second) == 1
    assert "bernd.boehm" in text_of(second[0])
    assert "http://alpha.localhost/login" in text_of(second[0])

    await person.log_in("bernd.boehm", NEW_PASSWORD)
    staff_home = await person.get("/staff")
    assert "Willkommen, Bernd" in staff_home.text

    reused = await person.get(path)
    assert reused.status_code == 410
    assert "bereits verwendet" in reused.text


async def _staff_link(client, deliver, **changes) -> str:
    await create_staff(client, **changes)
    mails = await deliver()
    return urlsplit(link_in(mails[-1])).path


async def test_five_wrong_pins_kill_the_link_and_a_fresh_link_works(
    client, client_for, tenant, deliver
) -> None:
    path = await _staff_link(client, deliver)
    person = client_for(tenant.hostname)
    for _attempt in range(4):
        response = await person.submit(
            path, {"password": NEW_PASSWORD, "password2": NEW_PASSWORD, "pin": "11111111"}
        )
        assert response.status_code == 422
    fifth = await person.submit(
        path, {"password": NEW_PASSWORD, "password2": NEW_PASSWORD, "pin": "11111111"}
    )
    assert fifth.status_code == 410
    assert "zu oft falsch" in fifth.text
    page = await person.get(path)
    assert page.status_code == 410 and "neuen Link" in page.text
    right_now = await person.post(
        path,
        data={
            "password": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "pin": "03041985",
            "csrf_token": await person.csrf("/login"),
        },
        headers={"Origin": "http://alpha.localhost"},
    )
    assert right_now.status_code == 410  # even the right PIN no longer helps

    with tenant_scope(tenant.tenant.id):
        bernd = await User.get(email="bernd@alpha.example")
    resend = await client.submit(
        f"/staff/users/{bernd.id}/send-link", form_page=f"/staff/users/{bernd.id}"
    )
    assert resend.status_code == 303
    fresh = urlsplit(link_in((await deliver())[-1])).path
    assert fresh != path
    ok = await person.submit(
        fresh, {"password": NEW_PASSWORD, "password2": NEW_PASSWORD, "pin": "03041985"}
    )
    assert ok.status_code == 200


async def test_new_link_invalidates_older_ones(client, client_for, tenant, deliver) -> None:
    old = await _staff_link(client, deliver)
    with tenant_scope(tenant.tenant.id):
        bernd = await User.get(email="bernd@alpha.example")
    await client.submit(f"/staff/users/{bernd.id}/send-link", form_page=f"/staff/users/{bernd.id}")
    person = client_for(tenant.hostname)
    assert (await person.get(old)).status_code == 404


@pytest.mark.parametrize(
    ("fields", "field_id", "message"),
    [
        ({"password": "short", "password2": "short"}, "f-password-error", "mindestens 10 Zeichen"),
        (
            {"password": "03041985", "password2": "03041985"},
            "f-password-error",
            "mindestens 10 Zeichen",
        ),
        (
            {"password": "bernd.boehm", "password2": "bernd.boehm"},
            "f-password-error",
            "weder den Namen noch den Benutzernamen",
        ),
        (
            {"password": "bernd@alpha.example", "password2": "bernd@alpha.example"},
            "f-password-error",
            "weder den Namen noch den Benutzernamen",
        ),
        (
            {"password": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"},
            "f-password2-error",
            "nicht überein",
        ),
    ],
)
async def test_weak_or_mismatched_passwords_are_refused(
    client, client_for, tenant, deliver, fields, field_id, message
) -> None:
    path = await _staff_link(client, deliver)
    person = client_for(tenant.hostname)
    response = await person.submit(path, {**fields, "pin": "03041985"})
    assert response.status_code == 422
    assert f'id="{field_id}"' in response.text and message in response.text
    with tenant_scope(tenant.tenant.id):
        assert (await User.get(email="bernd@alpha.example")).password_hash is None
    assert (await person.get(path)).status_code == 200  # the link is still usable


@pytest.mark.parametrize("token", ["abc", "x" * 43, "abc.def%00", "A" * 200])
async def test_tampered_links_get_a_clear_page(client, token) -> None:
    response = await client.get(f"/passwort/{token}")
    assert response.status_code == 404
    assert "Der Link ist ungültig" in response.text


async def test_expired_link(client, client_for, tenant, deliver) -> None:
    path = await _staff_link(client, deliver)
    with tenant_scope(tenant.tenant.id):
        await AccountLink.all().update(expires_at=datetime.now(UTC) - timedelta(minutes=1))
    response = await client_for(tenant.hostname).get(path)
    assert response.status_code == 410 and "abgelaufen" in response.text


async def test_link_of_another_tenant_is_invalid(
    client, client_for, tenant, other_tenant, deliver
) -> None:
    path = await _staff_link(client, deliver)
    beta = client_for(other_tenant.hostname)
    assert (await beta.get(path)).status_code == 404
    posted = await beta.submit(
        path,
        {"password": NEW_PASSWORD, "password2": NEW_PASSWORD, "pin": "03041985"},
        form_page="/login",
    )
    assert posted.status_code == 404
    with tenant_scope(tenant.tenant.id):
        assert (await User.get(email="bernd@alpha.example")).password_hash is None


async def test_the_link_is_stored_only_as_a_hash(client, tenant, deliver) -> None:
    path = await _staff_link(client, deliver)
    secret = path.rsplit("/", 1)[1]
    assert len(secret) >= 43  # 256 random bits in URL-safe base64
    with tenant_scope(tenant.tenant.id):
        link = await AccountLink.get()
    assert secret not in link.token_hash and len(link.token_hash) == 64


async def test_pin_and_password_never_reach_the_log(
    client, client_for, tenant, deliver, caplog
) -> None:
    path = await _staff_link(client, deliver)
    person = client_for(tenant.hostname)
    caplog.set_level("DEBUG")
    await person.submit(
        path, {"password": NEW_PASSWORD, "password2": NEW_PASSWORD, "pin": "12121212"}
    )
    await person.submit(
        path, {"password": NEW_PASSWORD, "password2": NEW_PASSWORD, "pin": "03041985"}
    )
    logged = caplog.text
    assert "wrong pin" in logged
    assert "12121212" not in logged and "03041985" not in logged and NEW_PASSWORD not in logged


async def test_forgotten_password_same_answer_either_way(
    client, client_for, tenant, deliver
) -> None:
    await _staff_link(client, deliver)
    visitor = client_for(tenant.hostname)
    known = await visitor.submit("/passwort-vergessen", {"identifier": "bernd@alpha.example"})
    unknown = await visitor.submit("/passwort-vergessen", {"identifier": "nobody@alpha.example"})
    assert known.status_code == unknown.status_code == 200

    def strip(page) -> str:  # the anonymous CSRF token differs per request
        return page.text.replace(page.text.split('name="csrf_token" value="')[-1][:43], "")

    assert strip(known) == strip(unknown)
    assert "Falls ein Konto" in known.text
    resets = [m for m in await deliver() if "Neues Passwort" in m["Subject"]]
    assert [m["To"] for m in resets] == ["bernd@alpha.example"]


async def test_forgotten_password_resets_and_ends_other_sessions(
    client, client_for, tenant, deliver
) -> None:
    path = await _staff_link(client, deliver)
    person = client_for(tenant.hostname)
    await person.submit(
        path, {"password": NEW_PASSWORD, "password2": NEW_PASSWORD, "pin": "03041985"}
    )
    await person.log_in("bernd.boehm", NEW_PASSWORD)
    assert (await person.get("/staff")).status_code == 200

    other = client_for(tenant.hostname)
    await other.submit("/passwort-vergessen", {"identifier": "bernd.boehm"})
    reset_mail = [m for m in await deliver() if "Neues Passwort" in m["Subject"]]
    assert len(reset_mail) == 1 and reset_mail[0]["To"] == "bernd@alpha.example"
    reset_path = urlsplit(link_in(reset_mail[0])).path
    done = await other.submit(
        reset_path,
        {"password": "Herbstlaub-2027", "password2": "Herbstlaub-2027", "pin": "03041985"},
    )
    assert done.status_code == 200
    assert (await person.get("/staff")).status_code == 303  # the old session is gone
    await other.log_in("bernd@alpha.example", "Herbstlaub-2027")


async def test_forgotten_password_field_must_be_one_string(client) -> None:
    token = await client.csrf("/passwort-vergessen")
    response = await client.post(
        "/passwort-vergessen",
        content=f"csrf_token={token}&identifier=a&identifier=b",
        headers={
            "Origin": "http://alpha.localhost",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert response.status_code == 422


async def test_registration_mail_is_queued_with_the_user(client, tenant) -> None:
    await create_staff(client)
    with tenant_scope(tenant.tenant.id):
        assert (
            await OutboxMail.filter(to_address="bernd@alpha.example", status="pending").count() == 1
        )
