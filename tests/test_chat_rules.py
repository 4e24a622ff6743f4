"""The chat's rules as use cases: the operator (all four cases of seed 004), who is told,
one notification per chat, a message sent twice stored once, and the marks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tenant_app.errors import NotFound, ValidationFailed
from tenant_app.files.storage import storage_for
from tenant_app.models.accounts import User
from tenant_app.models.activity import Event, Notification
from tenant_app.models.conversations import Conversation, ConversationEntry
from tenant_app.models.scoping import tenant_scope
from tenant_app.queries import chats as reads
from tenant_app.services import chat_marks, chats
from tests.chat_helpers import actor, make_member, make_responsible
from tests.conftest import make_customer


@pytest.fixture
def ctx(settings):
    return chats.Context(settings=settings, store=storage_for(settings))


async def told_about(chat_id: int) -> list[str]:
    about = await Event.filter(object_type="chat", object_id=chat_id).values_list("id", flat=True)
    rows = await Notification.filter(event_id__in=list(about)).prefetch_related("user")
    return sorted(row.user.username for row in rows)


async def test_the_first_responsible_who_may_chat_operates_a_new_chat(tenant, passwords, ctx):
    contact = await make_customer(tenant, passwords, communication=True)
    nochat = await make_member(tenant, passwords, "nochat", handles_chat=False)
    first = await make_member(tenant, passwords, "first", handles_chat=True)
    second = await make_member(tenant, passwords, "second", handles_chat=True)
    await make_responsible(tenant, contact, nochat, first, second)
    with tenant_scope(tenant.tenant.id):
        entry = await chats.send(
            ctx, await actor("kai"), chat_id=None, body="Hallo", client_key="k-0000001"
        )
        chat = await Conversation.get(id=entry.conversation_id)
        assert chat.kind == "chat" and chat.responsible_id == first.id
        assert await told_about(chat.id) == ["first"]  # only the operator, not the admin


async def test_without_responsible_the_admins_hear_until_the_first_answer(tenant, passwords, ctx):
    contact = await make_customer(tenant, passwords, communication=True)
    await make_member(tenant, passwords, "mia", handles_chat=True, sees_all_contacts=True)
    with tenant_scope(tenant.tenant.id):
        kai = await actor("kai")
        entry = await chats.send(ctx, kai, chat_id=None, body="Hallo?", client_key="k-0000001")
        chat_id = entry.conversation_id
        assert (await Conversation.get(id=chat_id)).responsible_id is None
        assert await told_about(chat_id) == ["alpha-admin"]
        await chats.send(
            ctx, await actor("mia"), chat_id=chat_id, body="Hier Mia", client_key="m-0000001"
        )
        assert (await Conversation.get(id=chat_id)).responsible_id is not None
        # Mia answered first: she operates it, and the customer's next message is hers alone.
        await Notification.all().update(read_at=datetime.now(UTC))
        await chats.send(ctx, kai, chat_id=None, body="Danke", client_key="k-0000002")
        unread = Notification.filter(read_at__isnull=True).prefetch_related("user")
        assert [row.user.username for row in await unread] == ["mia"]
        mia_id = (await actor("mia")).id
        assert (await Conversation.get(id=chat_id)).responsible_id == mia_id
    assert contact.id


async def test_the_operator_is_changed_by_hand_and_then_told(tenant, passwords, ctx):
    contact = await make_customer(tenant, passwords, communication=True)
    first = await make_member(tenant, passwords, "first", handles_chat=True)
    await make_member(tenant, passwords, "other", handles_chat=True, sees_all_contacts=True)
    await make_responsible(tenant, contact, first)
    with tenant_scope(tenant.tenant.id):
        entry = await chats.send(
            ctx, await actor("kai"), chat_id=None, body="Hallo", client_key="k-0000001"
        )
        chat = await Conversation.get(id=entry.conversation_id)
        other = await actor("other")
        await chats.set_operator(await actor("first"), chat, user_id=other.id)
        assert (await Conversation.get(id=chat.id)).responsible_id == other.id
        await chats.send(
            ctx, await actor("kai"), chat_id=None, body="Noch da?", client_key="k-0000002"
        )
        assert "other" in await told_about(chat.id)
        with pytest.raises(ValidationFailed):
            await chats.set_operator(other, chat, user_id=(await actor("kai")).id)


async def test_one_unread_notification_per_chat_and_the_same_key_stores_once(
    tenant, passwords, ctx
):
    await make_customer(tenant, passwords, communication=True)
    with tenant_scope(tenant.tenant.id):
        kai = await actor("kai")
        for n in range(3):
            await chats.send(
                ctx, kai, chat_id=None, body=f"Nachricht {n}", client_key=f"k-000000{n}"
            )
        again = await chats.send(ctx, kai, chat_id=None, body="Nachricht 2", client_key="k-0000002")
        chat_id = again.conversation_id
        assert await ConversationEntry.filter(conversation_id=chat_id).count() == 3
        assert await told_about(chat_id) == ["alpha-admin"]
        assert [m.seq for m in await reads.messages(chat_id, for_customer=True)] == [1, 2, 3]


async def test_marks_follow_delivery_and_reading(tenant, passwords, ctx):
    await make_customer(tenant, passwords, communication=True)
    with tenant_scope(tenant.tenant.id):
        kai, admin = await actor("kai"), await actor("alpha-admin")
        entry = await chats.send(ctx, kai, chat_id=None, body="Hallo", client_key="k-0000001")
        chat = await Conversation.get(id=entry.conversation_id)
        [message] = await reads.messages(chat.id, for_customer=True)
        assert (await reads.marks(chat.id)).of(message) == "sent"
        await chats.send(ctx, admin, chat_id=chat.id, body="Guten Tag", client_key="a-0000001")
        assert (await reads.marks(chat.id)).of(message) == "read"  # answering reads it
        reply = (await reads.messages(chat.id, after=message.id, for_customer=True))[0]
        assert (await reads.marks(chat.id)).of(reply) == "sent"
        await chat_marks.mark_delivered(kai)
        assert (await reads.marks(chat.id)).of(reply) == "delivered"
        await chat_marks.mark_read(kai, chat)
        assert (await reads.marks(chat.id)).of(reply) == "read"


async def test_notes_stay_internal_and_others_chats_are_not_found(
    tenant, other_tenant, passwords, ctx
):
    await make_customer(tenant, passwords, communication=True)
    await make_customer(
        tenant, passwords, email="eva@kunde.example", first_name="Eva", communication=True
    )
    nosee = await make_member(tenant, passwords, "nosee", handles_chat=True)
    with tenant_scope(tenant.tenant.id):
        entry = await chats.send(
            ctx, await actor("kai"), chat_id=None, body="Hallo", client_key="k-0000001"
        )
        chat = await Conversation.get(id=entry.conversation_id)
        await chats.add_note(
            await actor("alpha-admin"), chat, body="Rückruf", client_key="n-0000001"
        )
        assert [m.internal for m in await reads.messages(chat.id, for_customer=False)] == [
            False,
            True,
        ]
        assert [m.body for m in await reads.messages(chat.id, for_customer=True)] == ["Hallo"]
        for stranger in ("eva", "nosee"):
            with pytest.raises(NotFound):
                await chats.send(
                    ctx, await actor(stranger), chat_id=chat.id, body="x", client_key="s-0000001"
                )
        assert nosee.id
    with tenant_scope(other_tenant.tenant.id):
        with pytest.raises(NotFound):
            await chats.send(
                ctx, await actor("beta-admin"), chat_id=chat.id, body="x", client_key="b-0000001"
            )


async def test_without_communication_a_customer_cannot_chat(tenant, passwords, ctx):
    await make_customer(tenant, passwords, communication=False)
    with tenant_scope(tenant.tenant.id):
        with pytest.raises(NotFound):
            await chats.send(
                ctx, await actor("kai"), chat_id=None, body="Hallo", client_key="k-0000001"
            )
        assert await Conversation.filter(kind="chat").count() == 0


async def test_an_operator_who_left_counts_as_none_and_the_next_answer_operates(
    tenant, passwords, ctx
):
    contact = await make_customer(tenant, passwords, communication=True)
    sina = await make_member(tenant, passwords, "sina", handles_chat=True)
    await make_member(tenant, passwords, "mia", handles_chat=True, sees_all_contacts=True)
    await make_responsible(tenant, contact, sina)
    with tenant_scope(tenant.tenant.id):
        kai = await actor("kai")
        entry = await chats.send(ctx, kai, chat_id=None, body="Hallo", client_key="k-0000001")
        chat_id = entry.conversation_id
        await User.filter(id=sina.id).update(is_active=False)
        await Notification.all().update(read_at=datetime.now(UTC))
        await chats.send(ctx, kai, chat_id=None, body="Noch da?", client_key="k-0000002")
        unread = Notification.filter(read_at__isnull=True).prefetch_related("user")
        assert [row.user.username for row in await unread] == ["alpha-admin"]
        await chats.send(
            ctx, await actor("mia"), chat_id=chat_id, body="Ja", client_key="m-0000001"
        )
        mia_id = (await actor("mia")).id
        assert (await Conversation.get(id=chat_id)).responsible_id == mia_id


async def test_the_operator_hears_and_receives_from_the_first_message(tenant, passwords, ctx):
    contact = await make_customer(tenant, passwords, communication=True)
    sina = await make_member(tenant, passwords, "sina", handles_chat=True)
    await make_responsible(tenant, contact, sina)
    with tenant_scope(tenant.tenant.id):
        entry = await chats.send(
            ctx, await actor("kai"), chat_id=None, body="Hallo", client_key="k-0000001"
        )
        [message] = await reads.messages(entry.conversation_id, for_customer=True)
        assert (await reads.marks(entry.conversation_id)).of(message) == "sent"
        await chat_marks.mark_delivered(await actor("sina"))  # a page of hers was told
        assert (await reads.marks(entry.conversation_id)).of(message) == "delivered"


async def test_a_retry_after_archiving_neither_reopens_nor_stores_again(tenant, passwords, ctx):
    await make_customer(tenant, passwords, communication=True)
    with tenant_scope(tenant.tenant.id):
        kai = await actor("kai")
        entry = await chats.send(ctx, kai, chat_id=None, body="Hallo", client_key="k-0000001")
        await Conversation.filter(id=entry.conversation_id).update(status="archived")
        again = await chats.send(ctx, kai, chat_id=None, body="Hallo", client_key="k-0000001")
        assert again.id == entry.id
        assert (await Conversation.get(id=entry.conversation_id)).status == "archived"


async def test_a_key_is_its_senders_own(tenant, passwords, ctx):
    await make_customer(tenant, passwords, communication=True)
    with tenant_scope(tenant.tenant.id):
        kai = await actor("kai")
        entry = await chats.send(ctx, kai, chat_id=None, body="Hallo", client_key="k-0000001")
        admin = await actor("alpha-admin")
        with pytest.raises(ValidationFailed):
            await chats.send(
                ctx, admin, chat_id=entry.conversation_id, body="Antwort", client_key="k-0000001"
            )
        assert await ConversationEntry.filter(conversation_id=entry.conversation_id).count() == 1


async def test_only_a_colleague_who_sees_the_customer_may_operate(tenant, passwords, ctx):
    await make_customer(tenant, passwords, communication=True)
    stranger = await make_member(tenant, passwords, "stranger", handles_chat=True)
    with tenant_scope(tenant.tenant.id):
        entry = await chats.send(
            ctx, await actor("kai"), chat_id=None, body="Hallo", client_key="k-0000001"
        )
        chat = await Conversation.get(id=entry.conversation_id)
        with pytest.raises(ValidationFailed):
            await chats.set_operator(await actor("alpha-admin"), chat, user_id=stranger.id)
        assert (await Conversation.get(id=chat.id)).responsible_id is None


async def test_a_chat_without_messages_sorts_by_its_start(tenant, passwords, ctx):
    await make_customer(tenant, passwords, communication=True)
    eva = await make_customer(
        tenant, passwords, email="eva@kunde.example", first_name="Eva", communication=True
    )
    with tenant_scope(tenant.tenant.id):
        entry = await chats.send(
            ctx, await actor("kai"), chat_id=None, body="Hallo", client_key="k-0000001"
        )
        yesterday = datetime.now(UTC) - timedelta(days=1)
        await Conversation.filter(id=entry.conversation_id).update(last_entry_at=yesterday)
        started = await chats.start_chat(await actor("alpha-admin"), contact_id=eva.id)
        admin = await actor("alpha-admin")
        for newest, first in ((True, started.id), (False, entry.conversation_id)):
            rows = await reads.chat_list(
                user_id=admin.id,
                sees_all=True,
                status="open",
                mine=False,
                newest_first=newest,
                search="",
            )
            assert rows[0].id == first
