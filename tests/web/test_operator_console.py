"""The operator's console on the platform host: backoffices and their people, for operators
only, and not there at all on a broker's host."""

from __future__ import annotations

import re

import pytest

from tenant_app.models.accounts import User
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenders import Backoffice, BackofficeMember
from tenant_app.services import platform
from tenant_app.text.i18n import gettext, ngettext
from tests.conftest import ADMIN_PASSWORD
from tests.tender_helpers import (
    BACKOFFICE_PASSWORD,
    PLATFORM_HOST,
    backoffice_login,
    engage,
    make_backoffice,
    platform_space,
)

OPERATOR_PASSWORD = "Operator-Sicher-2026!"
NEW_PASSWORD = "Nordlicht-Eigenes-77"
PAGES = ("/operator", "/operator/backoffices/new", "/operator/backoffices/{id}")
POSTS = (
    "/operator/backoffices",
    "/operator/backoffices/{id}/members",
    "/operator/backoffices/{id}/active",
)


async def _operator(passwords) -> User:
    made = await platform.create_login(
        passwords,
        await platform_space(),
        kind="operator",
        email="ops@platform.example",
        first_name="Otto",
        last_name="Operator",
        password=OPERATOR_PASSWORD,
    )
    return made.user


@pytest.fixture
async def operator(client_for, passwords):
    user = await _operator(passwords)
    client = client_for(PLATFORM_HOST)
    await client.log_in(user.username, OPERATOR_PASSWORD)
    return client


def _new_backoffice(**changes: str) -> dict[str, str]:
    return {
        "name": "Nordlicht Backoffice",
        "legal_form": "GmbH",
        "email": "Tender@Nordlicht.example",
        "days_default": "5",
        "days_gewerbe": "10",
        **changes,
    }


async def test_an_operator_creates_a_backoffice_and_a_person_who_logs_in(
    operator, client_for
) -> None:
    home = await operator.get("/operator")
    assert home.status_code == 200 and 'id="no-backoffices"' in home.text
    created = await operator.submit(
        "/operator/backoffices", _new_backoffice(), form_page="/operator/backoffices/new"
    )
    assert created.status_code == 303
    backoffice = await Backoffice.get(name="Nordlicht Backoffice")
    assert backoffice.legal_form == "GmbH" and backoffice.email == "tender@nordlicht.example"
    assert backoffice.service_days == {"*": 5, "gewerbe": 10}
    page = await operator.get(created.headers["location"])
    assert 'id="backoffice-created"' in page.text and 'id="no-members"' in page.text
    days = ngettext("%(num)s working day", "%(num)s working days", 10)
    assert f"Gewerbe: {days}" in page.text

    path = f"/operator/backoffices/{backoffice.id}"
    person = {"first_name": "Bea", "last_name": "Backoffice", "email": "bea@nordlicht.example"}
    answer = await operator.submit(f"{path}/members", person, form_page=path)
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    password = re.search(r'id="member-password"[^>]*value="([^"]+)"', answer.text)
    username = re.search(r'id="member-username">([^<]+)<', answer.text)
    assert password and username
    member = await BackofficeMember.get(backoffice_id=backoffice.id)
    detail = await operator.get(path)
    assert f'id="member-{member.user_id}"' in detail.text
    assert password.group(1) not in detail.text  # shown once, in the answer only
    listed = await operator.get("/operator")
    assert f'id="backoffice-{backoffice.id}-members">1<' in listed.text

    bea = client_for(PLATFORM_HOST)
    await bea.log_in(username.group(1), password.group(1))
    elsewhere = await bea.get("/account/security")  # only the password change is reachable
    assert elsewhere.status_code == 303 and elsewhere.headers["location"] == "/account/password"
    changed = await bea.submit(
        "/account/password",
        {
            "current_password": password.group(1),
            "password": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert changed.status_code == 303
    space = await platform_space()
    with tenant_scope(space.id):
        user = await User.get(id=member.user_id)
    assert user.kind == "backoffice" and not user.must_change_password


async def test_the_list_counts_people_and_engaged_brokers(operator, passwords, tenant) -> None:
    backoffice = await make_backoffice()
    await backoffice_login(passwords, backoffice)
    await engage(tenant, backoffice)
    page = await operator.get("/operator")
    assert f'id="backoffice-{backoffice.id}-members">1<' in page.text
    assert ngettext("%(num)s broker", "%(num)s brokers", 1) in page.text
    assert "Nordlicht Backoffice GmbH" in page.text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": " "}, "name", "Please enter a name."),
        ({"email": "kein-mail"}, "email", "Please enter a valid e-mail address."),
        ({"days_default": "0"}, "days_default", "Between 1 and 60 working days."),
        ({"days_kfz": "abc"}, "days_kfz", "Between 1 and 60 working days."),
        ({"legal_form": "x" * 61}, "legal_form", "Please enter at most %(n)s characters."),
    ],
)
async def test_a_refused_backoffice_says_why_next_to_the_field(
    operator, changes, field, message
) -> None:
    answer = await operator.submit(
        "/operator/backoffices", _new_backoffice(**changes), form_page="/operator/backoffices/new"
    )
    assert answer.status_code == 422
    shown = gettext(message, n=60) if "%(n)s" in message else gettext(message)
    assert f'id="f-{field}-error">{shown}<' in answer.text
    assert 'id="backoffice-errors"' in answer.text
    assert await Backoffice.all().count() == 0


