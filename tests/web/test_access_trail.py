"""The customer's access trail ("Zugriffe auf meine Daten"): what the broker's staff did with
their data, as the customer reads it; and the broker's choice of naming staff there."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from tenant_app.models.accounts import User
from tenant_app.models.activity import Event
from tenant_app.models.folders import AuditEntry, Contract, CustomerAccess
from tenant_app.models.households import ContactLink
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant
from tenant_app.services.access_trail import PAGE_SIZE
from tenant_app.tenancy import tenant_cache
from tenant_app.text.formatting import as_local
from tests.conftest import CUSTOMER_PASSWORD, make_customer, page_queries
from tests.folder_helpers import add_contract, add_document
from tests.html_forms import form_fields
from tests.web.test_du_tenant import visible_text
from tests.web.test_tickets import make_staff

TRAIL = "/portal/trail"
SETTINGS = "/staff/settings"
SAVE = "/staff/settings/access-trail"
ACTION = f"{SAVE}#access-trail-setting"  # the form's action on the settings page
ADMIN_NAME = "Clara Chef"


def main_text(html: str) -> str:
    """What the page's main content says (not the navigation)."""
    return visible_text(html.split("<main", 1)[1].split(">", 1)[1].split("</main>", 1)[0])


@pytest.fixture
async def office(tenant, passwords, settings, client_for) -> SimpleNamespace:
    """Kai (insurance shared with him, finance hidden) with a policy in each folder, and an
    unshared note in insurance; the admin Clara and Kai logged in."""
    kai = await make_customer(
        tenant, passwords, insurance_unlock=True, insurance_share=True, profile_visible=True
    )
    policy = await add_document(tenant, settings, kai, title="Police Hausrat")
    hidden = await add_document(tenant, settings, kai, folder="finance", title="Depotauszug")
    internal = await add_document(tenant, settings, kai, title="Interne Notiz", shared=False)
    admin, customer = client_for(tenant.hostname), client_for(tenant.hostname)
    await admin.log_in("alpha-admin")
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    return SimpleNamespace(
        kai=kai, policy=policy, hidden=hidden, internal=internal, admin=admin, customer=customer
    )


async def trail_of(client: Any) -> str:
    response = await client.get(TRAIL)
    assert response.status_code == 200
    return main_text(response.text)


async def choose(admin: Any, choice: str) -> Any:
    loaded = form_fields((await admin.get(SETTINGS)).text, ACTION)
    return await admin.submit(SAVE, {**loaded, "trail_names": choice}, form_page=SETTINGS)


async def test_the_customer_sees_who_opened_their_document_and_when(tenant, office) -> None:
    assert "Noch keine Einträge." in await trail_of(office.customer)
    download = await office.admin.get(f"/staff/documents/{office.policy.id}/download")
    assert download.status_code == 200
    text = await trail_of(office.customer)
    assert "Clara Chef hat Ihr Dokument Police Hausrat geöffnet" in text
    with tenant_scope(tenant.tenant.id):
        opened = await Event.get(kind="document_opened")
    assert f"Heute {as_local(opened.created_at):%H:%M} Clara Chef hat" in text
    assert "Hier sehen Sie, wann jemand in Ihrem Maklerbüro" in text  # what the page shows
    nav = (await office.customer.get(TRAIL)).text.split("<main", 1)[0]
    assert 'href="/portal/trail" aria-current="page"' in nav  # in the portal's sidebar


async def test_with_names_off_the_trail_says_your_brokers_office(tenant, office) -> None:
    await office.admin.get(f"/staff/documents/{office.policy.id}/preview")
    assert (await choose(office.admin, "office")).status_code == 303
    text = await trail_of(office.customer)
    assert "Ihr Maklerbüro hat Ihr Dokument Police Hausrat geöffnet" in text
    assert ADMIN_NAME not in text
    assert (await choose(office.admin, "names")).status_code == 303
    assert "Clara Chef hat Ihr Dokument Police Hausrat geöffnet" in await trail_of(office.customer)


async def test_a_du_tenant_says_du(tenant, office) -> None:
    with tenant_scope(tenant.tenant.id):
        await Tenant.filter(id=tenant.tenant.id).update(address_form="du")
    tenant_cache.invalidate()
    await office.admin.get(f"/staff/documents/{office.policy.id}/download")
    await choose(office.admin, "office")
    text = await trail_of(office.customer)
    assert "Dein Maklerbüro hat dein Dokument Police Hausrat geöffnet" in text
    assert "Hier siehst du, wann jemand in deinem Maklerbüro" in text


