"""Pages send the same number of queries whether they show 5 rows or 200 (no N+1)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tenant_app.models.accounts import User
from tenant_app.models.contacts import Contact, ContactResponsible
from tenant_app.models.folders import Contract, Document
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant
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
    contact = await make_customer(tenant, passwords, insurance_share=True, communication=True)
    customer = client_for(tenant.hostname)
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    await _fill(tenant, contact, 5)
    few = await page_queries(customer, "/portal")
    await _fill(tenant, contact, 200)
    with tenant_scope(tenant.tenant.id):  # the broker card, and an advisor among many staff
        await Tenant.filter(id=tenant.tenant.id).update(broker_city="Köln", broker_phone="0221 1")
        staff = [
            await User.create(
                kind="staff",
                username=f"s{n}",
                email=f"s{n}@alpha.example",
                first_name="S",
                last_name=f"Team {n:02}",
                handles_tickets=True,
            )
            for n in range(12)
        ]
        for member in staff:
            await ContactResponsible.create(contact_id=contact.id, user_id=member.id)
    many = await page_queries(customer, "/portal")
    assert few == many
    # the session (permissions decide the tiles); the broker and advisor cards; the overview
    assert many <= 3
    home = (await customer.get("/portal")).text
    assert 'id="tile-insurance"' in home and 'id="broker-card"' in home
    assert "S Team 00" in home and f"?to={staff[0].id}" in home


async def test_pages_with_customer_activity(client, tenant, passwords) -> None:
    """The home's card of customers' edits and the contact page's newest entries cost the same
    however many events there are."""
    from tenant_app.models.accounts import User
    from tenant_app.models.activity import Event, Notification

    contact = await make_customer(tenant, passwords)
    await client.log_in("alpha-admin")

    async def events(count: int) -> None:
        with tenant_scope(tenant.tenant.id):
            await Event.all().delete()
            admin = await User.get(username="alpha-admin")
            for number in range(count):
                event = await Event.create(
                    kind="contract_edited",
                    actor_kind="customer",
                    actor_name="Kai Kunde",
                    contact_id=contact.id,
                    object_type="contract",
                    object_id=number + 1,
                    folder="insurance",
                    title="Hausrat",
                    changes={"gross_premium": ["1.00", f"{number}.50"]},
                )
                await Notification.create(user_id=admin.id, event_id=event.id)

    paths = ("/staff", f"/staff/contacts/{contact.id}", "/staff/activity")
    await events(3)
    few = [await page_queries(client, path) for path in paths]
    await events(60)
    assert [await page_queries(client, path) for path in paths] == few
    assert few[0] <= 2 and few[2] <= 2  # the session; the dashboard / the feed in one query


async def test_pages_with_the_bell_cost_the_same_however_much_is_unread(
    client, client_for, tenant, passwords
) -> None:
    """The bell's count comes with the session; the list reads one page of thirty."""
    from tenant_app.models.accounts import User
    from tenant_app.models.activity import Event, Notification

    contact = await make_customer(tenant, passwords, insurance_share=True)
    await client.log_in("alpha-admin")
    customer = client_for(tenant.hostname)
    await customer.log_in("kai", CUSTOMER_PASSWORD)

    async def unread(count: int) -> None:
        with tenant_scope(tenant.tenant.id):
            await Event.all().delete()
            readers = [await User.get(username=name) for name in ("alpha-admin", "kai")]
            for number in range(count):
                event = await Event.create(
                    kind="document_added", actor_kind="system", contact_id=contact.id,
                    object_type="document", object_id=number + 1, folder="insurance",
                    title=f"Beleg {number}",
                )  # fmt: skip
                await Notification.bulk_create(
                    [
                        Notification(tenant_id=tenant.tenant.id, user_id=user.id, event_id=event.id)
                        for user in readers
                    ]
                )

    pages = ((client, "/staff"), (client, "/account/notifications"))
    pages += ((customer, "/portal"), (customer, "/account/notifications"))
    await unread(3)
    few = [await page_queries(who, path) for who, path in pages]
    await unread(150)
    assert [await page_queries(who, path) for who, path in pages] == few
    assert few[0] <= 2 and few[2] <= 3  # the bell adds nothing (the home: cards, overview)
    # the session, one page of the list, the mail choice, the devices with push (module push)
    assert few[1] <= 4 and few[3] <= 4
    assert "99+" in (await customer.get("/portal")).text
