"""The staff home's to-do list names the chats whose customer waits for an answer: of the
contacts the member sees (or chats they operate), only with the right Chat and the module on."""

from __future__ import annotations

from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant
from tenant_app.tenancy import tenant_cache
from tests.chat_helpers import make_member, make_responsible
from tests.conftest import make_customer
from tests.web.test_du_tenant import visible_text
from tests.web.test_staff_chat import ctx, customer_writes  # noqa: F401 - the fixture

CARD = "Chats, die auf Ihre Antwort warten"


async def test_a_waiting_chat_is_on_the_home_of_who_sees_it(
    client,
    client_for,
    tenant,
    passwords,
    ctx,  # noqa: F811
) -> None:
    kai = await make_customer(tenant, passwords, communication=True)
    await make_customer(
        tenant, passwords, email="eva@kunde.example", first_name="Eva", communication=True
    )
    sina = await make_member(tenant, passwords, "sina", handles_chat=True)
    await make_member(tenant, passwords, "tom", handles_chat=False, sees_all_contacts=True)
    await make_responsible(tenant, kai, sina)
    chat_id = await customer_writes(tenant, ctx)
    await customer_writes(tenant, ctx, body="Hallo?", key="e-0000001", username="eva")

    await client.log_in("alpha-admin")
    home = (await client.get("/staff")).text
    assert CARD in visible_text(home)
    assert f'href="/staff/chats/{chat_id}"' in home and "Eva Kunde" in visible_text(home)

    sina_client = client_for(tenant.hostname)
    await sina_client.log_in("sina")
    mine = (await sina_client.get("/staff")).text
    assert f'href="/staff/chats/{chat_id}"' in mine and "Eva Kunde" not in visible_text(mine)

    tom = client_for(tenant.hostname)
    await tom.log_in("tom")
    assert CARD not in visible_text((await tom.get("/staff")).text)

    with tenant_scope(tenant.tenant.id):
        await Tenant.filter(id=tenant.tenant.id).update(modules="offers,claims")
    tenant_cache.invalidate()
    assert CARD not in visible_text((await client.get("/staff")).text)
