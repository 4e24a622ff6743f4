"""The settings page's "Kunden-App" section: module switches, recommended categories, what an
accepted offer becomes, the broker's status under § 34d GewO and the chamber."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tenant_app.models.folders import AuditEntry, Contract
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant
from tests.conftest import CUSTOMER_PASSWORD, make_customer
from tests.folder_helpers import add_contract
from tests.html_forms import form_fields
from tests.web.test_du_tenant import visible_text
from tests.web.test_tickets import make_staff

SETTINGS = "/staff/settings"
SAVE = "/staff/settings/customer-app"
ACTION = f"{SAVE}#customer-app"
COLUMNS = ("modules", "recommended_categories", "offer_accepted_status", "broker_status")
CHOICES = {
    "module_offers": "",
    "module_claims": "",
    "module_first_information": "on",
    "module_push": "",
    "module_new_customers": "on",
    "module_chat": "",
    "category_policy": "on",
    "category_invoice": "",
    "category_identity": "on",
    "offer_accepted_status": "start",
    "broker_status": "berater",
    "broker_chamber": " IHK München ",
}


async def stored(tenant: Any) -> dict[str, Any]:
    with tenant_scope(tenant.tenant.id):
        row = await Tenant.filter(id=tenant.tenant.id).values(*COLUMNS, "broker_chamber")
    return row[0]


async def save(client: Any, values: dict[str, str]) -> Any:
    loaded = form_fields((await client.get(SETTINGS)).text, ACTION)
    merged = {name: value for name, value in {**loaded, **values}.items() if value != ""}
    return await client.submit(SAVE, merged, form_page=SETTINGS)


async def test_the_form_shows_the_stored_choices(client, tenant) -> None:
    await client.log_in("alpha-admin")
    page = await client.get(SETTINGS)
    assert page.status_code == 200
    fields = form_fields(page.text, ACTION)
    for on in ("module_offers", "module_claims", "category_policy", "category_invoice"):
        assert fields[on] == "on", on
    assert "module_new_customers" not in fields and "category_identity" not in fields
    assert fields["offer_accepted_status"] == "active" and fields["broker_status"] == "makler"
    text = visible_text(page.text)
    assert "Kunden-App" in text
    assert "Versicherungsmakler mit Erlaubnis nach § 34d Abs. 1 GewO" in text
    options = page.text.split('id="f-offer_accepted_status"', 1)[1].split("</select>", 1)[0]
    assert 'value="offer"' not in options and 'value="ended"' in options


async def test_saving_switches_modules_and_the_portal_follows(
    client, client_for, tenant, passwords
) -> None:
    contact = await make_customer(tenant, passwords, insurance_share=True)
    offer = await add_contract(tenant, contact, status="offer", number="A-1")
    with tenant_scope(tenant.tenant.id):
        await Contract.filter(id=offer.id).update(valid_until=date.today() + timedelta(days=9))
    customer = client_for(tenant.hostname)
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    assert 'id="home-offers"' in (await customer.get("/portal")).text
    await client.log_in("alpha-admin")
    saved = await save(client, CHOICES)
    assert saved.status_code == 303
    page = await client.get(saved.headers["location"])
    assert "Einstellungen der Kunden-App gespeichert." in visible_text(page.text)
    assert await stored(tenant) == {
        "modules": "first_information,new_customers",
        "recommended_categories": "policy,identity",
        "offer_accepted_status": "start",
        "broker_status": "berater",
        "broker_chamber": "IHK München",
    }
    with tenant_scope(tenant.tenant.id):
        assert await AuditEntry.filter(action="portal_settings_saved").count() == 1
    assert 'id="home-offers"' not in (await customer.get("/portal")).text  # cache emptied
    assert (await save(client, {"module_offers": "on"})).status_code == 303
    assert 'id="home-offers"' in (await customer.get("/portal")).text


async def test_invalid_choices_are_shown_at_their_fields_and_change_nothing(client, tenant) -> None:
    await client.log_in("alpha-admin")
    before = await stored(tenant)
    wrong = {
        **CHOICES,
        "offer_accepted_status": "offer",
        "broker_status": "kaufmann",
        "broker_chamber": "I" * 201,
    }
    refused = await save(client, wrong)
    assert refused.status_code == 422
    expected = {
        "offer_accepted_status": "Bitte wählen Sie einen Vertragsstatus.",
        "broker_status": "§ 34d GewO",
        "broker_chamber": "Bitte höchstens 200 Zeichen eingeben.",
    }
    for name, message in expected.items():
        error = refused.text.split(f'id="f-{name}-error">', 1)[1].split("</p>", 1)[0]
        assert message in error, name
    assert form_fields(refused.text, ACTION)["broker_chamber"] == "I" * 201
    assert form_fields(refused.text, ACTION)["module_new_customers"] == "on"  # input kept
    assert await stored(tenant) == before
    with tenant_scope(tenant.tenant.id):
        assert not await AuditEntry.filter(action="portal_settings_saved").exists()


async def test_a_save_from_a_stale_form_changes_nothing(client, tenant) -> None:
    await client.log_in("alpha-admin")
    loaded = form_fields((await client.get(SETTINGS)).text, ACTION)
    first = await client.submit(SAVE, {**loaded, "broker_chamber": "IHK Köln"}, form_page=SETTINGS)
    assert first.status_code == 303
    stale = {**loaded, "broker_chamber": "IHK Bonn"}
    refused = await client.submit(SAVE, stale, form_page=SETTINGS)
    assert refused.status_code == 409
    assert "IHK Köln" in visible_text(refused.text)
    assert (await stored(tenant))["broker_chamber"] == "IHK Köln"


async def test_only_who_manages_settings_may_save_and_tenants_stay_apart(
    client, client_for, tenant, other_tenant, passwords
) -> None:
    await make_staff(tenant, passwords, "ben", "Ben", manages_contacts=True)
    await make_customer(tenant, passwords)
    ben, kai = client_for(tenant.hostname), client_for(tenant.hostname)
    await ben.log_in("ben")
    await kai.log_in("kai", CUSTOMER_PASSWORD)
    for who, page in ((ben, "/staff"), (kai, "/portal")):
        token = await who.csrf(page)
        refused = await who.post(
            SAVE,
            data={"csrf_token": token, **CHOICES, "version": "1"},
            headers={"Origin": f"http://{tenant.hostname}"},
        )
        assert refused.status_code in (403, 404)
    assert (await stored(tenant))["modules"] == "offers,claims,first_information,push,chat"
    beta = client_for(other_tenant.hostname)
    await beta.log_in("beta-admin")
    assert (await save(beta, CHOICES)).status_code == 303
    assert (await stored(tenant))["modules"] == "offers,claims,first_information,push,chat"
    assert (await stored(other_tenant))["modules"] == "first_information,new_customers"
