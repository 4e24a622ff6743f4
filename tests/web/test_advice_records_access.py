"""Who reaches a case's advice documentation: staff who see the case's contact read it, staff
who may write in the insurance folder start, edit and deliver it; another tenant, staff who
do not see the contact and customers meet 404 on every advice URL, and nothing changes. The
delivered PDF is the customer's: another customer of the firm meets 404, and opening it as
staff (or the customer's household member without the right) is no read time."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from tenant_app.models.legal import AdviceRecord
from tenant_app.models.scoping import tenant_scope
from tests.case_helpers import actor, in_tenant, open_case, staff_member
from tests.conftest import ADMIN_PASSWORD, CUSTOMER_PASSWORD, make_customer

ADVICE_URLS = (
    ("POST", "/staff/cases/{case}/advice"),
    ("GET", "/staff/advice-records/{record}"),
    ("POST", "/staff/advice-records/{record}"),
    ("GET", "/staff/advice-records/{record}/deliver"),
    ("POST", "/staff/advice-records/{record}/deliver"),
)
WRITES = {"wishes": "Fremd", "advice": "Fremd", "reasons": "Fremd", "version": "1", "confirm": "on"}
TEXT = {"wishes": "Vollkasko", "advice": "Nordstern Komfort", "reasons": "Preis"}


@pytest.fixture
async def world(tenant, other_tenant, passwords, client_for) -> SimpleNamespace:
    """Kai's case with a draft version (v1, complete) and a delivered one is not there yet;
    Ben (sees only his own contacts), Rita (sees all, insurance read-only), Kai, Lea
    (another customer) and the other tenant's admin, each logged in."""
    kai = await make_customer(tenant, passwords, insurance_share=True, insurance_view=True)
    await make_customer(
        tenant, passwords, email="lea@kunde.example", first_name="Lea", insurance_view=True
    )
    case = await open_case(tenant, kai)
    async with in_tenant(tenant):
        from tenant_app.services import advice_records

        record = await advice_records.start_version(await actor("alpha-admin"), case)
        await AdviceRecord.filter(id=record.id).update(**TEXT)
    await staff_member(tenant, passwords, "ben", access_insurance="write")
    await staff_member(tenant, passwords, "rita", sees_all_contacts=True, access_insurance="read")
    clients = {}
    for name, host, login, password in (
        ("ben", tenant.hostname, "ben", ADMIN_PASSWORD),
        ("rita", tenant.hostname, "rita", ADMIN_PASSWORD),
        ("kai", tenant.hostname, "kai", CUSTOMER_PASSWORD),
        ("lea", tenant.hostname, "lea", CUSTOMER_PASSWORD),
        ("admin", tenant.hostname, "alpha-admin", ADMIN_PASSWORD),
        ("beta", other_tenant.hostname, "beta-admin", ADMIN_PASSWORD),
    ):
        clients[name] = client_for(host)
        await clients[name].log_in(login, password)
    ids = {"case": case.id, "record": record.id}
    return SimpleNamespace(case=case, record=record, clients=clients, ids=ids)


async def _call(client: Any, method: str, path: str, home: str) -> int:
    if method == "GET":
        return (await client.get(path)).status_code
    token = await client.csrf(home)
    headers = {"Origin": f"http://{client.host}"}
    data = {"csrf_token": token, **WRITES}
    return (await client.post(path, data=data, headers=headers)).status_code


async def _unchanged(tenant: Any, world: SimpleNamespace) -> None:
    with tenant_scope(tenant.tenant.id):
        [record] = await AdviceRecord.filter(case_id=world.case.id)
    assert (record.wishes, record.delivered_at, record.version) == ("Vollkasko", None, 1)


@pytest.mark.parametrize("who", ["beta", "ben", "kai", "lea"])
async def test_whoever_does_not_see_the_contact_meets_404_everywhere(tenant, world, who) -> None:
    client = world.clients[who]
    home = "/portal" if who in ("kai", "lea") else "/staff"
    for method, template in ADVICE_URLS:
        path = template.format(**world.ids)
        assert await _call(client, method, path, home) == 404, (who, method, path)
    await _unchanged(tenant, world)


async def test_read_only_staff_read_the_documentation_but_change_nothing(tenant, world) -> None:
    rita = world.clients["rita"]
    page = await rita.get(f"/staff/advice-records/{world.record.id}")
    assert page.status_code == 200 and "Nordstern Komfort" in page.text
    assert 'id="advice-form"' not in page.text and 'id="advice-deliver"' not in page.text
    case_page = await rita.get(f"/staff/cases/{world.case.id}")
    assert 'id="advice-version-1"' in case_page.text and 'id="advice-start"' not in case_page.text
    for method, template in ADVICE_URLS:
        if method == "POST" or template.endswith("/deliver"):
            path = template.format(**world.ids)
            assert await _call(rita, method, path, "/staff") == 403, (method, path)
    await _unchanged(tenant, world)


async def test_the_delivered_pdf_is_for_its_customer_only(tenant, world) -> None:
    admin = world.clients["admin"]
    path = f"/staff/advice-records/{world.record.id}/deliver"
    assert (await admin.submit(path, {"confirm": "on"})).status_code == 303
    with tenant_scope(tenant.tenant.id):
        record = await AdviceRecord.get(id=world.record.id)
    download = f"/portal/documents/{record.document_id}/download"
    assert (await world.clients["lea"].get(download)).status_code == 404
    other_firm = f"/staff/documents/{record.document_id}/preview"
    assert (await world.clients["beta"].get(other_firm)).status_code == 404
    staff_look = await admin.get(f"/staff/documents/{record.document_id}/preview")
    assert staff_look.status_code == 200
    with tenant_scope(tenant.tenant.id):
        assert (await AdviceRecord.get(id=record.id)).read_at is None  # staff read nothing
    assert (await world.clients["kai"].get(download)).status_code == 200
    with tenant_scope(tenant.tenant.id):
        assert (await AdviceRecord.get(id=record.id)).read_at is not None
