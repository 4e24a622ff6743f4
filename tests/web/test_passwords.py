"""Setting a password through the e-mailed link: the rules, the order of the checks, the PIN.

Bernd (tests/web/test_registration.py) is born on 03.04.1985, so his PIN is 03041985.
"""

from __future__ import annotations

import asyncio
import re
from urllib.parse import urlsplit

import pytest

from tenant_app.models.accounts import AccountLink, User
from tenant_app.models.contacts import Contact, ContactNotice
from tenant_app.models.scoping import tenant_scope
from tests.conftest import link_in, text_of
from tests.web.test_registration import NEW_PASSWORD, create_staff

PIN = "03041985"
WRONG_PIN = "11111111"


async def _bernd_link(client, deliver) -> str:
    await create_staff(client)
    return urlsplit(link_in((await deliver())[-1])).path


async def _bernd(tenant) -> User:
    with tenant_scope(tenant.tenant.id):
        return await User.get(email="bernd@alpha.example")


async def _wrong_pins(tenant) -> int:
    with tenant_scope(tenant.tenant.id):
        return (await AccountLink.get()).wrong_pins


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("aaaaaaaaaa", "zu einfach"),  # repetitive
        ("abcdefghijkl", "zu einfach"),  # a sequence
        ("03041985ab", "Geburtsdatum nicht"),  # the PIN plus two letters
        ("Garten-03.04.1985", "Geburtsdatum nicht"),
        ("1985-04-03-Garten", "Geburtsdatum nicht"),
        ("Garten030485!", "Geburtsdatum nicht"),  # DDMMYY
        ("19850403Garten", "Geburtsdatum nicht"),  # YYYYMMDD
        ("Boehm-Garten-77", "weder den Namen"),  # last name, umlaut spelled out
        ("Böhm-Garten-77", "weder den Namen"),
        ("Garten-Bernd-77", "weder den Namen"),  # first name
        ("bernd.boehm!", "weder den Namen"),  # username
        ("Passwort2024!", "zu verbreitet"),  # a common German password with a year
        ("Sonnenschein1", "zu verbreitet"),
        ("ichliebedich", "zu verbreitet"),  # from the German supplement
        ("password123!", "zu verbreitet"),
        ("qwertzuiop", "zu verbreitet"),
    ],
)
async def test_weak_passwords_are_refused_next_to_the_field(
    client, client_for, tenant, deliver, password, message
) -> None:
    path = await _bernd_link(client, deliver)
    person = client_for(tenant.hostname)
    response = await person.submit(path, {"password": password, "password2": password, "pin": PIN})
    assert response.status_code == 422
    error = re.search(r'id="f-password-error">([^<]+)<', response.text)
    assert error and message in error.group(1)
    assert (await _bernd(tenant)).password_hash is None
    assert await _wrong_pins(tenant) == 0  # a refused password spends no PIN attempt


async def test_a_strong_password_passes(client, client_for, tenant, deliver) -> None:
    path = await _bernd_link(client, deliver)
    person = client_for(tenant.hostname)
    done = await person.submit(
        path, {"password": "Fahrrad rot Wolke 9", "password2": "Fahrrad rot Wolke 9", "pin": PIN}
    )
    assert done.status_code == 200
    await person.log_in("bernd.boehm", "Fahrrad rot Wolke 9")


async def test_the_password_is_judged_before_the_pin_and_the_pin_is_kept(
    client, client_for, tenant, deliver
) -> None:
    path = await _bernd_link(client, deliver)
    person = client_for(tenant.hostname)
    both_wrong = await person.submit(
        path, {"password": "kurz", "password2": "kurz", "pin": WRONG_PIN}
    )
    assert both_wrong.status_code == 422
    assert 'id="f-password-error"' in both_wrong.text
    assert "mindestens 10 Zeichen" in both_wrong.text
    assert 'id="f-pin-error"' not in both_wrong.text  # the PIN was not even checked ...
    assert await _wrong_pins(tenant) == 0  # ... so no attempt was spent
    assert f'value="{WRONG_PIN}"' in both_wrong.text  # the PIN stays as typed
    assert "kurz" not in both_wrong.text.split('id="f-password"')[1][:200]  # never echoed

    missing_pin = await person.submit(path, {"password": "kurz", "password2": "kurz", "pin": ""})
    assert 'id="f-password-error"' in missing_pin.text and 'id="f-pin-error"' in missing_pin.text

    wrong_pin = await person.submit(
        path, {"password": NEW_PASSWORD, "password2": NEW_PASSWORD, "pin": WRONG_PIN}
    )
    assert wrong_pin.status_code == 422 and 'id="f-pin-error"' in wrong_pin.text
    assert "noch 4 Versuche" in wrong_pin.text and f'value="{WRONG_PIN}"' in wrong_pin.text
    assert await _wrong_pins(tenant) == 1


async def test_a_right_pin_gives_its_attempt_back(client, client_for, tenant, deliver) -> None:
    path = await _bernd_link(client, deliver)
    person = client_for(tenant.hostname)
    for _ in range(4):
        await person.submit(
            path, {"password": NEW_PASSWORD, "password2": NEW_PASSWORD, "pin": WRONG_PIN}
        )
    done = await person.submit(
        path, {"password": NEW_PASSWORD, "password2": NEW_PASSWORD, "pin": PIN}
    )
    assert done.status_code == 200
    assert await _wrong_pins(tenant) == 4