async def test_another_customer_and_another_tenant_never_see_it(
    tenant, other_tenant, passwords, settings, office, client_for
) -> None:
    await office.admin.get(f"/staff/documents/{office.policy.id}/download")
    await make_customer(tenant, passwords, email="lena@kunde.example", first_name="Lena")
    lena = client_for(tenant.hostname)
    await lena.log_in("lena", CUSTOMER_PASSWORD)
    assert "Police Hausrat" not in await trail_of(lena)
    await make_customer(other_tenant, passwords, insurance_unlock=True, insurance_share=True)
    beta_kai = client_for(other_tenant.hostname)
    await beta_kai.log_in("kai", CUSTOMER_PASSWORD)
    assert "Noch keine Einträge." in await trail_of(beta_kai)
    # Kai's session cookie carried to the other tenant's host by hand: no one is logged in.
    cookie = "; ".join(f"{name}={value}" for name, value in office.customer.cookies.items())
    stranger = await client_for(other_tenant.hostname).get(TRAIL, headers={"Cookie": cookie})
    assert stranger.status_code == 303 and "Police" not in stranger.text


async def test_entries_about_what_the_customer_cannot_see_are_not_listed(
    tenant, settings, office
) -> None:
    """A document in a folder hidden from him, one not shared with him, a contract in the
    hidden folder: not listed. One since deleted: listed, but not by its name."""
    for document in (office.hidden, office.internal, office.policy):
        response = await office.admin.get(f"/staff/documents/{document.id}/download")
        assert response.status_code == 200
    hidden_contract = await add_contract(tenant, office.kai, "finance", number="F-1")
    shown_contract = await add_contract(tenant, office.kai, number="V-1")
    for contract in (hidden_contract, shown_contract):
        page = f"/staff/contacts/{office.kai.id}/contracts/{contract.id}"
        loaded = form_fields((await office.admin.get(page)).text, page)
        saved = await office.admin.submit(page, {**loaded, "insurance_number": "NEU-2"})
        assert saved.status_code == 303
    gone = await add_document(tenant, settings, office.kai, title="Alter Antrag")
    await office.admin.get(f"/staff/documents/{gone.id}/download")
    with tenant_scope(tenant.tenant.id):
        await gone.delete()
    text = await trail_of(office.customer)
    assert "Depotauszug" not in text and "Interne Notiz" not in text
    assert "F-1" not in text
    assert "Clara Chef hat Ihren Vertrag Hausrat · Condor" in text
    assert "V-1 → NEU-2" in text  # the changed field, old → new
    assert "Alter Antrag" not in text
    assert "Clara Chef hat Ihr Dokument (inzwischen gelöscht) geöffnet" in text
    assert text.count("hat Ihr Dokument") == 2


async def test_staff_changes_to_personal_data_and_viewing_as_the_customer(tenant, office) -> None:
    page = f"/staff/contacts/{office.kai.id}/edit"
    loaded = form_fields((await office.admin.get(page)).text, page)
    saved = await office.admin.submit(page, {**loaded, "street": "Neuer Weg 5"})
    assert saved.status_code == 303
    detail = f"/staff/contacts/{office.kai.id}"
    started = await office.admin.submit(f"{detail}/view-as", form_page=detail)
    assert started.status_code == 303
    text = await trail_of(office.customer)
    assert "Clara Chef hat Ihre persönlichen Daten geändert" in text
    assert "Neuer Weg 5" in text
    assert "Clara Chef hat Ihr Portal so angesehen, wie Sie es sehen" in text
    # personal data the broker does not show the customer are not shown here either
    with tenant_scope(tenant.tenant.id):
        await CustomerAccess.filter(contact_id=office.kai.id).update(profile_visible=False)
    text = await trail_of(office.customer)
    assert "hat Ihre persönlichen Daten geändert" not in text and "Neuer Weg 5" not in text
    assert "Clara Chef hat Ihr Portal so angesehen, wie Sie es sehen" in text


async def test_a_household_login_sees_the_trail_of_the_contact_it_chose(
    tenant, passwords, office, client_for
) -> None:
    nora = await make_customer(tenant, passwords, email="nora@kunde.example", first_name="Nora")
    with tenant_scope(tenant.tenant.id):
        nora_login = await User.get(contact_id=nora.id)
        await ContactLink.create(user_id=nora_login.id, contact_id=office.kai.id)
    await office.admin.get(f"/staff/documents/{office.policy.id}/download")
    client = client_for(tenant.hostname)
    await client.log_in("nora", CUSTOMER_PASSWORD)
    assert "Police Hausrat" not in await trail_of(client)
    chosen = await client.submit(
        "/portal/household", {"contact_id": str(office.kai.id)}, form_page="/portal"
    )
    assert chosen.status_code == 303
    assert "Clara Chef hat Ihr Dokument Police Hausrat geöffnet" in await trail_of(client)


