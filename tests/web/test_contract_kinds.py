"""Contracts that are not insurance: each folder asks for the fields that fit it, and every
demo contract follows the same rules (its edit form saves unchanged)."""

from __future__ import annotations

import html

import pytest

from tenant_app.demo.seed import ADMIN, DEMO_SLUG, ensure_demo
from tenant_app.files.storage import LocalStorage
from tenant_app.models.folders import Contract, Insurer
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant
from tests.conftest import CUSTOMER_PASSWORD, make_customer
from tests.html_forms import form_fields

ELECTRICITY = {
    "product_line": "Strom",
    "insurer": "Stadtwerke München",  # a provider, not in the insurer catalogue
    "insurance_number": "",  # a contract number is not required here
    "gross_premium": "89,00",
    "payment_frequency": "monthly",
    "payment_method": "direct_debit",
}


async def _stored(tenant, folder: str) -> Contract:
    with tenant_scope(tenant.tenant.id):
        return await Contract.get(folder=folder)


async def test_staff_record_an_electricity_contract(client, tenant, passwords) -> None:
    contact = await make_customer(tenant, passwords)
    await client.log_in("alpha-admin")
    base = f"/staff/contacts/{contact.id}/folders/other"
    page = (await client.get(f"{base}/contracts/new")).text
    start = page.index('<form class="form card"')
    form = page[start : page.index("</form>", start)]
    assert "Anbieter" in form and "Vertragsart" in form
    assert "Versicherungsnummer" not in form and "Versicherer" not in form
    saved = await client.submit(
        f"{base}/contracts", {**ELECTRICITY, "status": "active"}, form_page=f"{base}/contracts/new"
    )
    assert saved.status_code == 303, saved.text[:500]
    contract = await _stored(tenant, "other")
    assert (contract.insurer_name, contract.insurer_id, contract.insurance_number) == (
        "Stadtwerke München",
        None,
        "",
    )
    page = html.unescape((await client.get(base)).text)
    assert "Strom · Stadtwerke München" in page and "Versicherungsnummer" not in page


async def test_a_customer_records_an_electricity_contract(client_for, tenant, passwords) -> None:
    await make_customer(tenant, passwords, other_unlock=True)
    customer = client_for(tenant.hostname)
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    saved = await customer.submit(
        "/portal/folders/other/contracts",
        {**ELECTRICITY, "insurance_number": "SWM-4711"},
        form_page="/portal/folders/other/contracts/new",
    )
    assert saved.status_code == 303, saved.text[:500]
    contract = await _stored(tenant, "other")
    assert (contract.insurer_name, contract.insurance_number, contract.status) == (
        "Stadtwerke München",
        "SWM-4711",
        "start",
    )
    page = html.unescape((await customer.get("/portal/folders/other")).text)
    assert "Stadtwerke München" in page and "Vertrags- oder Kundennummer" in page


async def test_insurance_still_needs_an_insurer_from_the_catalogue(client, tenant, passwords):
    contact = await make_customer(tenant, passwords)
    await client.log_in("alpha-admin")
    base = f"/staff/contacts/{contact.id}/folders/insurance"
    refused = await client.submit(
        f"{base}/contracts",
        {**ELECTRICITY, "insurance_number": "X-1", "status": "active"},
        form_page=f"{base}/contracts/new",
    )
    assert refused.status_code == 422 and 'id="f-insurer-error"' in refused.text
    missing = await client.submit(
        f"{base}/contracts",
        {**ELECTRICITY, "insurer": "Allianz Versicherungs-AG", "status": "active"},
        form_page=f"{base}/contracts/new",
    )
    assert missing.status_code == 422 and 'id="f-insurance_number-error"' in missing.text


@pytest.mark.parametrize(
    ("folder", "values", "expected"),
    [
        (  # a building-society savings plan; a catalogue name is linked to the catalogue
            "finance",
            {"product_line": "Bausparen", "insurer": "Wüstenrot Bausparkasse AG"},
            ("Wüstenrot Bausparkasse AG", False, None),
        ),
        (
            "finance",
            {"product_line": "Riester-Rente", "insurer": "Allianz Lebensversicherungs-AG"},
            ("Allianz Lebensversicherungs-AG", True, None),
        ),
        (  # a living will: no provider, no number, no payments (sent ones are dropped)
            "emergency",
            {"product_line": "Patientenverfügung", "gross_premium": "5,00"},
            ("", False, None),
        ),
    ],
)
async def test_each_folder_takes_what_fits_it(
    client, tenant, passwords, folder, values, expected
) -> None:
    contact = await make_customer(tenant, passwords)
    await client.log_in("alpha-admin")
    base = f"/staff/contacts/{contact.id}/folders/{folder}"
    saved = await client.submit(
        f"{base}/contracts", {**values, "status": "active"}, form_page=f"{base}/contracts/new"
    )
    assert saved.status_code == 303, saved.text[:500]
    contract = await _stored(tenant, folder)
    name, in_catalogue, premium = expected
    assert (contract.insurer_name, contract.insurer_id is not None) == (name, in_catalogue)
    assert contract.gross_premium == premium or folder != "emergency"


async def test_a_provider_needs_a_name_where_the_folder_asks_for_one(
    client, tenant, passwords
) -> None:
    contact = await make_customer(tenant, passwords)
    await client.log_in("alpha-admin")
    base = f"/staff/contacts/{contact.id}/folders/other"
    refused = await client.submit(
        f"{base}/contracts",
        {"product_line": "Strom", "insurer": " ", "status": "active"},
        form_page=f"{base}/contracts/new",
    )
    assert refused.status_code == 422 and 'id="f-insurer-error"' in refused.text
    too_long = await client.submit(
        f"{base}/contracts",
        {"product_line": "Strom", "insurer": "x" * 201, "status": "active"},
        form_page=f"{base}/contracts/new",
    )
    assert too_long.status_code == 422 and 'id="f-insurer-error"' in too_long.text


async def test_every_demo_contract_saves_unchanged(passwords, settings, client_for) -> None:
    assert await ensure_demo(passwords, LocalStorage(settings.storage_dir), base_domain="localhost")
    tenant = await Tenant.get(slug=DEMO_SLUG)
    with tenant_scope(tenant.id):
        # Those staff can reach: not Rolf's, kept only for the law after his erasure.
        contracts = await Contract.filter(restricted_at=None).order_by("id")
        assert not await Insurer.filter(name="Uelzener Versicherungen").exists()
    assert {contract.folder for contract in contracts} == {
        "insurance",
        "finance",
        "other",
        "emergency",
    }
    admin = client_for(f"{DEMO_SLUG}.localhost")
    await admin.log_in(*ADMIN)
    for contract in contracts:
        path = f"/staff/contacts/{contract.contact_id}/contracts/{contract.id}"
        fields = form_fields((await admin.get(path)).text, path)
        saved = await admin.submit(path, fields)
        assert saved.status_code == 303, (contract.folder, contract.product_line, saved.text[:800])
    with tenant_scope(tenant.id):
        after = await Contract.filter(restricted_at=None).order_by("id")
    unchanged = ("product_line", "insurer_name", "insurer_id", "insurance_number", "gross_premium")
    for before, now in zip(contracts, after, strict=True):
        assert [getattr(now, name) for name in unchanged] == [
            getattr(before, name) for name in unchanged
        ]
