"""Who reaches a data-protection request: the staff who manage the contact (and see it), the
logins that see the contact in the portal. Everyone else gets 404 and changes nothing:
another tenant, staff without the right or not seeing the contact, another customer, staff
viewing the portal as the customer. The staff list costs the same queries however many
requests it shows."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tenant_app.models.accounts import User
from tenant_app.models.contacts import ContactResponsible
from tenant_app.models.legal import DataRequest
from tenant_app.models.scoping import tenant_scope
from tests.conftest import CUSTOMER_PASSWORD, make_customer, page_queries
from tests.web.test_tickets import make_staff

ORIGIN = {"Origin": "http://alpha.localhost"}


async def ask(client, kind: str = "export") -> None:
    sent = await client.submit("/portal/data", {"kind": kind, "message": ""})
    assert sent.status_code == 303


async def requests_of(tenant) -> list[DataRequest]:
    with tenant_scope(tenant.tenant.id):
        return list(await DataRequest.all().order_by("id"))


@pytest.fixture
async def office(tenant, other_tenant, passwords, client_for) -> SimpleNamespace:
    """Kai asked for a copy (built) and for his erasure; Lena is another customer."""
    kai = await make_customer(tenant, passwords, insurance_share=True)
    await make_customer(tenant, passwords, email="lena@kunde.example", first_name="Lena")
    admin, customer, lena = (client_for(tenant.hostname) for _ in range(3))
    await admin.log_in("alpha-admin")
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    await lena.log_in("lena", CUSTOMER_PASSWORD)
    await ask(customer, "export")
    await ask(customer, "erasure")
    copy, erasure = await requests_of(tenant)
    path = f"/staff/data-requests/{copy.id}"
    assert (await admin.submit(path + "/copy", form_page=path)).status_code == 303
    stranger = client_for(other_tenant.hostname)
    await stranger.log_in("beta-admin")
    return SimpleNamespace(
        kai=kai,
        admin=admin,
        customer=customer,
        lena=lena,
        stranger=stranger,
        copy=copy,
        erasure=erasure,
    )


def staff_paths(office) -> list[str]:
    return [
        "/staff/data-requests",
        f"/staff/data-requests/{office.copy.id}",
        f"/staff/data-requests/{office.erasure.id}",
    ]


async def test_another_tenant_reaches_nothing(office, tenant, other_tenant) -> None:
    for path in staff_paths(office)[1:]:
        assert (await office.stranger.get(path)).status_code == 404, path
    listed = await office.stranger.get("/staff/data-requests")
    assert listed.status_code == 200 and "Kunde, Kai" not in listed.text
    token = await office.stranger.csrf("/staff")
    for action in ("/erase", "/refuse", "/copy"):
        answer = await office.stranger.post(
            f"/staff/data-requests/{office.erasure.id}{action}",
            data={"csrf_token": token, "confirm_text": "Kunde", "reason": "x"},
            headers={"Origin": f"http://{other_tenant.hostname}"},
        )
        assert answer.status_code == 404
    # Staff never use the portal (403 for the role, whichever object is named).
    assert (await office.stranger.get(f"/portal/data/{office.copy.id}/copy")).status_code == 403
    assert [r.status for r in await requests_of(tenant)] == ["done", "open"]


async def test_staff_without_the_right_or_not_seeing_the_contact_get_404(
    office, tenant, passwords, client_for
) -> None:
    await make_staff(tenant, passwords, "ben", "Ben", handles_tickets=True)
    await make_staff(tenant, passwords, "cora", "Cora", manages_contacts=True)
    ben, cora = client_for(tenant.hostname), client_for(tenant.hostname)
    await ben.log_in("ben")
    await cora.log_in("cora")
    for path in staff_paths(office):
        assert (await ben.get(path)).status_code == 404, path
    assert 'href="/staff/data-requests"' not in (await ben.get("/staff")).text
    # Cora manages contacts but is not responsible for Kai (and does not see all contacts).
    listed = await cora.get("/staff/data-requests")
    assert listed.status_code == 200 and "Kunde, Kai" not in listed.text
    for path in staff_paths(office)[1:]:
        assert (await cora.get(path)).status_code == 404, path
    token = await cora.csrf("/staff")
    answer = await cora.post(
        f"/staff/data-requests/{office.erasure.id}/refuse",
        data={"csrf_token": token, "reason": "Nein"},
        headers=ORIGIN,
    )
    assert answer.status_code == 404
    # Made responsible, she sees and may handle it.
    with tenant_scope(tenant.tenant.id):
        cora_login = await User.get(username="cora")
        await ContactResponsible.create(contact_id=office.kai.id, user_id=cora_login.id)
    assert (await cora.get(f"/staff/data-requests/{office.erasure.id}")).status_code == 200
    assert [r.status for r in await requests_of(tenant)] == ["done", "open"]


async def test_another_customer_or_staff_viewing_as_the_customer_get_no_copy(
    office, tenant
) -> None:
    link = f"/portal/data/{office.copy.id}/copy"
    assert (await office.customer.get(link)).status_code == 200
    assert (await office.lena.get(link)).status_code == 404
    lena_page = await office.lena.get("/portal/data")
    assert f'id="data-request-{office.copy.id}"' not in lena_page.text
    # Customers never reach the staff pages.
    for path in staff_paths(office):
        assert (await office.customer.get(path)).status_code in (403, 404), path
    # Staff viewing the portal as Kai read his page but download nothing and ask nothing.
    page = f"/staff/contacts/{office.kai.id}"
    assert (await office.admin.submit(f"{page}/view-as", form_page=page)).status_code == 303
    assert (await office.admin.get("/portal/data")).status_code == 200
    assert (await office.admin.get(link)).status_code == 404
    refused = await office.admin.post(
        "/portal/data",
        data={"csrf_token": await office.admin.csrf("/portal/data"), "kind": "export"},
        headers=ORIGIN,
    )
    assert refused.status_code in (403, 404)
    assert len(await requests_of(tenant)) == 2


async def test_the_lists_cost_the_same_queries_however_many_requests(
    tenant, passwords, client_for
) -> None:
    admin = client_for(tenant.hostname)
    await admin.log_in("alpha-admin")
    customers = []
    for number in range(5):
        await make_customer(
            tenant, passwords, email=f"k{number}@kunde.example", first_name=f"K{number}"
        )
        browser = client_for(tenant.hostname)
        await browser.log_in(f"k{number}", CUSTOMER_PASSWORD)
        customers.append(browser)
    await ask(customers[0], "export")
    await ask(customers[0], "erasure")
    first = (await requests_of(tenant))[0]
    path = f"/staff/data-requests/{first.id}"
    await admin.submit(path + "/refuse", {"reason": "Bitte anrufen."}, form_page=path)
    one = [
        await page_queries(admin, "/staff/data-requests"),
        await page_queries(customers[0], "/portal/data"),
    ]
    for browser in customers[1:]:
        await ask(browser, "export")
        await ask(browser, "erasure")
    for request in (await requests_of(tenant))[2:6]:
        path = f"/staff/data-requests/{request.id}"
        await admin.submit(path + "/refuse", {"reason": "Bitte anrufen."}, form_page=path)
    await ask(customers[0], "export")
    many = [
        await page_queries(admin, "/staff/data-requests"),
        await page_queries(customers[0], "/portal/data"),
    ]
    assert many == one
