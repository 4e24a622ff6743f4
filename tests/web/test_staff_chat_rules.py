"""The chat operator rules of seed 004 over HTTP (all four cases), who may reach a chat on the
staff side (nobody else: 404 or 403, nothing changes), and constant query counts."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from tenant_app.files.storage import storage_for
from tenant_app.models.activity import Event, Notification
from tenant_app.models.contacts import Contact
from tenant_app.models.conversations import Conversation, ConversationEntry
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant
from tenant_app.services import chat_access, chat_pages, chats, events
from tenant_app.tenancy import tenant_cache
from tests.chat_helpers import actor, make_member, make_responsible
from tests.conftest import CUSTOMER_PASSWORD, make_customer, page_queries
from tests.web.test_staff_chat import customer_writes, send


@pytest.fixture
def ctx(settings):
    return chats.Context(settings=settings, store=storage_for(settings))


async def told_about(tenant, chat_id: int, kind: str = events.CHAT_MESSAGE) -> list[str]:
    with tenant_scope(tenant.tenant.id):
        about = await Event.filter(object_type="chat", object_id=chat_id, kind=kind).values_list(
            "id", flat=True
        )
        rows = await Notification.filter(event_id__in=list(about)).prefetch_related("user")
        return sorted(row.user.username for row in rows)


async def operator_shown(client, chat_id: int) -> str:
    page = await client.get(f"/staff/chats/{chat_id}")
    assert page.status_code == 200
    start = page.text.index('id="chat-operator-name">') + len('id="chat-operator-name">')
    return page.text[start : page.text.index("<", start)]


async def test_the_contacts_responsible_operates_and_alone_is_told(
    client_for, tenant, passwords, ctx
) -> None:
    contact = await make_customer(tenant, passwords, communication=True)
    resp = await make_member(tenant, passwords, "resp", first_name="Rita", handles_chat=True)
    await make_responsible(tenant, contact, resp)
    chat_id = await customer_writes(tenant, ctx)
    assert await told_about(tenant, chat_id) == ["resp"]  # not the admin
    rita = client_for(tenant.hostname)
    await rita.log_in("resp")
    assert await operator_shown(rita, chat_id) == "Rita Staff"


async def test_with_several_responsibles_the_first_of_the_list_operates(
    client_for, tenant, passwords, ctx
) -> None:
    contact = await make_customer(tenant, passwords, communication=True)
    first = await make_member(tenant, passwords, "first", first_name="Frida", handles_chat=True)
    second = await make_member(tenant, passwords, "second", first_name="Sven", handles_chat=True)
    await make_responsible(tenant, contact, first, second)
    chat_id = await customer_writes(tenant, ctx)
    assert await told_about(tenant, chat_id) == ["first"]
    sven = client_for(tenant.hostname)
    await sven.log_in("second")
    assert await operator_shown(sven, chat_id) == "Frida Staff"  # everyone sees who it is


async def test_without_responsible_the_admins_are_told_and_the_first_answer_operates(
    client_for, tenant, passwords, ctx
) -> None:
    await make_customer(tenant, passwords, communication=True)
    await make_member(
        tenant, passwords, "mia", first_name="Mia", handles_chat=True, sees_all_contacts=True
    )
    await make_member(
        tenant, passwords, "max", first_name="Max", handles_chat=True, sees_all_contacts=True
    )
    chat_id = await customer_writes(tenant, ctx)
    assert await told_about(tenant, chat_id) == ["alpha-admin"]
    mia, max_ = client_for(tenant.hostname), client_for(tenant.hostname)
    await mia.log_in("mia")
    await max_.log_in("max")
    assert "Staff" not in await operator_shown(max_, chat_id)  # nobody operates it yet
    assert (await send(mia, chat_id, "Hier Mia, was kann ich tun?", "m-0000001")).status_code == 303
    assert (await send(max_, chat_id, "Und Max", "x-0000001")).status_code == 303
    assert await operator_shown(max_, chat_id) == "Mia Staff"  # the first answer, not the later
    with tenant_scope(tenant.tenant.id):
        await Notification.all().update(read_at=datetime.now(UTC))
    await customer_writes(tenant, ctx, body="Danke", key="k-0000002")
    with tenant_scope(tenant.tenant.id):
        unread = await Notification.filter(read_at__isnull=True).prefetch_related("user")
    assert [row.user.username for row in unread] == ["mia"]


async def test_the_operator_is_changed_by_hand_told_and_seen_by_everyone(
    client_for, tenant, passwords, ctx
) -> None:
    contact = await make_customer(tenant, passwords, communication=True)
    resp = await make_member(tenant, passwords, "resp", first_name="Rita", handles_chat=True)
    other = await make_member(
        tenant, passwords, "other", first_name="Olga", handles_chat=True, sees_all_contacts=True
    )
    await make_responsible(tenant, contact, resp)
    chat_id = await customer_writes(tenant, ctx)
    rita, olga = client_for(tenant.hostname), client_for(tenant.hostname)
    await rita.log_in("resp")
    await olga.log_in("other")
    path = f"/staff/chats/{chat_id}"
    handed = await rita.submit(f"{path}/operator", {"operator_id": str(other.id)}, form_page=path)
    assert handed.status_code == 303
    assert await told_about(tenant, chat_id, events.CHAT_OPERATOR) == ["other"]
    assert await operator_shown(rita, chat_id) == "Olga Staff"
    assert await operator_shown(olga, chat_id) == "Olga Staff"
    with tenant_scope(tenant.tenant.id):
        kai = await actor("kai")
        seen = await chat_pages.chat_page(kai, await chat_access.chat_for(kai, chat_id))
    assert seen.head.operator_name == "Olga Staff"
    # "Take over myself", and a choice nobody may chat with changes nothing.
    taken = await rita.submit(f"{path}/operator", {"operator_id": str(resp.id)}, form_page=path)
    assert taken.status_code == 303 and await operator_shown(olga, chat_id) == "Rita Staff"
    with tenant_scope(tenant.tenant.id):
        kai_id = (await actor("kai")).id
    refused = await rita.submit(f"{path}/operator", {"operator_id": str(kai_id)}, form_page=path)
    assert refused.status_code == 422 and 'id="f-operator_id-error"' in refused.text
    assert await operator_shown(olga, chat_id) == "Rita Staff"


async def test_the_chat_is_handed_only_to_colleagues_who_chat_and_see_the_customer(
    client_for, tenant, passwords, ctx
) -> None:
    contact = await make_customer(tenant, passwords, communication=True)
    resp = await make_member(tenant, passwords, "resp", first_name="Rita", handles_chat=True)
    await make_member(
        tenant, passwords, "other", first_name="Olga", handles_chat=True, sees_all_contacts=True
    )
    await make_member(tenant, passwords, "blind", first_name="Bea", handles_chat=True)
    mute = await make_member(tenant, passwords, "mute", first_name="Mia")  # no right Chat
    gone = await make_member(
        tenant, passwords, "gone", first_name="Gerd", handles_chat=True, is_active=False
    )
    await make_responsible(tenant, contact, resp, mute, gone)
    chat_id = await customer_writes(tenant, ctx)
    rita = client_for(tenant.hostname)
    await rita.log_in("resp")
    page = await rita.get(f"/staff/chats/{chat_id}")
    start = page.text.index('id="f-operator_id"')
    select = page.text[start : page.text.index("</select>", start)]
    offered = re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', select)
    assert offered == sorted(offered, key=lambda name: name.split()[::-1])  # by last, first name
    assert set(offered) == {"Rita Staff", "Olga Staff", "Clara Chef"}  # the admin sees all


async def test_nobody_else_reaches_a_chat_and_nothing_changes(
    client_for, tenant, other_tenant, passwords, ctx
) -> None:
    await make_customer(tenant, passwords, communication=True)
    chat_id = await customer_writes(tenant, ctx)
    path = f"/staff/chats/{chat_id}"
    await make_member(tenant, passwords, "sina", handles_chat=True)  # sees only her contacts
    await make_member(tenant, passwords, "nochat", handles_chat=False, sees_all_contacts=True)
    sina, nochat, beta = (client_for(h) for h in (tenant.hostname,) * 2 + (other_tenant.hostname,))
    customer = client_for(tenant.hostname)
    await sina.log_in("sina")
    await nochat.log_in("nochat")
    await beta.log_in("beta-admin")
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    for who, client, status in ((sina, sina, 404), (beta, beta, 404)):
        assert (await client.get(path)).status_code == status
        assert (await client.get(f"{path}/files/1")).status_code == status
        for action, data in (
            ("messages", {"body": "Hallo", "client_key": "z-0000001"}),
            ("notes", {"body": "Notiz", "client_key": "z-0000002"}),
            ("operator", {"operator_id": "1"}),
            ("read", {}),
        ):
            answer = await who.submit(f"{path}/{action}", data, form_page="/staff/chats")
            assert answer.status_code == status, (action, answer.status_code)
    for client in (nochat, customer):
        assert (await client.get("/staff/chats")).status_code == 403
        assert (await client.get(path)).status_code == 403
        answer = await client.submit(
            f"{path}/messages",
            {"body": "Hallo", "client_key": "z-0000003"},
            form_page="/account/notifications",
        )
        assert answer.status_code == 403
    assert 'href="/staff/chats"' not in (await nochat.get("/staff")).text
    with tenant_scope(tenant.tenant.id):
        assert await ConversationEntry.filter(conversation_id=chat_id).count() == 1
        chat = await Conversation.get(id=chat_id)
        assert chat.responsible_id is None
    # The module switched off: not there, for staff too.
    await Tenant.filter(id=tenant.tenant.id).update(modules="offers,claims")
    tenant_cache.invalidate()
    admin = client_for(tenant.hostname)
    await admin.log_in("alpha-admin")
    assert (await admin.get("/staff/chats")).status_code == 404
    assert (await admin.get(path)).status_code == 404
    assert 'href="/staff/chats"' not in (await admin.get("/staff")).text


async def test_the_chat_list_and_a_chat_page_send_a_constant_number_of_queries(
    client, tenant, passwords, ctx
) -> None:
    await make_customer(tenant, passwords, communication=True)
    chat_id = await customer_writes(tenant, ctx)
    with tenant_scope(tenant.tenant.id):
        admin_id = (await actor("alpha-admin")).id

    async def chats_of(count: int) -> None:
        with tenant_scope(tenant.tenant.id):
            await Conversation.filter(kind="chat").exclude(id=chat_id).delete()
            await Contact.filter(last_name="Viele").delete()
            await Contact.bulk_create(
                [
                    Contact(
                        tenant_id=tenant.tenant.id,
                        first_name=f"K{n}",
                        last_name="Viele",
                        email=f"k{n}@viele.example",
                        birthdate=date(1980, 1, 1),
                    )
                    for n in range(count)
                ]
            )
            contacts = await Contact.filter(last_name="Viele")
            await Conversation.bulk_create(
                [
                    Conversation(
                        tenant_id=tenant.tenant.id,
                        kind="chat",
                        contact_id=contact.id,
                        chat_contact_id=contact.id,
                        subject="Chat",
                        responsible_id=admin_id if n % 2 else None,
                        entry_count=3,
                        last_entry_by_customer=True,
                        last_entry_at=datetime.now(UTC),
                    )
                    for n, contact in enumerate(contacts)
                ]
            )

    async def messages_of(count: int) -> None:
        with tenant_scope(tenant.tenant.id):
            await ConversationEntry.filter(conversation_id=chat_id, seq__gt=1).delete()
            await ConversationEntry.bulk_create(
                [
                    ConversationEntry(
                        tenant_id=tenant.tenant.id,
                        conversation_id=chat_id,
                        author_id=admin_id,
                        body=f"Nachricht {n}",
                        client_key=f"b-{n:07d}",
                        seq=n + 2,
                        internal=n % 5 == 0,
                    )
                    for n in range(count)
                ]
            )

    await client.log_in("alpha-admin")
    await chats_of(3)
    few = await page_queries(client, "/staff/chats")
    await chats_of(60)
    assert await page_queries(client, "/staff/chats") == few
    assert few <= 4
    page = f"/staff/chats/{chat_id}"
    await messages_of(5)
    await page_queries(client, page)  # the first opening reads the chat
    few = await page_queries(client, page)
    await messages_of(100)
    await page_queries(client, page)
    assert await page_queries(client, page) == few
    assert few <= 13  # the session, the chat, its marks, messages, list, colleagues, contracts
