"""Who opens a ticket's or a chat's file through the documents' own addresses: staff with the
right Tickets a ticket's, staff with the right Chat a chat's (not the other kind), the admin
both; the customer a ticket's as before, a chat's only while the chat is open."""

from __future__ import annotations

import io
from types import SimpleNamespace
from typing import Any

import pytest

from tenant_app.files.storage import storage_for
from tenant_app.models.conversations import Conversation, ConversationEntry
from tenant_app.models.scoping import tenant_scope
from tenant_app.services import chat_archive, chats, documents, tickets
from tests.chat_helpers import actor, make_member
from tests.conftest import CUSTOMER_PASSWORD, make_customer
from tests.folder_helpers import PDF_BYTES


def _upload(name: str) -> documents.Upload:
    return documents.Upload(io.BytesIO(PDF_BYTES), name, len(PDF_BYTES))


@pytest.fixture
async def files(tenant: Any, passwords: Any, settings: Any) -> SimpleNamespace:
    """Kai's ticket to the admin with a file, and his chat with a file."""
    contact = await make_customer(tenant, passwords, communication=True)
    for username, right in (("tom", "handles_tickets"), ("cleo", "handles_chat")):
        await make_member(tenant, passwords, username, sees_all_contacts=True, **{right: True})
    ctx = tickets.Context(settings=settings, store=storage_for(settings))
    with tenant_scope(tenant.tenant.id):
        kai, admin = await actor("kai"), await actor("alpha-admin")
        ticket = await tickets.open_ticket(
            ctx,
            kai,
            contact_id=contact.id,
            staff_id=admin.id,
            subject="Rechnung",
            body="Anbei die Rechnung.",
            upload=_upload("ticket.pdf"),
        )
        sent = await chats.send(
            ctx,
            kai,
            chat_id=None,
            body="Mein Foto",
            client_key="k-0000001",
            upload=_upload("c.pdf"),
        )
        ticket_file = await ConversationEntry.get(conversation_id=ticket.id).values_list(
            "document_id", flat=True
        )
        chat = await Conversation.get(id=sent.conversation_id)
    return SimpleNamespace(ctx=ctx, ticket=ticket_file, chat=sent.document_id, chat_row=chat)


def _paths(document_id: int) -> list[str]:
    base = f"/staff/documents/{document_id}"
    return [f"{base}/preview", f"{base}/download"]


async def _codes(client: Any, document_id: int) -> list[int]:
    return [(await client.get(path)).status_code for path in _paths(document_id)]


@pytest.mark.parametrize(
    ("username", "ticket", "chat"),
    [("tom", 200, 404), ("cleo", 404, 200), ("alpha-admin", 200, 200)],
)
async def test_staff_open_the_files_of_the_conversations_they_handle(
    client, files, username, ticket, chat
) -> None:
    await client.log_in(username)
    assert await _codes(client, files.ticket) == [ticket, ticket]
    assert await _codes(client, files.chat) == [chat, chat]


async def test_the_customer_opens_a_chat_file_only_while_the_chat_is_open(
    client_for, tenant, files
) -> None:
    kai = client_for(tenant.hostname)
    await kai.log_in("kai", CUSTOMER_PASSWORD)
    download = "/portal/documents/{}/download"
    served = await kai.get(download.format(files.chat))
    assert served.status_code == 200 and served.content == PDF_BYTES
    assert (await kai.get(download.format(files.ticket))).status_code == 200
    with tenant_scope(tenant.tenant.id):
        admin = await actor("alpha-admin")
        await chat_archive.archive(files.ctx, admin, files.chat_row)
    assert (await kai.get(download.format(files.chat))).status_code == 404
    assert (await kai.get(f"/portal/documents/{files.chat}/preview")).status_code == 404
    assert (await kai.get(f"/portal/chat/files/{files.chat}")).status_code == 404
    assert (await kai.get(download.format(files.ticket))).status_code == 200  # as before