async def _send_at_once(person, path: str, count: int) -> list[int]:
    token = await person.csrf(path)
    data = {"password": NEW_PASSWORD, "password2": NEW_PASSWORD, "pin": WRONG_PIN}
    headers = {"Origin": f"http://{person.host}"}
    responses = await asyncio.gather(
        *(
            person.post(path, data={**data, "csrf_token": token}, headers=headers)
            for _ in range(count)
        )
    )
    return [response.status_code for response in responses]


async def test_parallel_wrong_pins_cannot_overrun_the_five(
    client, client_for, tenant, deliver
) -> None:
    path = await _bernd_link(client, deliver)
    person = client_for(tenant.hostname)
    statuses = await _send_at_once(person, path, 7)
    # Four wrong PINs are answered with "n attempts left", the fifth kills the link and the
    # last two find it dead: at most five PINs were compared.
    assert sorted(statuses) == [410, 410, 410, 422, 422, 422, 422]
    assert await _wrong_pins(tenant) == 5
    assert (await person.get(path)).status_code == 410
    late = await person.submit(
        path,
        {"password": NEW_PASSWORD, "password2": NEW_PASSWORD, "pin": PIN},
        form_page="/login",  # the link's own page is gone
    )
    assert late.status_code == 410  # even the right PIN is too late now
    assert (await _bernd(tenant)).password_hash is None


async def _customer_link(client, tenant, deliver) -> tuple[int, str]:
    await client.log_in("alpha-admin")
    contact_form = {
        "first_name": "Jana",
        "last_name": "Jäger",
        "birthdate": "07.11.1979",
        "email": "jana@kunde.example",
    }
    await client.submit("/staff/contacts", contact_form, form_page="/staff/contacts/new")
    with tenant_scope(tenant.tenant.id):
        contact_id = (await Contact.get(email="jana@kunde.example")).id
    page = f"/staff/contacts/{contact_id}"
    await client.submit(f"{page}/account", form_page=page)
    await client.submit(f"{page}/registration-mail", form_page=page)
    mail = [m for m in await deliver() if m["To"] == "jana@kunde.example"][-1]
    return contact_id, urlsplit(link_in(mail)).path


async def test_a_locked_customer_link_leaves_a_notice_for_staff(
    client, client_for, tenant, deliver
) -> None:
    contact_id, path = await _customer_link(client, tenant, deliver)
    person = client_for(tenant.hostname)
    statuses = []
    for _ in range(5):
        response = await person.submit(
            path, {"password": NEW_PASSWORD, "password2": NEW_PASSWORD, "pin": WRONG_PIN}
        )
        statuses.append(response.status_code)
        with tenant_scope(tenant.tenant.id):
            notices = await ContactNotice.filter(contact_id=contact_id, kind="link_locked")
        assert len(notices) == (1 if len(statuses) == 5 else 0)  # at the fifth, not before
    assert statuses == [422, 422, 422, 422, 410]


async def test_a_locked_staff_link_shows_in_the_user_list(
    client, client_for, tenant, deliver
) -> None:
    path = await _bernd_link(client, deliver)
    person = client_for(tenant.hostname)
    await _send_at_once(person, path, 5)
    bernd = await _bernd(tenant)
    users = await client.get("/staff/users")
    assert f'id="link-locked-{bernd.id}"' in users.text
    detail = await client.get(f"/staff/users/{bernd.id}")
    assert 'id="link-locked"' in detail.text
    await client.submit(f"/staff/users/{bernd.id}/send-link", form_page=f"/staff/users/{bernd.id}")
    assert f'id="link-locked-{bernd.id}"' not in (await client.get("/staff/users")).text


async def test_a_reset_has_its_own_title_and_sends_no_username_mail(
    client, client_for, tenant, deliver
) -> None:
    path = await _bernd_link(client, deliver)
    person = client_for(tenant.hostname)
    registered = await person.submit(
        path, {"password": NEW_PASSWORD, "password2": NEW_PASSWORD, "pin": PIN}
    )
    assert "E-Mail mit Ihrem Benutzernamen" in registered.text
    username_mails = [m for m in await deliver() if "bernd.boehm" in text_of(m)]
    assert len(username_mails) == 1  # mail #2 after the registration

    await person.submit("/passwort-vergessen", {"identifier": "bernd.boehm"})
    reset_mail = [m for m in await deliver() if "Neues Passwort" in m["Subject"]][-1]
    reset_path = urlsplit(link_in(reset_mail)).path
    page = await person.get(reset_path)
    assert '<h1 class="page-title">Neues Passwort festlegen</h1>' in page.text
    assert "Passwort vergeben" not in page.text
    before = len(await deliver())
    done = await person.submit(
        reset_path, {"password": "Herbstlaub-2027", "password2": "Herbstlaub-2027", "pin": PIN}
    )
    assert done.status_code == 200 and "jetzt damit anmelden" in done.text
    assert "Benutzernamen" not in done.text
    assert len(await deliver()) == before  # no second username mail
