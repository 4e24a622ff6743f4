"""The customer's chat (seed 004): the empty chat invites to write, the first message makes
the chat, a message sent twice is stored once, a refused message stores nothing and says why
next to the field, photos from the phone, nobody else's chat, archived chats, internal notes
and the read ping (the live stream's resuming is in test_chat_stream.py)."""

from __future__ import annotations

import html
import io
import re
from typing import Any

import pytest
from PIL import Image

from tenant_app.files.storage import storage_for
from tenant_app.fragments import fragment_cache
from tenant_app.models.conversations import Conversation, ConversationEntry
from tenant_app.models.folders import Document
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant
from tenant_app.queries import chats as reads
from tenant_app.services import chat_marks, chats
from tenant_app.tenancy import tenant_cache
from tests.chat_helpers import actor, make_member, make_responsible
from tests.conftest import ADMIN_PASSWORD, CUSTOMER_PASSWORD, make_customer
from tests.folder_helpers import PDF_BYTES
from tests.web.test_fragment_cache import twice_and_uncached

PAGE, SEND, READ = "/portal/chat", "/portal/chat/messages", "/portal/chat/read"
HTMX = {"HX-Request": "true"}
NOTE = "Rückruf vereinbart, Kunde ist verärgert"


@pytest.fixture
def ctx(settings: Any) -> chats.Context:
    return chats.Context(settings=settings, store=storage_for(settings))


@pytest.fixture
async def kai(tenant: Any, passwords: Any) -> Any:
    return await make_customer(tenant, passwords, communication=True)


@pytest.fixture
async def customer(client_for: Any, tenant: Any, kai: Any) -> Any:
    browser = client_for(tenant.hostname)
    await browser.log_in("kai", CUSTOMER_PASSWORD)
    return browser


def png(color: str = "red") -> bytes:
    """A small photo as a phone might send it."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buffer, "PNG")
    return buffer.getvalue()


async def send(
    client: Any,
    body: str,
    *,
    key: str = "",
    file: tuple[str, bytes, str] | None = None,
    htmx: bool = True,
) -> Any:
    """The composer's form as the page's script sends it (htmx), or as a plain form."""
    token = await client.csrf(PAGE)
    fields = {"csrf_token": token, "body": body, "client_key": key}
    parts: dict[str, Any] = {name: (None, value) for name, value in fields.items()}
    if file:
        parts["file"] = file
    headers = {"Origin": f"http://{client.host}", **(HTMX if htmx else {})}
    return await client.post(SEND, files=parts, headers=headers)


async def post_message(client: Any, token: str, body: str) -> Any:
    """A message posted with a token from another page (where the chat page is not found)."""
    parts = {"csrf_token": (None, token), "body": (None, body), "client_key": (None, "x-0000001")}
    headers = {"Origin": f"http://{client.host}", **HTMX}
    return await client.post(SEND, files=parts, headers=headers)


async def the_chat(tenant: Any) -> Conversation | None:
    with tenant_scope(tenant.tenant.id):
        return await Conversation.get_or_none(kind="chat")


async def entries(tenant: Any) -> list[str]:
    with tenant_scope(tenant.tenant.id):
        rows = await ConversationEntry.filter(conversation__kind="chat").order_by("id")
        return [row.body for row in rows]


def words(page: Any) -> str:
    """The page's text as it reads (tags gone, spaces collapsed)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.text)).split())


def body_error(page: Any) -> str:
    found = re.search(r'<p class="field__error" id="chat-body-error"[^>]*>([^<]*)<', page.text)
    assert found, page.text[-3000:]
    return html.unescape(found.group(1)).strip()


async def test_an_empty_chat_invites_to_write_and_every_other_page_leads_there(
    customer: Any, tenant: Any
) -> None:
    page = await customer.get(PAGE)
    assert page.status_code == 200
    assert "Schreiben Sie uns – wir antworten Ihnen direkt hier im Chat." in words(page)
    assert 'id="chat-composer"' in page.text and 'accept="image/*,application/pdf"' in page.text
    assert 'data-side="customer"' in page.text
    assert 'sse-connect="/account/notifications/stream"' in page.text  # no chat to follow yet
    assert 'id="chat-fab"' not in page.text  # not on the chat itself
    assert 'href="/portal/chat"' in page.text  # the navigation
    home = await customer.get("/portal")
    assert '<a class="chat-fab" href="/portal/chat" id="chat-fab">' in home.text
    assert await the_chat(tenant) is None  # opening it makes none


