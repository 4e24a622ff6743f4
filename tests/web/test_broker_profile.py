"""The broker profile (settings page) and what the customer's portal home shows of it: the
broker card with the logo, and the "Ihr Berater" card of the contact's responsible staff
member with a button to write to them."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from tenant_app.demo.logo import logo_png
from tenant_app.models.accounts import User
from tenant_app.models.contacts import ContactResponsible
from tenant_app.models.folders import AuditEntry, CustomerAccess
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant
from tenant_app.services import branding
from tenant_app.tenancy import tenant_cache
from tenant_app.text.legal_rules import PROFILE_COLUMNS
from tests.conftest import CUSTOMER_PASSWORD, actor_of, make_customer
from tests.html_forms import form_fields
from tests.test_mail_forms import SIE
from tests.web.test_du_tenant import visible_text
from tests.web.test_tickets import make_staff

SETTINGS = "/staff/settings"
SAVE = "/staff/settings/broker-profile"
ACTION = f"{SAVE}#broker-profile"  # the form's action on the settings page
PROFILE = {
    "broker_firm_name": "Muster & Partner Versicherungsmakler",
    "broker_legal_form": "GmbH",
    "broker_phone": "0221 98765-0",
    "broker_street": "Hohenzollernring 42",
    "broker_postal_code": "50672",
    "broker_city": "Köln",
    "broker_email": "Service@Muster-Partner.example",
    "broker_opening_hours": "Mo–Do 9–17 Uhr\r\nFr 9–14 Uhr",
    "broker_register_number": "d-m7k2-qx4tr-58",
    "broker_number": "MP-4711",
}
EMPTY = dict.fromkeys(PROFILE, "")


def main_text(html: str) -> str:
    """What the page's main content says (not the navigation)."""
    return visible_text(html.split("<main", 1)[1].split(">", 1)[1].split("</main>", 1)[0])


def section(html: str, element_id: str) -> str:
    """The visible text inside the card with `element_id`."""
    return visible_text(
        html.split(f'id="{element_id}"', 1)[1].split(">", 1)[1].split("</section>")[0]
    )


async def stored_profile(tenant: Any) -> dict[str, Any]:
    with tenant_scope(tenant.tenant.id):
        row = await Tenant.filter(id=tenant.tenant.id).values(*PROFILE, "version")
    return row[0]


async def blank_profile(tenant: Any) -> None:
    """The fixture tenants come with a complete profile (tests/conftest.py): these tests start
    from none."""
    await Tenant.filter(id=tenant.tenant.id).update(**dict.fromkeys(PROFILE_COLUMNS, ""))
    tenant_cache.invalidate()


async def save(client: Any, values: dict[str, str]) -> Any:
    loaded = form_fields((await client.get(SETTINGS)).text, ACTION)
    return await client.submit(SAVE, {**loaded, **values}, form_page=SETTINGS)


@pytest.fixture
async def office(tenant, passwords, client_for) -> SimpleNamespace:
    """Kai (communication on) with Anna Team as his responsible staff member; the admin and
    Kai logged in."""
    await blank_profile(tenant)
    anna = await make_staff(tenant, passwords, "anna", "Anna", handles_tickets=True)
    with tenant_scope(tenant.tenant.id):
        await User.filter(id=anna.id).update(phone="0221 98765-12")
    kai = await make_customer(tenant, passwords, communication=True, profile_visible=True)
    with tenant_scope(tenant.tenant.id):
        await ContactResponsible.create(contact_id=kai.id, user_id=anna.id)
    admin, customer = client_for(tenant.hostname), client_for(tenant.hostname)
    await admin.log_in("alpha-admin")
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    return SimpleNamespace(anna=anna, kai=kai, admin=admin, customer=customer)


