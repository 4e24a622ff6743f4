"""The chat on the staff side over HTTP (seed 004): the list and its filters, the "+" customer
search, a chat's page, sending (once per key, with a file, refused when empty), internal
notes and filing an attachment into a contract."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tenant_app.files.storage import storage_for
from tenant_app.models.accounts import User
from tenant_app.models.conversations import Conversation, ConversationEntry
from tenant_app.models.folders import Document
from tenant_app.models.scoping import tenant_scope
from tenant_app.services import chat_access, chat_pages, chats
from tests.chat_helpers import actor, make_member, make_responsible
from tests.conftest import make_customer
from tests.folder_helpers import PDF_BYTES, add_contract

ORIGIN = {"Origin": "http://alpha.localhost"}
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def ctx(settings):
    return chats.Context(settings=settings, store=storage_for(settings))


async def customer_writes(tenant, ctx, body="Hallo", key="k-0000001", username="kai") -> int:
    """The customer writes in their chat (through the use case: the portal's own route is the
    portal's), and the chat's id."""
    with tenant_scope(tenant.tenant.id):
        entry = await chats.send(
            ctx, await actor(username), chat_id=None, body=body, client_key=key
        )
    return entry.conversation_id


async def send(client, chat_id: int, body: str, key: str, *, htmx=False, file=None):
    """What the composer posts (multipart, the CSRF token first)."""
    path = f"/staff/chats/{chat_id}"
    token = await client.csrf(path)
    files = {"csrf_token": (None, token), "client_key": (None, key), "body": (None, body)}
    if file is not None:
        files["file"] = file
    headers = {**ORIGIN, **({"HX-Request": "true"} if htmx else {})}
    return await client.post(f"{path}/messages", files=files, headers=headers)


def names_in(html: str) -> list[str]:
    """The customers of the chat list, in its order."""
    return re.findall(r'id="chat-row-\d+">\s*<a[^>]*>\s*<strong>([^<]+)</strong>', html)


async def test_the_list_filters_by_status_scope_name_and_sorts(
    client, tenant, passwords, ctx
) -> None:
    await make_customer(tenant, passwords, communication=True)
    await make_customer(
        tenant, passwords, email="nina@kunde.example", first_name="Nina", communication=True
    )
    await make_customer(
        tenant, passwords, email="otto@kunde.example", first_name="Otto", communication=True
    )
    kai_chat = await customer_writes(tenant, ctx)
    nina_chat = await customer_writes(tenant, ctx, username="nina")
    otto_chat = await customer_writes(tenant, ctx, username="otto")
    now = datetime.now(UTC)
    with tenant_scope(tenant.tenant.id):
        await Conversation.filter(id=kai_chat).update(last_entry_at=now - timedelta(hours=2))
        await Conversation.filter(id=nina_chat).update(last_entry_at=now - timedelta(hours=1))
        await Conversation.filter(id=otto_chat).update(status="archived", closed_at=now)
    await client.log_in("alpha-admin")
    page = await client.get("/staff/chats")
    assert page.status_code == 200
    assert names_in(page.text) == ["Nina Kunde", "Kai Kunde"]  # newest first, open only
    assert "wartet auf Antwort" in page.text and 'id="chat-new"' in page.text
    assert f'id="chat-unread-{kai_chat}"' in page.text
    oldest = await client.get("/staff/chats?sort=oldest")
    assert names_in(oldest.text) == ["Kai Kunde", "Nina Kunde"]
    archived = await client.get("/staff/chats?status=archived")
    assert names_in(archived.text) == ["Otto Kunde"]
    found = await client.get("/staff/chats?q=nin", headers={"HX-Request": "true"})
    assert names_in(found.text) == ["Nina Kunde"] and "<html" not in found.text
    assert (await client.get("/staff/chats?q=zzz")).text.count('id="no-chats"') == 1
    # The admin answers Kai over HTTP: now Kai's chat is "mine", and nobody waits there.
    assert (await send(client, kai_chat, "Guten Tag", "a-0000001")).status_code == 303
    mine = await client.get("/staff/chats?scope=mine")
    assert names_in(mine.text) == ["Kai Kunde"]
    assert "wartet auf Antwort" not in mine.text


async def test_the_plus_finds_only_customers_with_a_login_and_communication_the_member_sees(
    client_for, tenant, passwords
) -> None:
    kai = await make_customer(tenant, passwords, communication=True)
    await make_customer(tenant, passwords, email="kim@kunde.example", first_name="Kim")
    kora = await make_customer(
        tenant, passwords, email="kora@kunde.example", first_name="Kora", communication=True
    )
    karl = await make_customer(
        tenant, passwords, email="karl@kunde.example", first_name="Karl", communication=True
    )
    with tenant_scope(tenant.tenant.id):
        await User.filter(contact_id=kora.id).update(is_active=False)
        await User.filter(contact_id=karl.id).update(password_hash=None)  # invited, not active
    sina = await make_member(tenant, passwords, "sina", handles_chat=True)
    await make_responsible(tenant, kai, sina)
    admin, member = client_for(tenant.hostname), client_for(tenant.hostname)
    await admin.log_in("alpha-admin")
    await member.log_in("sina")
    found = await admin.get("/staff/chats/new?q=kunde")
    assert found.status_code == 200
    assert re.findall(r'id="start-(\d+)"', found.text) == [str(kai.id)]
    live = await admin.get("/staff/chats/new?q=Kai%20K", headers={"HX-Request": "true"})
    assert f'id="start-{kai.id}"' in live.text and "<html" not in live.text
    assert 'id="search-hint"' in (await admin.get("/staff/chats/new?q=k")).text
    # Sina sees only the contacts she is responsible for: Kai.
    assert re.findall(r'id="start-(\d+)"', (await member.get("/staff/chats/new?q=k")).text) == []
    mine = await member.get("/staff/chats/new?q=kunde")
    assert re.findall(r'id="start-(\d+)"', mine.text) == [str(kai.id)]
    started = await member.submit(
        "/staff/chats/start", {"contact_id": str(kai.id)}, form_page="/staff/chats/new"
    )
    assert started.status_code == 303
    chat_page = await member.get(started.headers["location"])
    assert chat_page.status_code == 200 and 'id="chat-customer"' in chat_page.text
    assert "Kai Kunde" in chat_page.text
    again = await member.submit(
        "/staff/chats/start", {"contact_id": str(kai.id)}, form_page="/staff/chats/new"
    )
    assert again.headers["location"] == started.headers["location"]  # one chat per customer
    refused = await admin.submit(
        "/staff/chats/start", {"contact_id": str(karl.id)}, form_page="/staff/chats/new"
    )
    assert refused.status_code == 422
    assert "Dieser Kunde hat keinen aktiven App-Zugang." in refused.text
    with tenant_scope(tenant.tenant.id):
        assert await Conversation.filter(kind="chat").count() == 1


async def test_a_message_sent_twice_is_stored_once_and_an_empty_one_is_refused(
    client, tenant, passwords, ctx
) -> None:
    await make_customer(tenant, passwords, communication=True)
    chat_id = await customer_writes(tenant, ctx)
    await client.log_in("alpha-admin")
    first = await send(client, chat_id, "Guten Tag, Herr Kunde", "a-0000001", htmx=True)
    assert first.status_code == 200
    assert 'id="m-a-0000001"' in first.text and "Guten Tag, Herr Kunde" in first.text
    again = await send(client, chat_id, "Guten Tag, Herr Kunde", "a-0000001", htmx=True)
    assert again.status_code == 200 and 'id="m-a-0000001"' in again.text
    plain = await send(client, chat_id, "Guten Tag, Herr Kunde", "a-0000001")
    assert plain.status_code == 303 and plain.headers["location"] == f"/staff/chats/{chat_id}"
    with tenant_scope(tenant.tenant.id):
        assert await ConversationEntry.filter(conversation_id=chat_id).count() == 2
    empty = await send(client, chat_id, "   ", "a-0000002")
    assert empty.status_code == 422
    error = re.search(r'id="chat-body-error"[^>]*>([^<]+)<', empty.text)
    assert error and error.group(1) == "Bitte eine Nachricht eingeben."
    assert 'aria-invalid="true"' in empty.text
    typed = await send(client, chat_id, "x" * 10_001, "a-0000003")
    assert typed.status_code == 422 and "x" * 10_001 in typed.text  # what was typed stays
    live = await send(client, chat_id, "", "a-0000004", htmx=True)
    assert live.status_code == 422
    assert (
        'id="chat-body-error" hx-swap-oob="true"' in live.text
        and "Bitte eine Nachricht eingeben." in live.text
    )
    with tenant_scope(tenant.tenant.id):
        assert await ConversationEntry.filter(conversation_id=chat_id).count() == 2


async def test_an_attachment_is_stored_downloadable_and_can_be_filed_in_a_contract(
    client, tenant, passwords, ctx
) -> None:
    contact = await make_customer(tenant, passwords, communication=True)
    chat_id = await customer_writes(tenant, ctx)
    contract = await add_contract(tenant, contact)
    await client.log_in("alpha-admin")
    photo = await send(
        client, chat_id, "", "a-0000001", htmx=True, file=("foto.png", PNG_BYTES, "image/png")
    )
    assert photo.status_code == 200 and "foto.png" in photo.text
    sent = await send(
        client,
        chat_id,
        "Die Police",
        "a-0000002",
        file=("police.pdf", PDF_BYTES, "application/pdf"),
    )
    assert sent.status_code == 303
    with tenant_scope(tenant.tenant.id):
        document = await Document.get(contact_id=contact.id, filename="police.pdf")
    path = f"/staff/chats/{chat_id}/files/{document.id}"
    download = await client.get(path)
    assert download.status_code == 200 and download.content == PDF_BYTES
    page = await client.get(f"/staff/chats/{chat_id}")
    assert f'href="{path}"' in page.text and f'id="file-{document.id}"' in page.text
    none_chosen = await client.submit(f"{path}/file", {"contract_id": ""}, form_page=page.url.path)
    assert none_chosen.status_code == 422 and "Bitte" in none_chosen.text
    filed = await client.submit(
        f"{path}/file", {"contract_id": str(contract.id)}, form_page=page.url.path
    )
    assert filed.status_code == 303
    with tenant_scope(tenant.tenant.id):
        document = await Document.get(id=document.id)
    assert (document.contract_id, document.folder) == (contract.id, "insurance")


async def test_an_internal_note_shows_to_staff_as_intern_and_never_to_the_customer(
    client, tenant, passwords, ctx
) -> None:
    await make_customer(tenant, passwords, communication=True)
    chat_id = await customer_writes(tenant, ctx)
    await client.log_in("alpha-admin")
    path = f"/staff/chats/{chat_id}"
    noted = await client.submit(
        f"{path}/notes", {"body": "Kunde ist VIP", "client_key": "n-0000001"}, form_page=path
    )
    assert noted.status_code == 303
    again = await client.submit(
        f"{path}/notes", {"body": "Kunde ist VIP", "client_key": "n-0000001"}, form_page=path
    )
    assert again.status_code == 303
    page = await client.get(path)
    note = re.search(
        r'<li class="chat-msg[^"]*chat-msg--internal"[^>]*>(.*?)</li>', page.text, re.S
    )
    assert note and "Intern" in note.group(1) and "Kunde ist VIP" in note.group(1)
    empty = await client.submit(
        f"{path}/notes", {"body": "", "client_key": "n-0000002"}, form_page=path
    )
    assert empty.status_code == 422 and 'id="chat-note-body-error"' in empty.text
    with tenant_scope(tenant.tenant.id):
        assert await ConversationEntry.filter(conversation_id=chat_id, internal=True).count() == 1
        kai = await actor("kai")
        seen = await chat_pages.chat_page(kai, await chat_access.chat_for(kai, chat_id))
    assert [m.body for m in seen.messages] == ["Hallo"]


async def test_the_chat_is_reached_from_the_nav_the_home_page_and_the_contact_page(
    client, tenant, passwords
) -> None:
    contact = await make_customer(tenant, passwords, communication=True)
    await client.log_in("alpha-admin")
    home = await client.get("/staff")
    assert 'href="/staff/chats"' in home.text and 'id="tile-chat"' in home.text
    detail = await client.get(f"/staff/contacts/{contact.id}")
    assert 'id="chat-start"' in detail.text
    started = await client.submit(
        "/staff/chats/start", {"contact_id": str(contact.id)}, form_page=detail.url.path
    )
    assert started.status_code == 303 and started.headers["location"].startswith("/staff/chats/")


async def test_a_member_with_only_the_chat_right_sends_and_opens_files(
    client, tenant, passwords, ctx
) -> None:
    """The right Chat alone carries a chat's files: no Tickets right needed."""
    contact = await make_customer(tenant, passwords, communication=True)
    chat_id = await customer_writes(tenant, ctx)
    await make_member(tenant, passwords, "cora", handles_chat=True, sees_all_contacts=True)
    await client.log_in("cora")
    sent = await send(
        client, chat_id, "Hier", "c-0000001", file=("police.pdf", PDF_BYTES, "application/pdf")
    )
    assert sent.status_code == 303
    with tenant_scope(tenant.tenant.id):
        document = await Document.get(contact_id=contact.id, filename="police.pdf")
    download = await client.get(f"/staff/chats/{chat_id}/files/{document.id}")
    assert download.status_code == 200 and download.content == PDF_BYTES
