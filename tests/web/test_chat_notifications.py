"""Chat messages in the notification centre: one unread notification per chat and recipient,
mailed after five minutes if still unread (never with the text), as each account chose; the
admins while a chat has no operator, then the operator alone; German sentences in the list,
whose links lead to the chat; no entries in the staff's activity feed; a webhook event."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from tenant_app.files.storage import storage_for
from tenant_app.models.accounts import User
from tenant_app.models.activity import Event, Notification
from tenant_app.models.conversations import Conversation, ConversationEntry
from tenant_app.models.households import ContactLink
from tenant_app.models.integration import WebhookDelivery, WebhookEndpoint
from tenant_app.models.scoping import tenant_scope
from tenant_app.services import chat_marks, chats, events
from tenant_app.services.notification_mail import DELAY
from tests.chat_helpers import actor, make_member, make_responsible
from tests.conftest import ADMIN_PASSWORD, CUSTOMER_PASSWORD, make_customer, text_of
from tests.notification_helpers import mail_unread, told
from tests.web.test_activity_feed import FEED, _sidebar_count
from tests.web.test_notifications import LIST, bell, entries

SECRET = "Meine IBAN ist DE02 1203 0000 0000 2020 51"  # what a mail must never carry
REPLY = "Danke, Herr Kunde, die IBAN ist eingetragen."


@pytest.fixture
def ctx(settings) -> chats.Context:
    return chats.Context(settings=settings, store=storage_for(settings))


@pytest.fixture
async def office(tenant, passwords, client_for) -> SimpleNamespace:
    """Kai (communication on) with Anna as his responsible (so the chat's operator); Nora's
    login manages Kai's folders too (household). All three logged in."""
    kai = await make_customer(tenant, passwords, communication=True)
    anna = await make_member(tenant, passwords, "anna", first_name="Anna", handles_chat=True)
    await make_responsible(tenant, kai, anna)
    await make_customer(
        tenant,
        passwords,
        email="nora@kunde.example",
        first_name="Nora",
        last_name="Nachbar",
        communication=True,
    )
    with tenant_scope(tenant.tenant.id):
        nora = await User.get(username="nora")
        await ContactLink.create(
            user_id=nora.id, contact_id=kai.id, consent_note="Kai ist einverstanden"
        )
    staff, customer, household = (client_for(tenant.hostname) for _ in range(3))
    await staff.log_in("anna", ADMIN_PASSWORD)
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    await household.log_in("nora", CUSTOMER_PASSWORD)
    return SimpleNamespace(kai=kai, staff=staff, customer=customer, household=household)


async def write(
    tenant: Any, ctx: chats.Context, username: str, body: str, *, chat_id: int | None = None
) -> ConversationEntry:
    """A message as the chat page sends it (its own key), by the customer or staff."""
    with tenant_scope(tenant.tenant.id):
        writer = await actor(username)
        return await chats.send(ctx, writer, chat_id=chat_id, body=body, client_key=chats.new_key())


async def read_chat(tenant: Any, username: str, chat_id: int) -> None:
    """The reader opened the chat (the page marks it read)."""
    with tenant_scope(tenant.tenant.id):
        await chat_marks.mark_read(await actor(username), await Conversation.get(id=chat_id))


async def prefer(tenant: Any, username: str, choice: str) -> None:
    with tenant_scope(tenant.tenant.id):
        await User.filter(username=username).update(notification_mail=choice)


async def unread_about(tenant: Any, chat_id: int) -> list[str]:
    """Who has an unread notification about the chat (usernames, sorted)."""
    with tenant_scope(tenant.tenant.id):
        about = Event.filter(object_type="chat", object_id=chat_id).values_list("id", flat=True)
        rows = Notification.filter(event_id__in=list(await about), read_at__isnull=True)
        return sorted(await rows.values_list("user__username", flat=True))


async def test_an_unread_chat_message_is_mailed_after_five_minutes_without_its_text(
    office, tenant, settings, ctx, deliver
) -> None:
    await write(tenant, ctx, "kai", SECRET)
    assert await told(tenant, events.CHAT_MESSAGE) == ["anna"]
    assert await mail_unread(settings, after=DELAY - timedelta(seconds=1)) == 0
    assert await deliver() == []
    assert await mail_unread(settings) == 1
    [mail] = await deliver()
    assert mail["To"] == "anna@alpha.example"
    assert mail["Subject"] == "Alpha Versicherungsmakler GmbH: 1 ungelesene Benachrichtigung"
    text = text_of(mail)
    assert "Guten Tag Anna," in text and "Eine neue Chat-Nachricht" in text
    for secret in ("IBAN", "DE02", "Kai", "Kunde", "kai@kunde.example"):
        assert secret not in mail.as_string(), secret  # no text, no customer
    assert await mail_unread(settings, after=timedelta(hours=1)) == 0  # once only


async def test_a_chat_read_within_five_minutes_is_not_mailed(
    office, tenant, settings, ctx, deliver
) -> None:
    entry = await write(tenant, ctx, "kai", SECRET)
    await read_chat(tenant, "anna", entry.conversation_id)
    assert await unread_about(tenant, entry.conversation_id) == []
    assert await mail_unread(settings, after=timedelta(hours=1)) == 0
    assert await deliver() == []


async def test_more_messages_while_one_is_unread_make_no_more_notifications(
    office, tenant, settings, ctx, deliver
) -> None:
    first = await write(tenant, ctx, "kai", "Hallo Anna")
    await write(tenant, ctx, "kai", "Noch eine Frage")
    await write(tenant, ctx, "kai", SECRET)
    assert await told(tenant, events.CHAT_MESSAGE) == ["anna"]  # three messages, one note
    assert bell((await office.staff.get("/staff")).text) == "Benachrichtigungen 1 ungelesen"
    assert await mail_unread(settings) == 1
    [mail] = await deliver()
    assert mail["Subject"] == "Alpha Versicherungsmakler GmbH: 1 ungelesene Benachrichtigung"
    # read, then a new message: a new notification
    await read_chat(tenant, "anna", first.conversation_id)
    await write(tenant, ctx, "kai", "Und noch etwas")
    assert await told(tenant, events.CHAT_MESSAGE) == ["anna", "anna"]
    assert await unread_about(tenant, first.conversation_id) == ["anna"]


async def test_a_staff_reply_tells_the_customer_and_household_logins_as_each_chose(
    office, tenant, settings, ctx, deliver
) -> None:
    await prefer(tenant, "nora", "never")
    first = await write(tenant, ctx, "kai", SECRET)
    await read_chat(tenant, "anna", first.conversation_id)  # Anna opened the chat to answer
    await write(tenant, ctx, "anna", REPLY, chat_id=first.conversation_id)
    assert await unread_about(tenant, first.conversation_id) == ["kai", "nora"]
    assert await mail_unread(settings) == 1  # Kai's; Nora asked for no mails
    [mail] = await deliver()
    assert mail["To"] == "kai@kunde.example"
    assert "Eine neue Chat-Nachricht" in text_of(mail)
    assert "IBAN" not in mail.as_string() and "eingetragen" not in mail.as_string()
    assert bell((await office.household.get("/portal")).text) == "Benachrichtigungen 1 ungelesen"


async def test_without_operator_the_admins_hear_and_once_one_is_set_only_the_operator(
    tenant, passwords, ctx
) -> None:
    await make_customer(tenant, passwords, communication=True)  # nobody responsible for Kai
    await make_member(tenant, passwords, "leiterin", role="admin")
    mia = await make_member(tenant, passwords, "mia", handles_chat=True, sees_all_contacts=True)
    first = await write(tenant, ctx, "kai", "Ist jemand da?")
    chat_id = first.conversation_id
    assert await unread_about(tenant, chat_id) == ["alpha-admin", "leiterin"]  # not Mia
    await write(tenant, ctx, "kai", "Hallo?")
    assert await told(tenant, events.CHAT_MESSAGE) == ["alpha-admin", "leiterin"]  # still one each
    with tenant_scope(tenant.tenant.id):
        chat = await Conversation.get(id=chat_id)
        await chats.set_operator(await actor("alpha-admin"), chat, user_id=mia.id)
        await Notification.all().update(read_at=datetime.now(UTC))
    assert await told(tenant, events.CHAT_OPERATOR) == ["mia"]
    await write(tenant, ctx, "kai", "Danke")
    assert await unread_about(tenant, chat_id) == ["mia"]


async def test_the_notification_list_says_it_in_german(office, tenant, ctx) -> None:
    first = await write(tenant, ctx, "kai", SECRET)
    staff_list = (await office.staff.get(LIST)).text
    assert entries(staff_list) == ["Ungelesen: Kai Kunde hat im Chat mit Kai Kunde geschrieben"]
    assert SECRET not in staff_list
    await write(tenant, ctx, "anna", REPLY, chat_id=first.conversation_id)
    for client in (office.customer, office.household):
        assert entries((await client.get(LIST)).text) == [
            "Ungelesen: Anna Staff hat Ihnen im Chat geschrieben"
        ]


async def _follow(client: Any, tenant: Any, username: str) -> str:
    """Follow the account's one notification's link: where it leads."""
    with tenant_scope(tenant.tenant.id):
        user = await User.get(username=username)
        [mine] = await Notification.filter(user_id=user.id).values_list("id", flat=True)
    answer = await client.get(f"{LIST}/{mine}")
    assert answer.status_code == 303
    return str(answer.headers["location"])


async def test_a_chat_notification_leads_to_the_chat_and_is_read(office, tenant, ctx) -> None:
    first = await write(tenant, ctx, "kai", SECRET)
    chat_id = first.conversation_id
    assert await _follow(office.staff, tenant, "anna") == f"/staff/chats/{chat_id}"
    await write(tenant, ctx, "anna", REPLY, chat_id=chat_id)
    assert await _follow(office.customer, tenant, "kai") == "/portal/chat"
    # Nora's portal shows her own folders: she chooses Kai first (the household switch)
    assert await _follow(office.household, tenant, "nora") == (
        f"/portal/household?contact={office.kai.id}&next=%2Fportal%2Fchat"
    )
    assert await unread_about(tenant, chat_id) == []


async def test_chat_messages_ring_the_bell_but_stay_out_of_the_activity_feed(
    office, tenant, ctx
) -> None:
    entry = await write(tenant, ctx, "kai", SECRET)
    with tenant_scope(tenant.tenant.id):
        event = await Event.get(object_type="chat", object_id=entry.conversation_id)
    assert event.actor_kind == "customer"  # a customer's action, yet no change to check
    page = (await office.staff.get(f"{FEED}?filter=all")).text
    assert f'id="activity-{event.id}"' not in page and "im Chat" not in page
    assert _sidebar_count(page) == ""  # the sidebar's unchecked count leaves it out
    assert bell(page) == "Benachrichtigungen 1 ungelesen"
    contact_feed = await office.staff.get(f"/staff/contacts/{office.kai.id}/activity?filter=all")
    assert contact_feed.status_code == 200 and "im Chat" not in contact_feed.text


async def test_a_chat_message_is_a_webhook_event_without_its_text(office, tenant, ctx) -> None:
    with tenant_scope(tenant.tenant.id):
        await WebhookEndpoint.create(
            url="https://crm.example.com/hooks",
            event_types=["chat.message"],
            secret="whsec_" + "a" * 44,
        )
    entry = await write(tenant, ctx, "kai", SECRET)
    with tenant_scope(tenant.tenant.id):
        chat = await Conversation.get(id=entry.conversation_id)
        await chats.add_note(await actor("anna"), chat, body="Intern", client_key=chats.new_key())
        [delivery] = await WebhookDelivery.all()  # the note is none
    body = json.loads(delivery.payload)
    assert (delivery.event_type, body["type"]) == ("chat.message", "chat.message")
    assert body["data"] == {
        "id": chat.id,
        "object": "chat",
        "contact_id": office.kai.id,
        "external_id": None,
    }
    assert "IBAN" not in delivery.payload and "Kai" not in delivery.payload