async def test_the_admin_saves_the_profile_and_the_customer_home_shows_it(tenant, office) -> None:
    with tenant_scope(tenant.tenant.id):
        await branding.replace_asset(await actor_of("alpha-admin"), kind="logo", data=logo_png())
    tenant_cache.invalidate()
    home = await office.customer.get("/portal")
    assert 'id="broker-card"' not in home.text  # nothing filled in yet: no card
    saved = await save(office.admin, PROFILE)
    assert saved.status_code == 303
    page = await office.admin.get(saved.headers["location"])
    assert "Maklerprofil gespeichert." in visible_text(page.text)
    assert form_fields(page.text, ACTION)["broker_firm_name"] == PROFILE["broker_firm_name"]
    stored = await stored_profile(tenant)
    assert stored["broker_register_number"] == "D-M7K2-QX4TR-58"  # as the register writes it
    assert stored["broker_email"] == "service@muster-partner.example"
    assert stored["broker_opening_hours"] == "Mo–Do 9–17 Uhr\nFr 9–14 Uhr"
    with tenant_scope(tenant.tenant.id):
        assert await AuditEntry.filter(action="broker_profile_saved").count() == 1

    home = (await office.customer.get("/portal")).text
    card = section(home, "broker-card")
    assert "Muster & Partner Versicherungsmakler GmbH" in card
    for shown in ("Hohenzollernring 42", "50672 Köln", "Mo–Do 9–17 Uhr", "Fr 9–14 Uhr"):
        assert shown in card
    assert "Vermittlerregisternummer D-M7K2-QX4TR-58" in card
    assert "Makler-ID MP-4711" in card
    assert 'href="tel:022198765-0"' not in home and 'href="tel:0221987650"' in home
    assert 'href="mailto:service@muster-partner.example"' in home
    assert 'class="broker-card__logo" src="/branding/logo?v=' in home
    advisor = section(home, "advisor-card")
    assert advisor.startswith("Ihr Berater Anna Team")
    assert 'href="tel:02219876512"' in home and 'href="mailto:anna@alpha.example"' in home
    assert f'href="/portal/tickets/new?to={office.anna.id}"' in home
    assert "Nachricht schreiben" in advisor


async def test_the_write_button_preselects_the_advisor(tenant, passwords, office) -> None:
    """Anna is the contact's first responsible member by id; Berta Adler comes first by name,
    so she is the advisor, and her button chooses her in the new-ticket form."""
    berta = await make_staff(tenant, passwords, "berta", "Berta", handles_tickets=True)
    with tenant_scope(tenant.tenant.id):
        await User.filter(id=berta.id).update(last_name="Adler")
        await ContactResponsible.create(contact_id=office.kai.id, user_id=berta.id)
    home = (await office.customer.get("/portal")).text
    assert "Berta Adler" in main_text(home) and "Anna Team" not in main_text(home)
    form = (await office.customer.get(f"/portal/tickets/new?to={berta.id}")).text
    assert form_fields(form, "/portal/tickets")["staff_id"] == str(berta.id)
    plain = (await office.customer.get("/portal/tickets/new")).text  # without: the usual one
    assert form_fields(plain, "/portal/tickets")["staff_id"] == str(office.anna.id)
    stranger = (await office.customer.get("/portal/tickets/new?to=999999")).text
    assert form_fields(stranger, "/portal/tickets")["staff_id"] == str(office.anna.id)


async def test_invalid_values_are_shown_at_their_fields_and_change_nothing(tenant, office) -> None:
    before = await stored_profile(tenant)
    wrong = {
        **PROFILE,
        "broker_email": "service at muster",
        "broker_register_number": "12345",
        "broker_firm_name": "M" * 201,
        "broker_postal_code": "5067A",
        "broker_phone": "0221 call me",
        "broker_opening_hours": "\n".join(f"Zeile {n}" for n in range(9)),
    }
    refused = await save(office.admin, wrong)
    assert refused.status_code == 422
    fields = form_fields(refused.text, ACTION)
    assert fields["broker_firm_name"] == "M" * 201  # the input is kept
    assert fields["broker_city"] == "Köln"
    expected = {
        "broker_email": "Bitte geben Sie eine gültige E-Mail-Adresse ein.",
        "broker_register_number": "D- und Gruppen aus Buchstaben und Ziffern",
        "broker_firm_name": "Bitte höchstens 200 Zeichen eingeben.",
        "broker_postal_code": "Bitte geben Sie die PLZ mit 4 oder 5 Ziffern ein.",
        "broker_phone": "Bitte eine Telefonnummer aus Ziffern",
        "broker_opening_hours": "Bitte höchstens 8 Zeilen verwenden.",
    }
    for name, message in expected.items():
        error = refused.text.split(f'id="f-{name}-error">', 1)[1].split("</p>", 1)[0]
        assert message in error, name
    assert 'id="f-broker_city-error"' not in refused.text
    assert await stored_profile(tenant) == before
    with tenant_scope(tenant.tenant.id):
        assert not await AuditEntry.filter(action="broker_profile_saved").exists()


