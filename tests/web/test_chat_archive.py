"""Archiving a chat (seed 004): the customer no longer sees it, the transcript is filed as a
PDF at the customer, a contract or a claim ("Zugeordnet zu") unless the tenant switched it
off, staff open it again, and a new customer message reopens it."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, date, datetime
from typing import Any

import pytest

from tenant_app.errors import ValidationFailed
from tenant_app.files.storage import storage_for
from tenant_app.models.claims import Claim, ClaimFile
from tenant_app.models.conversations import Conversation, ConversationEvent
from tenant_app.models.folders import Document
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant
from tenant_app.queries.chats import Message
from tenant_app.services import (
    chat_archive,
    chat_pages,
    chats,
    documents,
    erasure,
    retention_purge,
)
from tenant_app.tenancy import tenant_cache
from tenant_app.text import i18n
from tenant_app.text.formatting import local_today
from tests.chat_helpers import actor, make_member
from tests.conftest import make_customer
from tests.folder_helpers import PDF_BYTES, add_contract
from tests.html_forms import form_fields
from tests.web.test_du_tenant import visible_text
from tests.web.test_modules_settings import ACTION, SETTINGS, save  # the settings section

NOTE = "Intern: Kunde ist verärgert, bitte vorsichtig"


@pytest.fixture
def ctx(settings: Any) -> chats.Context:
    return chats.Context(settings=settings, store=storage_for(settings))


async def chat_with_messages(tenant: Any, ctx: chats.Context) -> Conversation:
    """Kai's chat: his question with a file, the office's answer and an internal note."""
    with tenant_scope(tenant.tenant.id):
        kai, admin = await actor("kai"), await actor("alpha-admin")
        upload = documents.Upload(io.BytesIO(PDF_BYTES), "rechnung.pdf", len(PDF_BYTES))
        first = await chats.send(
            ctx, kai, chat_id=None, body="Wie melde ich einen Schaden?", client_key="k-0000001"
        )
        chat = await Conversation.get(id=first.conversation_id)
        await chats.send(ctx, kai, chat_id=chat.id, body="", client_key="k-0000002", upload=upload)
        await chats.send(
            ctx, admin, chat_id=chat.id, body="Gern helfe ich.", client_key="a-0000001"
        )
        await chats.add_note(admin, chat, body=NOTE, client_key="n-0000001")
        return await Conversation.get(id=chat.id)


@pytest.fixture
async def kai(tenant: Any, passwords: Any) -> Any:
    return await make_customer(tenant, passwords, communication=True, insurance_share=True)


async def make_claim(tenant: Any, contact: Any, number: str = "S-2026-0001") -> Claim:
    with tenant_scope(tenant.tenant.id):
        return await Claim.create(
            number=number,
            contact_id=contact.id,
            loss_date=date(2026, 11, 30),
            kind="household",
            description="Wasserschaden",
        )


def archive_path(chat: Conversation) -> str:
    return f"/staff/chats/{chat.id}/archive"


async def archive_over_http(client: Any, chat: Conversation, assigned_to: str) -> Any:
    path = archive_path(chat)
    return await client.submit(path, {"assigned_to": assigned_to}, form_page=path)


async def filed(tenant: Any) -> tuple[list[Document], list[ClaimFile]]:
    """Every transcript filed (the chat attachment is a document too, outside the folders)."""
    with tenant_scope(tenant.tenant.id):
        found = await Document.filter(category=chat_archive.CATEGORY).order_by("id")
        return list(found), list(await ClaimFile.all().order_by("id"))


async def customer_sees_chat(tenant: Any) -> bool:
    with tenant_scope(tenant.tenant.id):
        return await chat_pages.customer_chat_page(await actor("kai")) is not None


def letter_text(letter: Any) -> str:
    parts = [letter.title, letter.sender, letter.footer]
    for section in letter.sections:
        parts += [section.heading, *section.paragraphs]
        parts += [f"{label}: {value}" for label, value in section.facts]
    return "\n".join(parts)


async def test_archiving_files_the_transcript_at_the_chosen_contract(
    client, tenant, kai, ctx, settings
) -> None:
    chat = await chat_with_messages(tenant, ctx)
    contract = await add_contract(tenant, kai, number="HR-77")
    with tenant_scope(tenant.tenant.id), i18n.using("de"):
        letter = chat_archive.transcript_letter(
            firm="Alpha Versicherungsmakler GmbH",
            customer="Kai Kunde",
            archived_by="Clara Chef",
            messages=await chat_archive.unfiled_messages(chat),
        )
    text = letter_text(letter)
    for shown in ("Chat-Transkript: Kai Kunde", "Wie melde ich einen Schaden?", "Gern helfe ich."):
        assert shown in text, shown
    assert "Anhang: rechnung.pdf" in text and "Clara Chef" in text
    assert NOTE not in text and "Intern" not in text
    await client.log_in("alpha-admin")
    dialog = await client.get(archive_path(chat))
    assert dialog.status_code == 200
    shown = visible_text(dialog.text)
    assert "Zugeordnet zu" in shown and "Kunde (ohne Zuordnung)" in shown
    assert "Hausrat · Condor" in shown and "HR-77" in shown
    fragment = await client.get(archive_path(chat), headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<section class="card stack" id="dialog"')
    assert await customer_sees_chat(tenant)

    done = await archive_over_http(client, chat, f"contract:{contract.id}")

    assert done.status_code == 303
    assert done.headers["location"] == "/staff/chats?status=archived&archived=1"
    with tenant_scope(tenant.tenant.id):
        stored = await Conversation.get(id=chat.id)
        assert stored.status == "archived" and stored.closed_at is not None
        assert await ConversationEvent.filter(conversation_id=chat.id, kind="archived").count() == 1
    assert not await customer_sees_chat(tenant)
    documents_filed, claim_files = await filed(tenant)
    assert claim_files == [] and len(documents_filed) == 1
    transcript = documents_filed[0]
    assert (transcript.contact_id, transcript.contract_id) == (kai.id, contract.id)
    assert transcript.folder == "insurance" and not transcript.shared_with_customer
    assert transcript.filename == f"Chat-Transkript-{local_today().isoformat()}.pdf"
    assert transcript.title.startswith("Chat-Transkript Kai Kunde")
    assert transcript.content_type == "application/pdf"
    data = await storage_for(settings).read(transcript.storage_key)
    assert data.startswith(b"%PDF") and len(data) == transcript.size
    assert b"/Title (Chat-Transkript: Kai Kunde)" in data  # the transcript, not another file
    with tenant_scope(tenant.tenant.id):
        assert transcript.uploaded_by_id == (await actor("alpha-admin")).id


async def test_at_a_claim_the_transcript_is_a_file_of_the_claim(client, tenant, kai, ctx) -> None:
    chat = await chat_with_messages(tenant, ctx)
    claim = await make_claim(tenant, kai)
    await client.log_in("alpha-admin")
    assert "S-2026-0001 · Hausrat" in visible_text((await client.get(archive_path(chat))).text)
    assert (await archive_over_http(client, chat, f"claim:{claim.id}")).status_code == 303
    documents_filed, claim_files = await filed(tenant)
    assert documents_filed == [] and len(claim_files) == 1
    assert claim_files[0].claim_id == claim.id and claim_files[0].kind == "document"
    assert claim_files[0].filename.startswith("Chat-Transkript-")


async def test_without_assignment_the_transcript_lies_on_the_contact(
    client, tenant, kai, ctx
) -> None:
    chat = await chat_with_messages(tenant, ctx)
    await client.log_in("alpha-admin")
    assert (await archive_over_http(client, chat, "")).status_code == 303
    documents_filed, _claim_files = await filed(tenant)
    assert [(d.contact_id, d.contract_id, d.folder) for d in documents_filed] == [
        (kai.id, None, "")
    ]


async def test_switched_off_in_the_settings_nothing_is_filed(client, tenant, kai, ctx) -> None:
    chat = await chat_with_messages(tenant, ctx)
    await client.log_in("alpha-admin")
    page = await client.get(SETTINGS)
    assert form_fields(page.text, ACTION)["chat_transcripts"] == "on"  # on by default
    assert "Chat-Transkripte beim Archivieren ablegen" in visible_text(page.text)
    assert (await save(client, {"chat_transcripts": ""})).status_code == 303
    with tenant_scope(tenant.tenant.id):
        assert not (await Tenant.get(id=tenant.tenant.id)).chat_transcripts
    assert "chat_transcripts" not in form_fields((await client.get(SETTINGS)).text, ACTION)
    dialog = visible_text((await client.get(archive_path(chat))).text)
    assert "ist in den Einstellungen" in dialog and "Zugeordnet zu" not in dialog
    assert (await archive_over_http(client, chat, "")).status_code == 303
    assert await filed(tenant) == ([], [])
    assert not await customer_sees_chat(tenant)


@pytest.mark.parametrize("case", ["other contact", "other tenant", "deleted", "both", "garbage"])
async def test_a_choice_not_of_this_customer_is_refused_and_changes_nothing(
    client, tenant, other_tenant, passwords, kai, ctx, settings, case
) -> None:
    chat = await chat_with_messages(tenant, ctx)
    other = await make_customer(tenant, passwords, email="olga@kunde.example", first_name="Olga")
    foreign = await add_contract(tenant, other, number="FREMD-1")
    stranger = await make_customer(other_tenant, passwords, email="bert@beta.example")
    elsewhere = await add_contract(other_tenant, stranger, number="BETA-1")
    own = await add_contract(tenant, kai, number="HR-1")
    claim = await make_claim(tenant, kai)
    with tenant_scope(tenant.tenant.id):
        await type(own).filter(id=own.id).update(deleted_at=datetime.now(UTC))
    choice = {
        "other contact": f"contract:{foreign.id}",
        "other tenant": f"contract:{elsewhere.id}",
        "deleted": f"contract:{own.id}",
        "both": f"contract:{foreign.id}",
        "garbage": "contract:abc",
    }[case]
    await client.log_in("alpha-admin")
    if case == "both":
        with tenant_scope(tenant.tenant.id), pytest.raises(ValidationFailed) as refused:
            await chat_archive.archive(
                ctx, await actor("alpha-admin"), chat, contract_id=own.id, claim_id=claim.id
            )
        assert "entweder" in refused.value.errors["assigned_to"]
    response = await archive_over_http(client, chat, choice)
    assert response.status_code == 422
    error = response.text.split('id="f-assigned_to-error">', 1)[1].split("</p>", 1)[0]
    assert "Bitte wählen Sie einen Vertrag oder Schaden dieses Kunden." in error
    with tenant_scope(tenant.tenant.id):
        assert (await Conversation.get(id=chat.id)).status == "open"
        assert not await ConversationEvent.filter(kind="archived").exists()
    assert await filed(tenant) == ([], [])
    assert await customer_sees_chat(tenant)


async def test_archiving_twice_is_harmless(client, tenant, kai, ctx) -> None:
    chat = await chat_with_messages(tenant, ctx)
    with tenant_scope(tenant.tenant.id):
        admin = await actor("alpha-admin")
        assert isinstance(await chat_archive.archive(ctx, admin, chat), Document)
        stale = chat  # a page loaded before the first archiving still says "open"
        assert stale.status == "open"
        assert await chat_archive.archive(ctx, admin, stale) is None
    await client.log_in("alpha-admin")
    assert (await archive_over_http(client, chat, "")).status_code == 303
    assert "bereits archiviert" in visible_text((await client.get(archive_path(chat))).text)
    with tenant_scope(tenant.tenant.id):
        assert await ConversationEvent.filter(kind="archived").count() == 1
    assert len((await filed(tenant))[0]) == 1


async def test_a_message_arriving_meanwhile_stops_archiving_without_a_stray_file(
    tenant, kai, ctx, settings, monkeypatch
) -> None:
    chat = await chat_with_messages(tenant, ctx)
    rendered = chat_archive._transcript

    async def then_kai_writes(*args: Any) -> Any:
        found = await rendered(*args)
        await chats.send(
            ctx, await actor("kai"), chat_id=None, body="Noch was!", client_key="k-0000009"
        )
        return found

    monkeypatch.setattr(chat_archive, "_transcript", then_kai_writes)
    files_before = sorted((settings.storage_dir / str(tenant.tenant.id)).iterdir())
    with tenant_scope(tenant.tenant.id):
        with pytest.raises(ValidationFailed) as refused:
            await chat_archive.archive(ctx, await actor("alpha-admin"), chat)
        assert "neue Nachricht" in refused.value.errors["form"]
        assert (await Conversation.get(id=chat.id)).status == "open"
    assert await filed(tenant) == ([], [])
    assert sorted((settings.storage_dir / str(tenant.tenant.id)).iterdir()) == files_before


async def test_staff_reopen_and_the_customer_sees_it_again(client, tenant, kai, ctx) -> None:
    chat = await chat_with_messages(tenant, ctx)
    await client.log_in("alpha-admin")
    page = await client.get(f"/staff/chats/{chat.id}")
    assert f'href="{archive_path(chat)}" id="chat-archive"' in page.text
    assert "Archivieren" in visible_text(page.text) and 'id="chat-reopen"' not in page.text
    assert (await archive_over_http(client, chat, "")).status_code == 303
    page = await client.get(f"/staff/chats/{chat.id}")
    assert 'id="chat-archive"' not in page.text and 'id="chat-reopen"' in page.text
    assert "Wieder öffnen" in visible_text(page.text)
    path = f"/staff/chats/{chat.id}/reopen"
    reopened = await client.submit(path, {}, form_page=f"/staff/chats/{chat.id}")
    assert reopened.status_code == 303
    assert reopened.headers["location"] == f"/staff/chats/{chat.id}?reopened=1"
    assert await customer_sees_chat(tenant)
    with tenant_scope(tenant.tenant.id):
        assert (await Conversation.get(id=chat.id)).closed_at is None
        assert await ConversationEvent.filter(kind="reopened").count() == 1


async def test_a_new_customer_message_reopens_and_the_next_transcript_has_only_it(
    client, tenant, kai, ctx
) -> None:
    chat = await chat_with_messages(tenant, ctx)
    with tenant_scope(tenant.tenant.id):
        admin = await actor("alpha-admin")
        await chat_archive.archive(ctx, admin, chat)
        await chats.send(
            ctx, await actor("kai"), chat_id=None, body="Eine Frage noch", client_key="k-0000003"
        )
        chat = await Conversation.get(id=chat.id)
        assert chat.status == "open"
    assert await customer_sees_chat(tenant)
    with tenant_scope(tenant.tenant.id):
        new = await chat_archive.unfiled_messages(chat)
        assert [message.body for message in new] == ["Eine Frage noch"]
        second = await chat_archive.archive(ctx, admin, chat)
        assert isinstance(second, Document)
        # Opened and archived again without a word: nothing new, no empty transcript.
        await chat_archive.reopen(admin, await Conversation.get(id=chat.id))
    await client.log_in("alpha-admin")
    dialog = visible_text((await client.get(archive_path(chat))).text)
    assert "keine neue Nachricht: Es wird kein Transkript abgelegt" in dialog
    with tenant_scope(tenant.tenant.id):
        again = await chat_archive.archive(ctx, admin, await Conversation.get(id=chat.id))
        assert again is None and (await Conversation.get(id=chat.id)).status == "archived"
    assert len((await filed(tenant))[0]) == 2


async def test_who_may_archive(client, client_for, tenant, other_tenant, passwords, kai, ctx):
    chat = await chat_with_messages(tenant, ctx)
    await make_member(tenant, passwords, "nochat", handles_chat=False, sees_all_contacts=True)
    await make_member(tenant, passwords, "notkai", handles_chat=True)  # not responsible for Kai
    paths = [archive_path(chat), f"/staff/chats/{chat.id}/reopen"]
    for username, status in (("nochat", 403), ("notkai", 404)):
        member = client_for(tenant.hostname)
        await member.log_in(username)
        assert (await member.get(paths[0])).status_code == status, username
        posted = await member.submit(paths[0], {"assigned_to": ""}, form_page="/staff")
        assert posted.status_code == status, username
        assert (await member.submit(paths[1], {}, form_page="/staff")).status_code == status
    beta = client_for(other_tenant.hostname)
    await beta.log_in("beta-admin")
    assert (await beta.get(paths[0])).status_code == 404
    assert (await beta.submit(paths[0], {}, form_page="/staff")).status_code == 404
    with tenant_scope(tenant.tenant.id):
        assert (await Conversation.get(id=chat.id)).status == "open"
        await Tenant.filter(id=tenant.tenant.id).update(modules="offers,claims")
    await client.log_in("alpha-admin")
    tenant_cache.invalidate()
    assert (await client.get(paths[0])).status_code == 404  # the chat module is off


def test_the_transcript_letter_shows_berlin_time_names_and_files_never_a_note() -> None:
    def message(body: str, *, by_customer: bool, internal: bool = False, **more: Any) -> Message:
        values: dict[str, Any] = {
            "id": 1,
            "seq": 1,
            "key": "k",
            "document_id": None,
            "filename": "",
            "content_type": "",
            "author_id": 1,
            "author_name": "Kai Kunde" if by_customer else "Clara Chef",
            "created_at": datetime(2026, 12, 5, 13, 4, tzinfo=UTC),
        }
        return Message(body=body, by_customer=by_customer, internal=internal, **{**values, **more})

    with i18n.using("de"):
        letter = chat_archive.transcript_letter(
            firm="Alpha Makler GmbH",
            customer="Kai Kunde",
            archived_by="Clara Chef",
            messages=[
                message("Hallo", by_customer=True, filename="foto.jpg", author_name=""),
                message(
                    "Gern", by_customer=False, created_at=datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
                ),
            ],
        )
        text = letter_text(letter)
        assert "05.12.2026 14:04 · Kai Kunde" in text  # CET, a deleted login named by role
        assert "06.12.2026 09:00 · Clara Chef" in text
        assert "Anhang: foto.jpg" in text and "Zeitraum: 05.12.2026 – 06.12.2026" in text
        assert letter.sender == "Alpha Makler GmbH"
        with pytest.raises(ValueError):
            chat_archive.transcript_letter(
                firm="F",
                customer="K",
                archived_by="C",
                messages=[message("geheim", by_customer=False, internal=True)],
            )


async def test_transcripts_go_into_the_export_and_with_the_erasure(
    tenant, kai, ctx, settings
) -> None:
    """They are the contact's documents and claim files: exported with their files, and
    erased with the contact, files and all: the claim's at once, the chat and the transcript
    on the contact (correspondence, six years) by the scheduler when their time has come."""
    store = storage_for(settings)
    chat = await chat_with_messages(tenant, ctx)
    claim = await make_claim(tenant, kai)
    with tenant_scope(tenant.tenant.id):
        admin = await actor("alpha-admin")
        on_contact = await chat_archive.archive(ctx, admin, chat)
        await chats.send(
            ctx, await actor("kai"), chat_id=None, body="Danke!", client_key="k-0000004"
        )
        at_claim = await chat_archive.archive(
            ctx, admin, await Conversation.get(id=chat.id), claim_id=claim.id
        )
        assert isinstance(on_contact, Document) and isinstance(at_claim, ClaimFile)
        contact = await type(kai).get(id=kai.id)
        exported = await erasure.export_contact(admin, store, contact)
        with exported, zipfile.ZipFile(exported) as archive:
            names = archive.namelist()
            data = json.loads(archive.read("data.json"))
        assert f"files/{on_contact.id}_{on_contact.filename}" in names
        assert len([name for name in names if "Chat-Transkript-" in name]) == 2  # and the claim's
        [exported_chat] = data["chats"]
        notes = [m for m in exported_chat["messages"] if m["internal"]]
        assert [m["body"] for m in notes] == [NOTE]  # marked as the office's own
        outcome = await erasure.delete_contact(admin, store, contact, confirmation="Kunde")
        assert {kept.retention_class for kept in outcome.kept} >= {"conversation"}
        assert (await Conversation.get(id=chat.id)).restricted_at is not None
    with pytest.raises(FileNotFoundError):
        await store.read(at_claim.storage_key)
    await retention_purge.purge_due(settings, today=date(2100, 1, 1))
    with tenant_scope(tenant.tenant.id):
        assert not await Conversation.filter(id=chat.id).exists()
    for key in (on_contact.storage_key, at_claim.storage_key):
        with pytest.raises(FileNotFoundError):
            await store.read(key)