async def test_the_trail_goes_back_page_by_page_in_the_same_few_queries(tenant, office) -> None:
    now = datetime.now(UTC)
    with tenant_scope(tenant.tenant.id):
        admin = await User.get(username="alpha-admin")
        for n in range(PAGE_SIZE + 2):
            event = await Event.create(
                kind="document_opened",
                actor_id=admin.id,
                actor_kind="staff",
                actor_name=ADMIN_NAME,
                contact_id=office.kai.id,
                object_type="document",
                object_id=office.policy.id,
                folder="insurance",
                title=f"Police {n:02d}",
            )
            await Event.filter(id=event.id).update(created_at=now - timedelta(days=n))
    first = await office.customer.get(TRAIL)
    text = main_text(first.text)
    assert "Police 00" in text and f"Police {PAGE_SIZE - 1}" in text
    assert f"Police {PAGE_SIZE}" not in text
    assert "Heute" in text and "Gestern" in text
    assert 'href="/portal/trail?page=2" rel="next"' in first.text
    second = main_text((await office.customer.get(f"{TRAIL}?page=2")).text)
    assert f"Police {PAGE_SIZE}" in second and f"Police {PAGE_SIZE + 1}" in second
    assert "Police 00" not in second and "Ältere Einträge" not in second
    assert "Keine älteren Einträge." in await trail_of_page(office.customer, 3)
    many = await page_queries(office.customer, TRAIL)
    with tenant_scope(tenant.tenant.id):
        await Event.filter(contact_id=office.kai.id).delete()
    assert await page_queries(office.customer, TRAIL) == many


async def trail_of_page(client: Any, page: int) -> str:
    return main_text((await client.get(f"{TRAIL}?page={page}")).text)


async def test_the_setting_validates_and_keeps_concurrent_saves_apart(tenant, office) -> None:
    loaded = form_fields((await office.admin.get(SETTINGS)).text, ACTION)
    assert loaded["trail_names"] == "names"
    refused = await office.admin.submit(SAVE, {**loaded, "trail_names": "x"}, form_page=SETTINGS)
    assert refused.status_code == 422
    assert "Bitte wählen Sie, wie Mitarbeitende genannt werden." in refused.text
    saved = await office.admin.submit(SAVE, {**loaded, "trail_names": "office"}, form_page=SETTINGS)
    assert saved.status_code == 303
    stale = await office.admin.submit(SAVE, {**loaded, "trail_names": "names"}, form_page=SETTINGS)
    assert stale.status_code == 409
    assert "Jetzt gespeichert: „Ihr Maklerbüro“ schreiben" in visible_text(stale.text)
    with tenant_scope(tenant.tenant.id):
        assert not (await Tenant.get(id=tenant.tenant.id)).trail_shows_staff_names
        admin = await User.get(username="alpha-admin")
        audit = await AuditEntry.filter(action="trail_names_changed").values_list(
            "actor_id", "details"
        )
    assert audit == [(admin.id, "office")]  # who set it to what (the refused ones: nothing)


async def test_only_those_who_manage_settings_may_change_it(
    tenant, passwords, office, client_for
) -> None:
    await make_staff(tenant, passwords, "ben", "Ben", manages_contacts=True)
    await make_staff(tenant, passwords, "sina", "Sina", manages_settings=True)
    ben, sina = client_for(tenant.hostname), client_for(tenant.hostname)
    await ben.log_in("ben")
    await sina.log_in("sina")
    token = await ben.csrf("/staff")
    refused = await ben.post(
        SAVE,
        data={"csrf_token": token, "trail_names": "office", "version": "1"},
        headers={"Origin": f"http://{tenant.hostname}"},
    )
    assert refused.status_code == 403
    token = await office.customer.csrf(TRAIL)
    as_customer = await office.customer.post(
        SAVE,
        data={"csrf_token": token, "trail_names": "office", "version": "1"},
        headers={"Origin": f"http://{tenant.hostname}"},
    )
    assert as_customer.status_code in (403, 404)
    with tenant_scope(tenant.tenant.id):
        assert (await Tenant.get(id=tenant.tenant.id)).trail_shows_staff_names
    assert (await choose(sina, "office")).status_code == 303
    with tenant_scope(tenant.tenant.id):
        assert not (await Tenant.get(id=tenant.tenant.id)).trail_shows_staff_names
        assert not await Contract.exists()  # nothing else was touched