async def test_a_save_from_a_stale_form_changes_nothing(tenant, office) -> None:
    loaded = form_fields((await office.admin.get(SETTINGS)).text, ACTION)
    first = await office.admin.submit(SAVE, {**loaded, **PROFILE}, form_page=SETTINGS)
    assert first.status_code == 303
    stale = {**loaded, **PROFILE, "broker_city": "Bonn"}
    refused = await office.admin.submit(SAVE, stale, form_page=SETTINGS)
    assert refused.status_code == 409
    text = visible_text(refused.text)
    assert "Jetzt gespeichert: Köln" in text  # next to the city
    assert form_fields(refused.text, ACTION)["broker_city"] == "Bonn"
    assert (await stored_profile(tenant))["broker_city"] == "Köln"
    again = await office.admin.submit(  # the refused form carries the stored version now
        SAVE, form_fields(refused.text, ACTION), form_page=SETTINGS
    )
    assert again.status_code == 303
    assert (await stored_profile(tenant))["broker_city"] == "Bonn"


async def test_only_who_manages_settings_may_see_or_save_it(
    tenant, passwords, office, client_for
) -> None:
    await make_staff(tenant, passwords, "ben", "Ben", manages_contacts=True, manages_users=True)
    await make_staff(tenant, passwords, "sina", "Sina", manages_settings=True)
    ben, sina = client_for(tenant.hostname), client_for(tenant.hostname)
    await ben.log_in("ben")
    await sina.log_in("sina")
    assert (await ben.get(SETTINGS)).status_code == 403
    for client, page in ((ben, "/staff"), (office.customer, "/portal")):
        token = await client.csrf(page)
        refused = await client.post(
            SAVE,
            data={"csrf_token": token, **PROFILE, "version": "1"},
            headers={"Origin": f"http://{tenant.hostname}"},
        )
        assert refused.status_code in (403, 404)
    assert (await stored_profile(tenant))["broker_city"] == ""
    assert (await save(sina, PROFILE)).status_code == 303
    assert (await stored_profile(tenant))["broker_city"] == "Köln"


async def test_another_tenant_never_sees_the_profile(
    tenant, other_tenant, passwords, office, client_for
) -> None:
    await blank_profile(other_tenant)
    assert (await save(office.admin, PROFILE)).status_code == 303
    await make_customer(other_tenant, passwords, email="bea@kunde.example", communication=True)
    bea, beta_admin = client_for(other_tenant.hostname), client_for(other_tenant.hostname)
    await bea.log_in("bea", CUSTOMER_PASSWORD)
    await beta_admin.log_in("beta-admin")
    home = (await bea.get("/portal")).text
    assert 'id="broker-card"' not in home and "Muster" not in home
    assert 'id="advisor-card"' not in home
    settings_page = (await beta_admin.get(SETTINGS)).text
    assert form_fields(settings_page, ACTION)["broker_firm_name"] == ""
    assert (await save(beta_admin, {"broker_city": "Hamburg"})).status_code == 303
    assert (await stored_profile(tenant))["broker_city"] == "Köln"
    assert (await stored_profile(other_tenant))["broker_city"] == "Hamburg"