async def test_the_first_message_makes_the_chat_and_the_page_then_follows_it(
    customer: Any, tenant: Any, passwords: Any, kai: Any
) -> None:
    sina = await make_member(tenant, passwords, "sina", handles_chat=True)
    await make_responsible(tenant, kai, sina)
    first = await send(customer, "Ich bin umgezogen.", key="k-first-0001")
    # The page had no stream of this chat yet: htmx loads it again
    assert first.status_code == 200 and first.headers["HX-Redirect"] == PAGE
    chat = await the_chat(tenant)
    assert chat is not None and chat.status == "open" and chat.responsible_id == sina.id
    page = await customer.get(PAGE)
    assert "Ich bin umgezogen." in words(page)
    assert "Ihr Ansprechpartner: Sina Staff" in words(page)
    with tenant_scope(tenant.tenant.id):
        entry = await ConversationEntry.get(client_key="k-first-0001")
    assert f'sse-connect="/account/notifications/stream?chat={chat.id}&amp;after={entry.id}"' in (
        page.text
    )
    assert 'id="m-k-first-0001"' in page.text and "gesendet" in words(page)
    assert 'id="chat-empty"' not in page.text
    # the next message answers with itself, for the page's script to place by its key
    second = await send(customer, "Neue Adresse: Hauptstr. 1", key="k-second-001")
    assert second.status_code == 200 and "HX-Redirect" not in second.headers
    assert second.text.count('<li class="chat-msg chat-msg--mine"') == 1
    assert 'id="m-k-second-001"' in second.text and "Hauptstr. 1" in second.text
    # without JavaScript: a plain form, back to the chat (its key made on arrival)
    plain = await send(customer, "Danke!", htmx=False)
    assert plain.status_code == 303 and plain.headers["location"] == PAGE
    assert await entries(tenant) == ["Ich bin umgezogen.", "Neue Adresse: Hauptstr. 1", "Danke!"]


async def test_the_same_key_twice_stores_one_message(customer: Any, tenant: Any) -> None:
    await send(customer, "Hallo?", key="k-once-00001")
    again = await send(customer, "Hallo?", key="k-once-00001")  # the answer was lost: a retry
    assert again.status_code == 200
    assert 'id="m-k-once-00001"' in again.text
    assert await entries(tenant) == ["Hallo?"]


async def test_a_refused_message_says_why_next_to_the_field_and_stores_nothing(
    customer: Any, tenant: Any
) -> None:
    empty = await send(customer, "   ", key="k-empty-0001")
    assert empty.status_code == 422
    assert 'id="chat-body-error" hx-swap-oob="true"' in empty.text
    assert body_error(empty) == "Bitte eine Nachricht eingeben."
    program = ("tool.exe", b"MZ\x90\x00" * 64, "application/octet-stream")
    page = await send(customer, "Hier die Datei", file=program, htmx=False)
    assert page.status_code == 422
    assert body_error(page)  # the file's error, below the one field
    assert ">Hier die Datei</textarea>" in page.text  # what was typed stays
    assert 'aria-invalid="true"' in page.text
    assert await the_chat(tenant) is None and await entries(tenant) == []
    with tenant_scope(tenant.tenant.id):
        assert await Document.all().count() == 0


async def test_a_photo_is_stored_and_only_its_customer_downloads_it(
    customer: Any, tenant: Any, passwords: Any, client_for: Any, other_tenant: Any
) -> None:
    photo = png()
    sent = await send(customer, "", key="k-photo-0001", file=("IMG_0001.png", photo, "image/png"))
    assert sent.status_code == 200  # a photo alone needs no words
    page = await customer.get(PAGE)
    link = re.search(r'href="(/portal/chat/files/(\d+))"[^>]*>IMG_0001\.png<', page.text)
    assert link, page.text
    download = await customer.get(link.group(1))
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("image/png")
    assert Image.open(io.BytesIO(download.content)).size == (64, 48)
    await make_customer(
        tenant, passwords, email="eva@kunde.example", first_name="Eva", communication=True
    )
    eva = client_for(tenant.hostname)
    await eva.log_in("eva", CUSTOMER_PASSWORD)
    assert (await eva.get(link.group(1))).status_code == 404
    assert "IMG_0001" not in (await eva.get(PAGE)).text  # her own, empty chat
    await make_customer(other_tenant, passwords, email="kai@beta.example", communication=True)
    stranger = client_for(other_tenant.hostname)
    await stranger.log_in("kai", CUSTOMER_PASSWORD)
    assert (await stranger.get(link.group(1))).status_code == 404


