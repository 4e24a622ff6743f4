"""Building blocks for tests of applications through an insurer's interface: the firm's
Radschutz online account active with the reference insurer's demo login (sealed as the
settings page seals it), a staff member's agent number, a customer with an e-bike bought
recently (made through the insured objects' use case), reading the application's page, and
going through its steps over HTTP as staff do."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

from tenant_app.models.contacts import Contact
from tenant_app.models.interfaces import (
    AgentNumber,
    InsuredObject,
    InsurerAccount,
    InterfaceApplication,
)
from tenant_app.models.scoping import tenant_scope
from tenant_app.security.credentials import seal
from tenant_app.services import insured_objects
from tests.case_helpers import actor, in_tenant
from tests.conftest import make_customer
from tests.html_forms import form_fields
from tests.insurer_service import AGENT, PASSWORD, USERNAME

PLUGIN = "radschutz"
INSURER = "Radschutz Versicherung AG"
BOUGHT = date.today() - timedelta(days=10)  # instant cover is sold within 30 days
EBIKE = {
    "object_type": "ebike",
    "make": "Riese & Müller",
    "model": "Charger4",
    "frame_number": "WRM-12345",
    "price": "2.499,00",
    "purchase_date": BOUGHT.isoformat(),
}
LABEL = "E-Bike · Riese & Müller Charger4"


async def radschutz_account(tenant: Any, settings: Any, *, password: str = PASSWORD) -> None:
    """The firm's Radschutz account: active, the demo login entered."""
    tenant_id = tenant.tenant.id
    credentials = {"username": USERNAME, "password": password}
    sealed = seal(settings.credential_keys(), tenant_id, PLUGIN, credentials)
    with tenant_scope(tenant_id):
        await InsurerAccount.create(
            plugin=PLUGIN, is_active=True, sealed_credentials=sealed, credentials_hint=USERNAME
        )


async def agent_number(tenant: Any, user_id: int, number: str = AGENT) -> None:
    with tenant_scope(tenant.tenant.id):
        await AgentNumber.create(user_id=user_id, plugin=PLUGIN, number=number)


async def customer_with_ebike(tenant: Any, passwords: Any, **access: bool) -> tuple[Any, int]:
    """Kai Kunde (with an address, sharing his insurance folder) and his new e-bike: the
    contact and the insured object's id."""
    contact = await make_customer(tenant, passwords, insurance_share=True, **access)
    address = {"street": "Hauptstraße 1", "postal_code": "50667", "city": "Köln"}
    with tenant_scope(tenant.tenant.id):
        await Contact.filter(id=contact.id).update(**address, country="DE")
    async with in_tenant(tenant):
        staff = await actor("alpha-admin")
        found = await insured_objects.create_object(
            staff,
            contact,
            values={"product_line": "fahrrad", "label": ""},
            attributes=EBIKE,
        )
    return contact, found.id


async def insured_object(tenant: Any, object_id: int) -> InsuredObject:
    with tenant_scope(tenant.tenant.id):
        return await InsuredObject.get(id=object_id)


def text_of(page: str) -> str:
    """The page's text as read: tags out, entities decoded, whitespace (also no-break) single."""
    plain = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return " ".join(plain.replace("\xa0", " ").split())


def error_next_to(page: str, key: str) -> str:
    """The message shown below the step's field `key` (the application form's ids: a-<key>)."""
    found = re.search(rf'id="a-{re.escape(key)}-error">([^<]*)<', page)
    assert found, f"no error next to {key}"
    return html.unescape(found.group(1))


async def answer(client: Any, app_id: int, step: str, **changes: str | None) -> Any:
    """The step's form as the page shows it, with `changes`, sent with "Weiter"."""
    page = (await client.get(f"/staff/applications/{app_id}")).text
    action = f"/staff/applications/{app_id}/steps/{step}"
    # the step's form and its "Zurück" form post to the same address: leave out the latter's
    fields = {**form_fields(page, action), **changes}
    fields = {key: value for key, value in fields.items() if value is not None and key != "back"}
    return await client.submit(action, fields, form_page=f"/staff/applications/{app_id}")


async def applying_world(
    tenant: Any, settings: Any, passwords: Any, client: Any, insurer: Any
) -> SimpleNamespace:
    """The firm's Radschutz account, the admin's agent number VM-10001, Kai Kunde's e-bike,
    the admin logged in."""
    await radschutz_account(tenant, settings)
    await agent_number(tenant, tenant.admin.id)
    contact, object_id = await customer_with_ebike(tenant, passwords)
    await client.log_in("alpha-admin")
    return SimpleNamespace(
        admin=client, contact=contact, object_id=object_id, insurer=insurer, tenant=tenant
    )


async def start(client: Any, object_id: int, plugin: str = PLUGIN) -> int:
    """The "apply" button on the object's page; the application's id."""
    started = await client.submit(
        f"/staff/objects/{object_id}/apply",
        {"plugin": plugin},
        form_page=f"/staff/objects/{object_id}",
    )
    assert started.status_code == 303, started.text[:2000]
    found = re.fullmatch(r"/staff/applications/(\d+)", started.headers["location"])
    assert found, started.headers["location"]
    return int(found.group(1))


async def page_of(client: Any, app_id: int, query: str = "") -> str:
    shown = await client.get(f"/staff/applications/{app_id}{query}")
    assert shown.status_code == 200, shown.text[:2000]
    return shown.text


async def moved_on(client: Any, app_id: int, step: str, **changes: str | None) -> None:
    sent = await answer(client, app_id, step, **changes)
    assert sent.status_code == 303, sent.text[:3000]


async def to_review(world: SimpleNamespace) -> int:
    """An application answered up to its review, as prefilled (the lock confirmed)."""
    app_id = await start(world.admin, world.object_id)
    for step in ("object", "object_data", "tariff"):
        await moved_on(world.admin, app_id, step)
    await moved_on(world.admin, app_id, "security", approved_lock="on")
    await moved_on(world.admin, app_id, "customer")
    return app_id


async def send(client: Any, app_id: int) -> Any:
    page = f"/staff/applications/{app_id}"
    version = re.search(r'name="version" value="(\d+)"', await page_of(client, app_id))
    assert version
    return await client.submit(f"{page}/submit", {"version": version.group(1)}, form_page=page)


async def submitted(world: SimpleNamespace) -> int:
    app_id = await to_review(world)
    sent = await send(world.admin, app_id)
    assert sent.status_code == 303, sent.text[:3000]
    return app_id


async def stored(tenant: Any, app_id: int) -> InterfaceApplication:
    with tenant_scope(tenant.tenant.id):
        return await InterfaceApplication.get(id=app_id)


async def sign_by_click(client: Any, app_id: int, name: str) -> Any:
    page = f"/staff/applications/{app_id}"
    fields = {"way": "click", "consent": "on", "signer_name": name}
    return await client.submit(f"{page}/sign", fields, form_page=page)