async def test_no_advisor_card_without_an_active_responsible_member(tenant, office) -> None:
    with tenant_scope(tenant.tenant.id):
        await User.filter(id=office.anna.id).update(is_active=False)
    home = (await office.customer.get("/portal")).text
    assert 'id="advisor-card"' not in home and "Anna" not in main_text(home)
    with tenant_scope(tenant.tenant.id):
        await User.filter(id=office.anna.id).update(is_active=True)
        await ContactResponsible.all().delete()
    home = (await office.customer.get("/portal")).text
    assert 'id="advisor-card"' not in home and "Berater" not in home


async def test_empty_fields_are_not_shown(tenant, office) -> None:
    with tenant_scope(tenant.tenant.id):
        await User.filter(id=office.anna.id).update(phone="")
    assert (await save(office.admin, {"broker_city": "Köln"})).status_code == 303
    home = (await office.customer.get("/portal")).text
    card = home.split('id="broker-card"', 1)[1].split("</section>", 1)[0]
    assert "Alpha Versicherungsmakler GmbH" in card  # no firm name entered: the tenant's
    assert "Köln" in card
    for absent in ("tel:", "mailto:", "broker-hours", "Vermittlerregister", "Makler-ID"):
        assert absent not in card
    advisor = home.split('id="advisor-card"', 1)[1].split("</section>", 1)[0]
    assert "tel:" not in advisor and "mailto:anna@alpha.example" in advisor


async def test_the_write_button_needs_communication(tenant, office) -> None:
    with tenant_scope(tenant.tenant.id):
        await CustomerAccess.filter(contact_id=office.kai.id).update(communication=False)
    home = (await office.customer.get("/portal")).text
    assert 'id="advisor-card"' in home and 'id="advisor-write"' not in home
    with tenant_scope(tenant.tenant.id):
        await CustomerAccess.filter(contact_id=office.kai.id).update(communication=True)
        await User.filter(id=office.anna.id).update(handles_tickets=False)
    home = (await office.customer.get("/portal")).text  # Anna receives no customer messages
    assert 'id="advisor-card"' in home and 'id="advisor-write"' not in home


async def test_a_du_tenant_says_dein_berater(tenant, office) -> None:
    assert (await save(office.admin, PROFILE)).status_code == 303
    with tenant_scope(tenant.tenant.id):
        await Tenant.filter(id=tenant.tenant.id).update(address_form="du")
    tenant_cache.invalidate()
    home = (await office.customer.get("/portal")).text
    cards = visible_text(home.split('id="home-cards"', 1)[1].split('id="modules"', 1)[0])
    assert "Dein Berater Anna Team" in cards and "Nachricht schreiben" in cards
    assert not SIE.search(cards)


async def test_staff_have_a_phone_of_their_own(tenant, office) -> None:
    page = f"/staff/users/{office.anna.id}"
    loaded = form_fields((await office.admin.get(page)).text, page)
    assert loaded["phone"] == "0221 98765-12"
    loaded["birthdate"] = "1985-04-03"  # make_staff leaves it out; the form requires it
    refused = await office.admin.submit(page, {**loaded, "phone": "ruf mich an"})
    assert refused.status_code == 422
    assert 'id="f-phone-error"' in refused.text
    with tenant_scope(tenant.tenant.id):
        assert (await User.get(id=office.anna.id)).phone == "0221 98765-12"
    saved = await office.admin.submit(page, {**loaded, "phone": " +49 (0)221 555-7 "})
    assert saved.status_code == 303
    with tenant_scope(tenant.tenant.id):
        assert (await User.get(id=office.anna.id)).phone == "+49 (0)221 555-7"
    home = (await office.customer.get("/portal")).text
    assert 'href="tel:+492215557"' in home and "+49 (0)221 555-7" in home
    new = await office.admin.submit(
        "/staff/users",
        {
            "first_name": "Nina",
            "last_name": "Neu",
            "email": "nina@alpha.example",
            "birthdate": "1991-02-03",
            "phone": "030 1234567",
            "role": "mitarbeiter",
        },
        form_page="/staff/users/new",
    )
    assert new.status_code == 303, visible_text(new.text)
    with tenant_scope(tenant.tenant.id):
        assert (await User.get(email="nina@alpha.example")).phone == "030 1234567"