async def test_without_communication_or_the_module_there_is_no_chat(
    customer: Any, tenant: Any, passwords: Any, client_for: Any
) -> None:
    await send(customer, "Hallo", key="k-hello-0001", file=("a.pdf", PDF_BYTES, "application/pdf"))
    file_path = re.search(r'href="(/portal/chat/files/\d+)"', (await customer.get(PAGE)).text)
    assert file_path
    await make_customer(
        tenant, passwords, email="ole@kunde.example", first_name="Ole", communication=False
    )
    ole = client_for(tenant.hostname)
    await ole.log_in("ole", CUSTOMER_PASSWORD)
    assert (await ole.get(PAGE)).status_code == 404
    token = await ole.csrf("/portal")
    assert (await post_message(ole, token, "Hallo")).status_code == 404
    assert (await ole.submit(READ, form_page="/portal")).status_code == 404
    assert (await ole.get(file_path.group(1))).status_code == 404
    assert 'href="/portal/chat"' not in (await ole.get("/portal")).text
    await Tenant.filter(id=tenant.tenant.id).update(modules="offers,claims")
    tenant_cache.invalidate()
    token = await customer.csrf("/portal")
    assert (await customer.get(PAGE)).status_code == 404
    assert (await customer.get(file_path.group(1))).status_code == 404
    assert (await customer.submit(READ, form_page="/portal")).status_code == 404
    assert (await post_message(customer, token, "Noch da?")).status_code == 404
    home = (await customer.get("/portal")).text
    assert 'id="chat-fab"' not in home and 'href="/portal/chat"' not in home
    assert await entries(tenant) == ["Hallo"]
    with tenant_scope(tenant.tenant.id):
        assert await Conversation.filter(kind="chat").count() == 1


async def test_an_archived_chat_is_gone_until_a_new_message_reopens_it(
    customer: Any, tenant: Any
) -> None:
    await send(customer, "Alte Frage", key="k-old-00001")
    await send(customer, "", key="k-old-00002", file=("alt.pdf", PDF_BYTES, "application/pdf"))
    old_page = await customer.get(PAGE)
    file_path = re.search(r'href="(/portal/chat/files/\d+)"', old_page.text)
    assert file_path
    with tenant_scope(tenant.tenant.id):
        await Conversation.filter(kind="chat").update(status="archived")
    page = await customer.get(PAGE)
    assert page.status_code == 200
    assert "Alte Frage" not in page.text and 'id="chat-empty"' in page.text
    assert "?chat=" not in page.text
    assert (await customer.get(file_path.group(1))).status_code == 404
    reopened = await send(customer, "Noch eine Frage", key="k-new-00001")
    assert reopened.headers["HX-Redirect"] == PAGE  # the page follows the chat again
    chat = await the_chat(tenant)
    assert chat is not None and chat.status == "open"
    again = await customer.get(PAGE)
    assert "Alte Frage" in again.text and "Noch eine Frage" in again.text


async def test_internal_notes_never_reach_the_customer(
    customer: Any, tenant: Any, ctx: chats.Context
) -> None:
    await send(customer, "Ich möchte kündigen.", key="k-quit-00001")
    with tenant_scope(tenant.tenant.id):
        chat = await Conversation.get(kind="chat")
        admin = await actor("alpha-admin")
        await chats.add_note(admin, chat, body=NOTE, client_key="n-note-00001")
        await chats.send(ctx, admin, chat_id=chat.id, body="Wir rufen an.", client_key="a-001-0001")
    page = await customer.get(PAGE)
    assert "Wir rufen an." in page.text and "Clara Chef" in page.text  # the office's answer
    assert NOTE not in page.text and "n-note-00001" not in page.text and "Intern" not in page.text
    answer = await send(customer, "Gut.", key="k-good-00001")
    assert NOTE not in answer.text and "Intern" not in answer.text


