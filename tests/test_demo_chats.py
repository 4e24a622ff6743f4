"""The demo's chats read like real ones: written through the chat's use cases at their own
times, an operator or (Felix) none with the administrators told once, an internal note the
customer never sees, and one archived chat with its transcript."""

from __future__ import annotations

from datetime import UTC, datetime

from tenant_app.demo.seed import CUSTOMER_PASSWORD, DEMO_SLUG, ensure_demo
from tenant_app.files.storage import LocalStorage
from tenant_app.models.accounts import User
from tenant_app.models.activity import Notification
from tenant_app.models.conversations import Conversation, ConversationEntry
from tenant_app.models.folders import Document
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant
from tenant_app.queries import chats as reads


async def _demo(passwords, settings) -> int:
    assert await ensure_demo(passwords, LocalStorage(settings.storage_dir), base_domain="localhost")
    return (await Tenant.get(slug=DEMO_SLUG)).id


async def test_demo_chats_agree_with_their_messages_marks_and_notifications(
    passwords, settings
) -> None:
    tenant_id = await _demo(passwords, settings)
    with tenant_scope(tenant_id):
        people = {user.username: user for user in await User.all()}
        found = {
            chat.contact_id: chat for chat in await Conversation.filter(kind="chat").order_by("id")
        }
        dana, felix, karla = (found[people[n].contact_id] for n in ("dana", "felix", "karla"))
        assert len(found) == 3
        assert (dana.status, dana.responsible_id) == ("open", people["mia"].id)
        assert (felix.status, felix.responsible_id) == ("open", None)
        assert karla.status == "archived" and karla.closed_at is not None
        for chat in found.values():
            entries = await ConversationEntry.filter(conversation_id=chat.id).order_by("id")
            times = [entry.created_at for entry in entries]
            assert times == sorted(times) and times[-1] < datetime.now(UTC)
            assert chat.created_at <= times[0] and chat.last_entry_at == times[-1]
            visible = [entry for entry in entries if not entry.internal]
            assert [entry.seq for entry in visible] == list(range(1, len(visible) + 1))
            assert chat.entry_count == len(visible)
            assert chat.last_entry_by_customer == visible[-1].by_customer
        assert await ConversationEntry.filter(conversation_id=dana.id, internal=True).count() == 1
        # Dana has not read Mia's last answer yet; Mia read all Dana wrote.
        marks = await reads.marks(dana.id)
        assert (marks.staff_read, marks.customer_read) == (dana.entry_count, dana.entry_count - 1)
        unread = Notification.filter(read_at__isnull=True, event__object_id=dana.id)
        assert await unread.filter(event__object_type="chat").values_list(
            "user__username", flat=True
        ) == ["dana"]
        # Felix wrote twice to a chat without operator: the administrator heard once.
        told = Notification.filter(event__object_type="chat", event__object_id=felix.id)
        assert await told.values_list("user__username", flat=True) == ["admin"]
        assert (await reads.marks(karla.id)).customer_read == karla.entry_count
        # Karla's transcript was filed at her when Mia archived the chat
        [transcript] = await Document.filter(contact_id=karla.contact_id, category="correspondence")
        assert (
            transcript.created_at == karla.closed_at
            and transcript.content_type == "application/pdf"
        )


async def test_demo_customer_sees_the_chat_without_the_internal_note(
    passwords, settings, client_for
) -> None:
    tenant_id = await _demo(passwords, settings)
    with tenant_scope(tenant_id):
        dana = await User.get(username="dana")
        chat = await Conversation.get(kind="chat", chat_contact_id=dana.contact_id)
        shown = await reads.messages(chat.id, for_customer=True)
    assert "Wohnfläche" not in " ".join(message.body for message in shown)
    assert shown[-1].body.startswith("Danke! Ich passe die Versicherungssumme an")
    browser = client_for("demo.localhost")
    await browser.log_in("dana", CUSTOMER_PASSWORD)
    listing = (await browser.get("/account/notifications")).text
    assert "hat Ihnen im Chat geschrieben" in listing
