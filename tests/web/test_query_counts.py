"""Pages send the same number of queries whether they show 5 rows or 200 (no N+1)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tenant_app.models.contacts import Contact
from tenant_app.models.folders import Contract, Document
from tenant_app.models.scoping import tenant_scope
from tests.conftest import CUSTOMER_PASSWORD, count_queries, make_customer, page_queries
from tests.folder_helpers import PDF_BYTES, add_contract, add_document


async def _fill(tenant, contact, count: int) -> None:
    with tenant_scope(tenant.tenant.id):
        await Contract.filter(contact_id=contact.id).delete()
        contracts = [
            Contract(
                tenant_id=tenant.tenant.id,
                contact_id=contact.id,
                folder="insurance",
                status="active",
                product_line="Hausrat",
                insurer_name="Condor",
                insurance_number=f"N{n}",
                gross_premium=Decimal("1.00"),
                created_by_customer=n % 2 == 0,
            )
            for n in range(count)
        ]
        await Contract.bulk_create(contracts)
        saved = await Contract.filter(contact_id=contact.id)
        await Document.bulk_create(
            [
                Document(
                    tenant_id=tenant.tenant.id,
                    contact_id=contact.id,
                    contract_id=c.id,
                    folder="insurance",
                    title=f"Dok {c.id}",
                    filename="x.pdf",
                    storage_key=f"{tenant.tenant.id}/{c.id:032x}",
                    content_type="application/pdf",
                    size=1,
                    sha256="0" * 64,
                )
                for c in saved
            ]
        )


async def test_staff_folder_page(client, tenant, passwords) -> None:
    contact = await make_customer(tenant, passwords)
    await client.log_in("alpha-admin")
    path = f"/staff/contacts/{contact.id}/folders/insurance"
    await _fill(tenant, contact, 5)
    few = await page_queries(client, path)
    await _fill(tenant, contact, 200)
    many = await page_queries(client, path)
    assert few == many
    assert many <= 5


async def test_customer_folder_page(client_for, tenant, passwords) -> None:
    contact = await make_customer(tenant, passwords, insurance_share=True)
    customer = client_for(tenant.hostname)
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    await _fill(tenant, contact, 5)
    few = await page_queries(customer, "/portal/folders/insurance")
    await _fill(tenant, contact, 200)
    many = await page_queries(customer, "/portal/folders/insurance")
    assert few == many
    assert many <= 2  # the session with the customer's permissions; contracts and documents


async def test_customer_download(client_for, tenant, passwords, settings) -> None:
    contact = await make_customer(tenant, passwords, insurance_share=True)
    customer = client_for(tenant.hostname)
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    await _fill(tenant, contact, 50)  # more rows do not change the lookup
    contract = await add_contract(tenant, contact)
    document = await add_document(tenant, settings, contact, contract=contract)
    with count_queries() as counter:
        response = await customer.get(f"/portal/documents/{document.id}/download")
    assert response.status_code == 200 and response.content == PDF_BYTES
    assert counter.count <= 2  # the session, the document with its contract


async def test_contact_list(client, tenant) -> None:
    await client.log_in("alpha-admin")

    async def contacts(count: int) -> None:
        with tenant_scope(tenant.tenant.id):
            await Contact.all().delete()
            await Contact.bulk_create(
                [
                    Contact(
                        tenant_id=tenant.tenant.id,
                        first_name="Eva",
                        last_name=f"M{n:03d}",
                        email=f"e{n}@x.example",
                        birthdate=date(1980, 1, 1),
                    )
                    for n in range(count)
                ]
            )

    await contacts(5)
    few = await page_queries(client, "/staff/contacts")
    await contacts(200)
    many = await page_queries(client, "/staff/contacts")
    assert few == many
    assert many <= 4


async def test_contact_overview(client, tenant, passwords) -> None:
    contact = await make_customer(tenant, passwords)
    await client.log_in("alpha-admin")
    await _fill(tenant, contact, 5)
    few = await page_queries(client, f"/staff/contacts/{contact.id}")
    await _fill(tenant, contact, 200)
    assert await page_queries(client, f"/staff/contacts/{contact.id}") == few


async def test_staff_home(client, tenant, passwords) -> None:
    contact = await make_customer(tenant, passwords)
    await client.log_in("alpha-admin")
    await _fill(tenant, contact, 5)  # every second contract is customer-made, in status "active"
    with tenant_scope(tenant.tenant.id):
        await Contract.filter(created_by_customer=True).update(status="start")
    few = await page_queries(client, "/staff")
    await _fill(tenant, contact, 200)
    with tenant_scope(tenant.tenant.id):
        await Contract.filter(created_by_customer=True).update(status="start")
    assert await page_queries(client, "/staff") == few
    assert few <= 2  # the session; every card of the dashboard and the contact count in one


async def test_customer_home(client_for, tenant, passwords) -> None:
    contact = await make_customer(tenant, passwords, insurance_share=True)
    customer = client_for(tenant.hostname)
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    await _fill(tenant, contact, 5)
    few = await page_queries(customer, "/portal")
    await _fill(tenant, contact, 200)
    many = await page_queries(customer, "/portal")
    assert few == many
    assert many <= 1  # the session, which brings the permissions that decide the tiles
    assert 'id="tile-insurance"' in (await customer.get("/portal")).text
