"""Who reaches an advice case: staff who see its contact read it, staff who may write in the
insurance folder change it; everyone else meets 404 on every case URL (another tenant, staff
who do not see the contact, customers, the case's own customer too), and nothing changes."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from tenant_app.models.accounts import User
from tenant_app.models.cases import AdviceCase, CaseRisk
from tenant_app.models.contacts import ContactResponsible
from tenant_app.models.scoping import tenant_scope
from tests.case_helpers import CAR, open_case, staff_member
from tests.conftest import ADMIN_PASSWORD, CUSTOMER_PASSWORD, make_customer

# Every case URL of the staff side, by method ({case}, {risk}, {contact} filled in).
CASE_URLS = (
    ("GET", "/staff/cases/{case}"),
    ("GET", "/staff/cases/{case}/edit"),
    ("POST", "/staff/cases/{case}/edit"),
    ("POST", "/staff/cases/{case}/status"),
    ("POST", "/staff/cases/{case}/contract"),
    ("POST", "/staff/cases/{case}/documents"),
    ("GET", "/staff/cases/{case}/risks/new"),
    ("POST", "/staff/cases/{case}/risks"),
    ("GET", "/staff/cases/{case}/risks/{risk}"),
    ("POST", "/staff/cases/{case}/risks/{risk}"),
    ("POST", "/staff/cases/{case}/risks/{risk}/delete"),
    ("GET", "/staff/contacts/{contact}/cases/new"),
    ("POST", "/staff/contacts/{contact}/cases"),
)
WRITES = {
    "title": "Übernommen",
    "product_lines": ["kfz"],
    "status": "cancelled",
    "contract_id": "1",
    "version": "1",
    "product_line": "kfz",
    **CAR,
}


@pytest.fixture
async def world(tenant, other_tenant, passwords, client_for) -> SimpleNamespace:
    """Kai's case with a risk; Ben (sees only his own contacts), Rita (sees all, insurance
    read-only), Kai himself, and the other tenant's admin, each logged in."""
    kai = await make_customer(tenant, passwords, insurance_share=True, communication=True)
    case = await open_case(tenant, kai)
    with tenant_scope(tenant.tenant.id):
        risk = await CaseRisk.get(case_id=case.id)
    await staff_member(tenant, passwords, "ben", access_insurance="write")
    await staff_member(tenant, passwords, "rita", sees_all_contacts=True, access_insurance="read")
    clients = {}
    for name, host, login, password in (
        ("ben", tenant.hostname, "ben", ADMIN_PASSWORD),
        ("rita", tenant.hostname, "rita", ADMIN_PASSWORD),
        ("kai", tenant.hostname, "kai", CUSTOMER_PASSWORD),
        ("beta", other_tenant.hostname, "beta-admin", ADMIN_PASSWORD),
    ):
        clients[name] = client_for(host)
        await clients[name].log_in(login, password)
    ids = {"case": case.id, "risk": risk.id, "contact": kai.id}
    with tenant_scope(tenant.tenant.id):
        version = (await AdviceCase.get(id=case.id)).version  # opened, its risk added
    return SimpleNamespace(case=case, risk=risk, kai=kai, clients=clients, ids=ids, version=version)


async def _call(client: Any, method: str, path: str, home: str) -> int:
    if method == "GET":
        return (await client.get(path)).status_code
    token = await client.csrf(home)
    data = {"csrf_token": token, **WRITES}
    headers = {"Origin": f"http://{client.host}"}
    return (await client.post(path, data=data, headers=headers)).status_code


async def _unchanged(tenant: Any, world: SimpleNamespace) -> None:
    with tenant_scope(tenant.tenant.id):
        case = await AdviceCase.get(id=world.case.id)
        assert (case.title, case.status, case.version) == ("Kfz-Wechsel", "open", world.version)
        assert await AdviceCase.all().count() == 1
        assert await CaseRisk.filter(id=world.risk.id).exists()


@pytest.mark.parametrize("who", ["beta", "ben", "kai"])
async def test_whoever_does_not_see_the_contact_meets_404_everywhere(tenant, world, who) -> None:
    client = world.clients[who]
    home = "/portal" if who == "kai" else "/staff"
    for method, template in CASE_URLS:
        path = template.format(**world.ids)
        assert await _call(client, method, path, home) == 404, (who, method, path)
    await _unchanged(tenant, world)


async def test_lists_show_only_cases_of_visible_contacts(world) -> None:
    assert (await world.clients["kai"].get("/staff/cases")).status_code == 404
    for who in ("ben", "beta"):
        page = await world.clients[who].get("/staff/cases?status=all")
        assert page.status_code == 200 and "Kfz-Wechsel" not in page.text, who
    seen = await world.clients["rita"].get("/staff/cases")
    assert f'id="case-{world.case.id}"' in seen.text


async def test_staff_who_see_the_contact_read_the_case_but_change_it_only_with_write_access(
    tenant, world
) -> None:
    rita = world.clients["rita"]
    page = await rita.get(f"/staff/cases/{world.case.id}")
    assert page.status_code == 200 and "Volkswagen" in page.text
    assert f'href="/staff/cases/{world.case.id}/edit"' not in page.text  # no buttons she can't use
    contact_page = await rita.get(f"/staff/contacts/{world.kai.id}")
    assert "Kfz-Wechsel" in contact_page.text and 'id="new-case"' not in contact_page.text
    for method, template in CASE_URLS[1:]:
        path = template.format(**world.ids)
        assert await _call(rita, method, path, "/staff") == 403, (method, path)
    await _unchanged(tenant, world)


async def test_a_member_responsible_for_the_contact_sees_and_changes_its_case(
    tenant, world
) -> None:
    with tenant_scope(tenant.tenant.id):
        ben = await User.get(username="ben")
        await ContactResponsible.create(contact_id=world.kai.id, user_id=ben.id)
    client = world.clients["ben"]
    assert (await client.get(f"/staff/cases/{world.case.id}")).status_code == 200
    assert (await client.get(f"/staff/cases/{world.case.id}/edit")).status_code == 200
    listed = await client.get("/staff/cases")
    assert f'id="case-{world.case.id}"' in listed.text