async def test_the_page_shows_every_change_at_once_and_each_side_its_own(
    customer: Any, client_for: Any, tenant: Any, ctx: chats.Context
) -> None:
    """The messages are kept rendered (fragments.py): a new message, a note, a mark and the
    side reading are all part of what they are kept by."""
    await send(customer, "Hallo", key="k-seen-00001")
    with tenant_scope(tenant.tenant.id):
        chat = await Conversation.get(kind="chat")
        admin = await actor("alpha-admin")
    office = client_for(tenant.hostname)
    await office.log_in("alpha-admin", ADMIN_PASSWORD)
    staff_page = await office.get(f"/staff/chats/{chat.id}")
    assert '<li class="chat-msg" id="m-k-seen-00001"' in staff_page.text  # the customer's
    page = await customer.get(PAGE)  # the same messages, read by the other side
    assert '<li class="chat-msg chat-msg--mine" id="m-k-seen-00001"' in page.text
    assert "gesendet" in words(page)
    with tenant_scope(tenant.tenant.id):
        await chats.add_note(admin, chat, body=NOTE, client_key="n-seen-00001")
    assert NOTE in (await office.get(f"/staff/chats/{chat.id}")).text
    assert NOTE not in (await customer.get(PAGE)).text
    with tenant_scope(tenant.tenant.id):
        await chat_marks.mark_read(admin, chat)
    assert "gelesen" in words(await customer.get(PAGE))  # the office read it
    with tenant_scope(tenant.tenant.id):
        await chats.send(ctx, admin, chat_id=chat.id, body="Guten Tag", client_key="a-seen-0001")
    assert "Guten Tag" in words(await customer.get(PAGE))


async def test_the_read_ping_of_the_seen_page_reads_the_office_messages(
    customer: Any, tenant: Any, ctx: chats.Context
) -> None:
    """Opening the page (a GET) changes nothing, so a prefetch reads nothing; the page's
    script tells what was seen."""
    await send(customer, "Hallo", key="k-read-00001")
    with tenant_scope(tenant.tenant.id):
        chat = await Conversation.get(kind="chat")
        admin = await actor("alpha-admin")
        await chats.send(ctx, admin, chat_id=chat.id, body="Guten Tag", client_key="a-read-0001")
        assert (await reads.marks(chat.id)).customer_read == 1
    await customer.get(PAGE)
    with tenant_scope(tenant.tenant.id):
        assert (await reads.marks(chat.id)).customer_read == 1
    read = await customer.submit(READ, form_page=PAGE, headers=HTMX)
    assert read.status_code == 204
    with tenant_scope(tenant.tenant.id):
        assert (await reads.marks(chat.id)).customer_read == 2
        await chats.send(ctx, admin, chat_id=chat.id, body="Noch da?", client_key="a-read-0002")
    await customer.submit(READ, form_page=PAGE, headers=HTMX)
    with tenant_scope(tenant.tenant.id):
        assert (await reads.marks(chat.id)).customer_read == 3


async def du_walk(walk: Any, kai: Any) -> None:
    """For the Du tenant's walk (test_du_tenant.py): the empty chat, a refused message, one
    with a file (a plain form: back to the chat), the read ping and the file (the module
    switched on for it)."""
    tenant = await Tenant.get(id=walk.tenant_id)
    modules = [name for name in tenant.modules.split(",") if name]
    await Tenant.filter(id=walk.tenant_id).update(modules=",".join([*modules, "chat"]))
    tenant_cache.invalidate()
    await walk.get(kai, PAGE)
    await walk.post(kai, SEND, 422, {"body": "", "client_key": ""}, files={}, form_page=PAGE)
    letter = {"file": ("brief.pdf", PDF_BYTES, "application/pdf")}
    sent = {"body": "Hier der Brief.", "client_key": ""}
    await walk.post(kai, SEND, 303, sent, files=letter, form_page=PAGE)
    page = (await walk.get(kai, PAGE)).text
    await walk.post(kai, READ, 204, form_page=PAGE)
    await walk.get(kai, re.findall(r'href="(/portal/chat/files/\d+)"', page)[0])


async def test_the_chat_page_with_its_composer_kept_is_an_uncached_render(
    customer: Any, tenant: Any
) -> None:
    assert (await send(customer, "Guten Tag", key="k-kept-00001")).status_code == 200
    limit = fragment_cache.max_bytes
    try:
        uncached, first, second = await twice_and_uncached(customer, PAGE)
        assert uncached == first == second
        assert 'id="chat-composer"' in second and "data-labels=" in second
        refused = await send(customer, "Noch da", file=("a.exe", b"MZ" * 64, "x/y"), htmx=False)
        assert ">Noch da</textarea>" in refused.text and 'aria-invalid="true"' in refused.text
        again = (await customer.get(PAGE)).text
        assert again == second  # the empty composer again, nothing typed left in it
    finally:
        fragment_cache.max_bytes = limit
        fragment_cache.clear()
