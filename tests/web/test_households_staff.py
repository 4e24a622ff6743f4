"""Households on the staff side: who manages a contact, linking a login with the contact's
consent, inviting a new person, removing a link; and who may do any of it."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from tenant_app.models.accounts import User
from tenant_app.models.contacts import Contact, ContactResponsible
from tenant_app.models.folders import AuditEntry
from tenant_app.models.households import ContactLink
from tenant_app.models.scoping import tenant_scope
from tests.conftest import CUSTOMER_PASSWORD, link_in, make_customer
from tests.web.test_households import CONSENT, FULL, contact_without_login, current, switcher
from tests.web.test_tickets import make_staff

GOOD_PASSWORD = "Wolkenschiff-Tanne-9"


@pytest.fixture
async def family(tenant, passwords, client_for) -> dict[str, Any]:
    maxi = await make_customer(
        tenant, passwords, email="max@kunde.example", first_name="Max", last_name="Muster", **FULL
    )
    lena = await contact_without_login(tenant, "Lena", **FULL)
    admin = client_for(tenant.hostname)
    await admin.log_in("alpha-admin")
    return {"max": maxi, "lena": lena, "admin": admin}


def page_of(contact: Any) -> str:
    return f"/staff/contacts/{contact.id}"


async def link(client: Any, contact: Any, login: str, consent: str = CONSENT) -> Any:
    page = page_of(contact)
    return await client.submit(
        f"{page}/household", {"login": login, "consent_note": consent}, form_page=page
    )


async def links(tenant: Any) -> list[tuple[int, int, str]]:
    with tenant_scope(tenant.tenant.id):
        rows = await ContactLink.all().order_by("id")
    return [(row.user_id, row.contact_id, row.consent_note) for row in rows]


async def test_the_contact_page_shows_who_manages_it_and_whom_its_login_manages(
    family, tenant
) -> None:
    admin, maxi, lena = family["admin"], family["max"], family["lena"]
    empty = (await admin.get(page_of(lena))).text
    assert 'id="household"' in empty and 'id="household-managed-by-none"' in empty
    linked = await link(admin, lena, "MAX@kunde.example ")  # as typed: case and spaces
    assert linked.status_code == 303 and "household_linked=1" in linked.headers["location"]
    page = (await admin.get(linked.headers["location"])).text
    managed_by = page.split('id="household-managed-by"', 1)[1].split("</ul>", 1)[0]
    assert "Max Muster" in managed_by and "max" in managed_by and CONSENT in managed_by
    assert f'href="/staff/contacts/{maxi.id}"' in managed_by
    assert "Clara Chef" in managed_by  # who linked it
    own = (await admin.get(page_of(maxi))).text
    manages = own.split('id="household-manages"', 1)[1].split("</ul>", 1)[0]
    assert "Lena Muster" in manages and f'href="/staff/contacts/{lena.id}"' in manages
    with tenant_scope(tenant.tenant.id):
        entry = await AuditEntry.get(action="household_linked")
    assert entry.subject_id == lena.id and "Muster" not in entry.details  # ids, no names


@pytest.mark.parametrize(
    ("login", "consent", "field", "message"),
    [
        ("", CONSENT, "login", "Dieses Feld ist ein Pflichtfeld."),
        ("max", "", "consent_note", "mindestens 10 Zeichen"),
        ("max", "ok", "consent_note", "mindestens 10 Zeichen"),
        ("max", "x" * 1001, "consent_note", "höchstens 1000 Zeichen"),
        ("niemand", CONSENT, "login", "Es gibt kein Kundenkonto"),
        ("alpha-admin", CONSENT, "login", "Es gibt kein Kundenkonto"),  # staff are no household
        ("chef@alpha.example", CONSENT, "login", "Es gibt kein Kundenkonto"),
    ],
)
async def test_a_wrong_link_form_is_refused_next_to_its_field(
    family, tenant, login, consent, field, message
) -> None:
    admin, lena = family["admin"], family["lena"]
    refused = await link(admin, lena, login, consent)
    assert refused.status_code == 422
    found = re.search(rf'id="hh-link-{field}-error">([^<]+)<', refused.text)
    assert found and message in found.group(1), refused.text[-3000:]
    assert '<details class="household__form" open id="household-link-form">' in refused.text
    assert f'value="{login}"' in refused.text or not login or len(login) > 100
    assert await links(tenant) == []


async def test_the_own_login_or_a_second_link_is_refused(family, tenant) -> None:
    admin, maxi, lena = family["admin"], family["max"], family["lena"]
    own = await link(admin, maxi, "max")
    assert own.status_code == 422 and "das eigene Benutzerkonto dieses Kontakts" in own.text
    assert (await link(admin, lena, "max")).status_code == 303
    again = await link(admin, lena, "max@kunde.example", "Noch einmal, anders notiert.")
    assert again.status_code == 422 and "verwaltet diesen Kontakt bereits" in again.text
    assert [consent for *_, consent in await links(tenant)] == [CONSENT]


async def test_who_may_link_and_unlink(family, tenant, passwords, client_for) -> None:
    """Managing contacts and seeing the contact; a member who sees only their own contacts
    finds no login of a contact they do not see (and learns nothing of it)."""
    lena, maxi = family["lena"], family["max"]
    await make_staff(tenant, passwords, "ben", "Ben")  # no rights: sees no contact
    await make_staff(tenant, passwords, "mia", "Mia", manages_contacts=True)
    ben, mia = client_for(tenant.hostname), client_for(tenant.hostname)
    await ben.log_in("ben")
    await mia.log_in("mia")
    form = {"login": "max", "consent_note": CONSENT}
    assert (
        await ben.submit(f"{page_of(lena)}/household", form, form_page="/staff")
    ).status_code == 404
    assert (
        await mia.submit(f"{page_of(lena)}/household", form, form_page="/staff")
    ).status_code == 404
    with tenant_scope(tenant.tenant.id):
        mia_id = (await User.get(username="mia")).id
        ben_id = (await User.get(username="ben")).id
        await ContactResponsible.create(contact_id=lena.id, user_id=mia_id)
        await ContactResponsible.create(contact_id=lena.id, user_id=ben_id)
    assert (
        await ben.submit(f"{page_of(lena)}/household", form, form_page="/staff")
    ).status_code == 403
    unseen = await link(mia, lena, "max")
    assert unseen.status_code == 422 and "Es gibt kein Kundenkonto" in unseen.text
    with tenant_scope(tenant.tenant.id):
        await ContactResponsible.create(contact_id=maxi.id, user_id=mia_id)
    assert (await link(mia, lena, "max")).status_code == 303
    [link_id] = [row.id for row in await _rows(tenant)]
    # Mia sees the link from Max's page; once she no longer sees Lena she cannot remove it there
    own_page = (await mia.get(page_of(maxi))).text
    assert f'id="household-unlink-{link_id}"' in own_page
    with tenant_scope(tenant.tenant.id):
        await ContactResponsible.filter(contact_id=lena.id, user_id=mia_id).delete()
    own_page = (await mia.get(page_of(maxi))).text
    assert "Lena Muster" in own_page and f'id="household-unlink-{link_id}"' not in own_page
    assert f'href="/staff/contacts/{lena.id}"' not in own_page
    path = f"{page_of(maxi)}/household/{link_id}/delete"
    assert (await mia.submit(path, form_page=page_of(maxi))).status_code == 404
    assert (await ben.submit(path, form_page="/staff")).status_code == 404  # Max is not Ben's
    assert len(await _rows(tenant)) == 1
    # a link id of another contact through this contact's page: not found
    other = await contact_without_login(tenant, "Olaf")
    bad = f"{page_of(other)}/household/{link_id}/delete"
    assert (await family["admin"].submit(bad, form_page="/staff")).status_code == 404
    done = await family["admin"].submit(path, form_page=page_of(maxi))
    assert done.status_code == 303 and await _rows(tenant) == []
    with tenant_scope(tenant.tenant.id):
        assert await AuditEntry.filter(action="household_unlinked", subject_id=lena.id).count() == 1


async def _rows(tenant: Any) -> list[ContactLink]:
    with tenant_scope(tenant.tenant.id):
        return list(await ContactLink.all())


async def test_another_tenants_login_or_contact_is_not_found(
    family, tenant, other_tenant, passwords, client_for
) -> None:
    theirs = await make_customer(other_tenant, passwords, email="otto@kunde.example")
    admin = family["admin"]
    refused = await link(admin, family["lena"], "otto@kunde.example")
    assert refused.status_code == 422 and await links(tenant) == []
    beta = client_for(other_tenant.hostname)
    await beta.log_in("beta-admin")
    form = {"login": "otto", "consent_note": CONSENT}
    for path in (
        f"{page_of(family['lena'])}/household",
        f"{page_of(family['lena'])}/household/invite",
        f"{page_of(family['lena'])}/household/1/delete",
    ):
        assert (await beta.submit(path, form, form_page="/staff")).status_code == 404
    assert theirs.id != family["lena"].id


async def test_inviting_a_new_person_gives_them_a_login_that_manages_the_contact(
    family, tenant, client_for, deliver
) -> None:
    admin, lena = family["admin"], family["lena"]
    page = page_of(lena)
    invite = {
        "first_name": "Petra",
        "last_name": "Pflege",
        "email": "Petra@Pflege.example",
        "birthdate": "17.08.1977",
        "consent_note": "Lenas Eltern haben der Pflegemutter am 1.12. zugestimmt.",
    }
    wrong = await admin.submit(
        f"{page}/household/invite",
        {**invite, "birthdate": "", "email": "max@kunde.example"},
        form_page=page,
    )
    assert wrong.status_code == 422
    assert 'id="hh-invite-birthdate-error"' in wrong.text
    assert "bereits ein Benutzerkonto" in wrong.text  # Max has a login: link it instead
    assert 'value="Petra"' in wrong.text and "Pflegemutter" in wrong.text
    assert '<details class="household__form" open id="household-invite-form">' in wrong.text
    done = await admin.submit(f"{page}/household/invite", invite, form_page=page)
    assert done.status_code == 303 and "household_invited=1" in done.headers["location"]
    with tenant_scope(tenant.tenant.id):
        petra = await Contact.get(email="petra@pflege.example")
        login = await User.get(contact_id=petra.id)
        assert await ContactLink.filter(user_id=login.id, contact_id=lena.id).exists()
    # her own contact is a contact like any other: no permissions yet
    assert "Petra Pflege" in (await admin.get(page_of(petra))).text
    mail = [m for m in await deliver() if m["To"] == "petra@pflege.example"]
    assert len(mail) == 1
    visitor = client_for(tenant.hostname)
    path = urlsplit(link_in(mail[0])).path
    token = await visitor.csrf(path)
    registered = await visitor.post(
        path,
        data={
            "csrf_token": token,
            "password": GOOD_PASSWORD,
            "password2": GOOD_PASSWORD,
            "pin": "17081977",
        },
        headers={"Origin": f"http://{tenant.hostname}"},
    )
    assert registered.status_code == 200
    await visitor.log_in(login.username, GOOD_PASSWORD)
    assert 'id="nothing-shared"' in (await visitor.get("/portal")).text
    assert current(await switcher(visitor)) == "Petra"
    token = await visitor.csrf("/portal")
    switched = await visitor.post(
        "/portal/household",
        data={"csrf_token": token, "contact_id": str(lena.id)},
        headers={"Origin": f"http://{tenant.hostname}"},
    )
    assert switched.status_code == 303
    assert 'id="tile-insurance"' in (await visitor.get("/portal")).text
    existing = await admin.submit(f"{page}/household/invite", invite, form_page=page)
    assert existing.status_code == 422 and "bereits ein Benutzerkonto" in existing.text


async def test_a_contact_page_without_the_right_shows_the_links_but_no_forms(
    family, tenant, passwords, client_for
) -> None:
    await link(family["admin"], family["lena"], "max")
    await make_staff(tenant, passwords, "ben", "Ben", sees_all_contacts=True)
    ben = client_for(tenant.hostname)
    await ben.log_in("ben")
    page = (await ben.get(page_of(family["lena"]))).text
    assert "Max Muster" in page
    assert "household-link-form" not in page and "household-unlink-" not in page


async def test_a_household_login_that_is_deactivated_is_shown_so(family, tenant) -> None:
    admin, lena = family["admin"], family["lena"]
    await link(admin, lena, "max")
    await admin.submit(
        f"{page_of(family['max'])}/login/deactivate", form_page=page_of(family["max"])
    )
    page = (await admin.get(page_of(lena))).text
    assert "Anmeldung deaktiviert" in page.split('id="household"', 1)[1]
    assert CUSTOMER_PASSWORD  # the login's password stays; only the login is locked