async def test_every_wrong_field_is_named_at_once(operator) -> None:
    await make_backoffice("Nordlicht Backoffice")
    answer = await operator.submit(
        "/operator/backoffices",
        _new_backoffice(days_hausrat="99"),
        form_page="/operator/backoffices/new",
    )
    assert answer.status_code == 422
    assert 'id="f-name-error"' in answer.text and 'id="f-days_hausrat-error"' in answer.text
    assert await Backoffice.all().count() == 1


async def test_a_refused_person_says_why_and_nobody_is_added(operator, passwords) -> None:
    backoffice = await make_backoffice()
    taken = await backoffice_login(passwords, backoffice)
    path = f"/operator/backoffices/{backoffice.id}"
    for person, field in (
        ({"first_name": "", "last_name": "B", "email": "b@x.example"}, "first_name"),
        ({"first_name": "B", "last_name": "B", "email": "nope"}, "email"),
        ({"first_name": "B", "last_name": "B", "email": taken.email}, "email"),
    ):
        answer = await operator.submit(f"{path}/members", person, form_page=path)
        assert answer.status_code == 422 and f'id="f-{field}-error"' in answer.text
        assert 'id="member-errors"' in answer.text and "member-password" not in answer.text
    assert await BackofficeMember.filter(backoffice_id=backoffice.id).count() == 1


async def _paths() -> list[str]:
    await platform_space()
    backoffice = await make_backoffice()
    return [path.format(id=backoffice.id) for path in PAGES]


async def test_a_backoffice_person_finds_no_console(client_for, passwords) -> None:
    paths = await _paths()
    person = await backoffice_login(passwords, await Backoffice.first())
    bea = client_for(PLATFORM_HOST)
    await bea.log_in(person.username, BACKOFFICE_PASSWORD)
    for path in paths:
        assert (await bea.get(path)).status_code == 404, path
    token = await bea.csrf("/account/security")
    for path in POSTS:
        target = path.format(id=(await Backoffice.first()).id)
        answer = await bea.post(
            target,
            data={"csrf_token": token, "name": "X", "email": "x@x.example"},
            headers={"Origin": f"http://{PLATFORM_HOST}"},
        )
        assert answer.status_code == 404, target
    assert await Backoffice.all().count() == 1


async def test_someone_not_logged_in_is_asked_to_log_in(client_for) -> None:
    paths = await _paths()
    anonymous = client_for(PLATFORM_HOST)
    for path in paths:
        answer = await anonymous.get(path)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login?next=")


async def test_the_console_is_not_there_on_a_brokers_host(client_for, tenant, passwords) -> None:
    paths = await _paths()
    await _operator(passwords)
    admin = client_for(tenant.hostname)
    await admin.log_in("alpha-admin", ADMIN_PASSWORD)
    anonymous = client_for(tenant.hostname)
    for path in paths:
        assert (await admin.get(path)).status_code == 404, path
        assert (await anonymous.get(path)).status_code == 404, path
    token = await admin.csrf("/staff")
    answer = await admin.post(
        "/operator/backoffices",
        data={"csrf_token": token, **_new_backoffice(name="Fremd")},
        headers={"Origin": f"http://{tenant.hostname}"},
    )
    assert answer.status_code == 404
    assert not await Backoffice.filter(name="Fremd").exists()


async def test_an_unknown_backoffice_is_not_found(operator) -> None:
    assert (await operator.get("/operator/backoffices/999")).status_code == 404


async def test_an_operator_locks_a_person_and_a_backoffice_out(
    operator, client_for, passwords, tenant
) -> None:
    backoffice = await make_backoffice()
    await engage(tenant, backoffice)
    bea = await backoffice_login(passwords, backoffice)
    desk = client_for(PLATFORM_HOST)
    await desk.log_in(bea.username, BACKOFFICE_PASSWORD)
    assert (await desk.get("/backoffice")).status_code == 200
    page = f"/operator/backoffices/{backoffice.id}"

    locked = await operator.submit(f"{page}/members/{bea.id}/active", {}, form_page=page)
    assert locked.status_code == 303
    assert (await desk.get("/backoffice")).status_code == 303  # her session has ended
    with tenant_scope(bea.tenant_id):
        assert not (await User.get(id=bea.id)).is_active
    unlocked = await operator.submit(
        f"{page}/members/{bea.id}/active", {"active": "on"}, form_page=page
    )
    assert unlocked.status_code == 303
    await desk.log_in(bea.username, BACKOFFICE_PASSWORD)
    assert (await desk.get("/backoffice")).status_code == 200

    out = await operator.submit(f"{page}/active", {}, form_page=page)
    assert out.status_code == 303
    assert not (await Backoffice.get(id=backoffice.id)).is_active
    assert (await desk.get("/backoffice")).status_code == 404  # reaches no tender
    other = await make_backoffice("Ruhend Service")
    other_page = f"/operator/backoffices/{other.id}"
    await operator.submit(f"{other_page}/active", {}, form_page=other_page)
    admin = client_for(tenant.hostname)
    await admin.log_in("alpha-admin")
    offered = (await admin.get("/staff/settings/backoffices")).text
    assert "Ruhend Service" not in offered  # nobody can engage a locked-out backoffice
    assert backoffice.name in offered  # an engaged one stays listed, to end the engagement

    stranger = await operator.submit(
        f"/operator/backoffices/{backoffice.id}/members/{tenant.admin.id}/active",
        {},
        form_page=page,
    )
    assert stranger.status_code == 404  # not a person of this backoffice
