"""Who reaches an insured object: staff who see its contact and may read the insurance folder
read it, those who may write there change it; everyone else meets 404 on every object URL
(another tenant, staff who do not see the contact or have no insurance rights, customers,
the object's own customer too), and nothing changes."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from tenant_app.models.accounts import User
from tenant_app.models.activity import Event
from tenant_app.models.contacts import ContactResponsible
from tenant_app.models.interfaces import InsuredObject
from tenant_app.models.scoping import tenant_scope
from tests.case_helpers import staff_member
from tests.conftest import ADMIN_PASSWORD, CUSTOMER_PASSWORD, make_customer
from tests.web.test_insured_objects import EBIKE, add_ebike

# Every insured-object URL of the staff side, by method ({object}, {contact} filled in).
OBJECT_URLS = (
    ("GET", "/staff/contacts/{contact}/objects/new"),
    ("POST", "/staff/contacts/{contact}/objects/new"),
    ("GET", "/staff/objects/{object}"),
    ("GET", "/staff/objects/{object}/edit"),
    ("POST", "/staff/objects/{object}/edit"),
    ("POST", "/staff/objects/{object}/decline"),
    ("POST", "/staff/objects/{object}/reopen"),
    ("POST", "/staff/objects/{object}/apply"),
)
WRITES = {**EBIKE, "label": "Übernommen", "version": "1", "plugin": "radschutz"}


@pytest.fixture
async def world(tenant, other_tenant, passwords, client_for) -> SimpleNamespace:
    """Kai's e-bike; Ben (insurance write, sees only his own contacts), Olga (sees all, no
    insurance rights), Rita (sees all, insurance read-only), Kai himself, Lea (another
    customer), and the other tenant's admin, each logged in."""
    kai = await make_customer(tenant, passwords, insurance_share=True, communication=True)
    await make_customer(tenant, passwords, email="lea@kunde.example", insurance_share=True)
    admin = client_for(tenant.hostname)
    await admin.log_in("alpha-admin")
    object_id = await add_ebike(admin, kai)
    await staff_member(tenant, passwords, "ben", access_insurance="write")
    await staff_member(tenant, passwords, "olga", sees_all_contacts=True)
    await staff_member(tenant, passwords, "rita", sees_all_contacts=True, access_insurance="read")
    clients = {}
    for name, host, login, password in (
        ("ben", tenant.hostname, "ben", ADMIN_PASSWORD),
        ("olga", tenant.hostname, "olga", ADMIN_PASSWORD),
        ("rita", tenant.hostname, "rita", ADMIN_PASSWORD),
        ("kai", tenant.hostname, "kai", CUSTOMER_PASSWORD),
        ("lea", tenant.hostname, "lea", CUSTOMER_PASSWORD),
        ("beta", other_tenant.hostname, "beta-admin", ADMIN_PASSWORD),
    ):
        clients[name] = client_for(host)
        await clients[name].log_in(login, password)
    ids = {"object": object_id, "contact": kai.id}
    return SimpleNamespace(kai=kai, object_id=object_id, clients=clients, ids=ids)


async def _call(client: Any, method: str, path: str, home: str) -> int:
    if method == "GET":
        return (await client.get(path)).status_code
    token = await client.csrf(home)
    headers = {"Origin": f"http://{client.host}"}
    return (
        await client.post(path, data={"csrf_token": token, **WRITES}, headers=headers)
    ).status_code


async def _unchanged(tenant: Any, world: SimpleNamespace) -> None:
    with tenant_scope(tenant.tenant.id):
        found = await InsuredObject.get(id=world.object_id)
        assert (found.label, found.insurance_state, found.version) == (
            "E-Bike · Riese & Müller Charger4",
            "open",
            1,
        )
        assert await InsuredObject.all().count() == 1
        assert await Event.filter(object_type="insured_object").count() == 1  # its creation


@pytest.mark.parametrize("who", ["beta", "ben", "olga", "kai", "lea"])
async def test_whoever_may_not_read_the_object_meets_404_everywhere(tenant, world, who) -> None:
    client = world.clients[who]
    home = "/portal" if who in ("kai", "lea") else "/staff"
    for method, template in OBJECT_URLS:
        path = template.format(**world.ids)
        assert await _call(client, method, path, home) == 404, (who, method, path)
    await _unchanged(tenant, world)


async def test_the_contact_page_shows_objects_only_to_readers_of_the_insurance_folder(
    world,
) -> None:
    link = f'href="/staff/objects/{world.object_id}"'
    olga = await world.clients["olga"].get(f"/staff/contacts/{world.kai.id}")
    assert olga.status_code == 200 and 'id="contact-objects"' not in olga.text
    assert link not in olga.text
    rita = await world.clients["rita"].get(f"/staff/contacts/{world.kai.id}")
    assert link in rita.text


async def test_read_only_staff_read_the_object_and_meet_404_on_every_change(tenant, world) -> None:
    rita = world.clients["rita"]
    assert (await rita.get(f"/staff/objects/{world.object_id}")).status_code == 200
    for method, template in OBJECT_URLS:
        if template == "/staff/objects/{object}" or template.endswith("/apply"):
            continue  # the page she reads; applying is the application's own gate
        path = template.format(**world.ids)
        assert await _call(rita, method, path, "/staff") == 404, (method, path)
    await _unchanged(tenant, world)


async def test_a_member_responsible_for_the_contact_reads_and_changes_its_objects(
    tenant, world
) -> None:
    with tenant_scope(tenant.tenant.id):
        ben = await User.get(username="ben")
        await ContactResponsible.create(contact_id=world.kai.id, user_id=ben.id)
    client = world.clients["ben"]
    assert (await client.get(f"/staff/objects/{world.object_id}")).status_code == 200
    edit = f"/staff/objects/{world.object_id}/edit"
    saved = await client.submit(edit, {**EBIKE, "label": "Bens Name", "version": "1"})
    assert saved.status_code == 303
    with tenant_scope(tenant.tenant.id):
        assert (await InsuredObject.get(id=world.object_id)).label == "Bens Name"
