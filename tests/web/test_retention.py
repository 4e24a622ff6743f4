"""Retention, legal holds and the deletion scheduler, as staff and customers meet them: an
erasure keeps what the law requires (restricted, hidden from everyone but the admins' view)
and deletes the rest; a legal hold keeps everything and stops every deletion; the scheduler
deletes what is due; admins lengthen periods, never shorten them."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tenant_app.models.accounts import User
from tenant_app.models.contacts import Contact
from tenant_app.models.conversations import Conversation
from tenant_app.models.folders import AuditEntry, Contract, Document
from tenant_app.models.legal import ConsentRecord, LegalHold
from tenant_app.models.mail import OutboxMail
from tenant_app.models.scoping import tenant_scope
from tenant_app.queries import chats as chat_reads
from tenant_app.services import retention_purge
from tests.api_helpers import bearer, make_token, problem_of
from tests.conftest import count_queries, make_customer
from tests.folder_helpers import add_contract, add_document
from tests.web.test_tickets import make_staff


async def _dated(tenant: Any, document: Document, *, category: str, on: date) -> None:
    with tenant_scope(tenant.tenant.id):
        await Document.filter(id=document.id).update(category=category, document_date=on)


async def _erase(client: Any, contact: Any) -> Any:
    path = f"/staff/contacts/{contact.id}/delete"
    return await client.submit(path, {"confirm_text": contact.last_name}, form_page=path)


@pytest.fixture
async def kai(tenant: Any, passwords: Any) -> Any:
    return await make_customer(tenant, passwords)


async def test_an_erasure_restricts_a_six_year_letter_deletes_the_rest_and_the_scheduler_ends_it(
    client: Any, tenant: Any, settings: Any, kai: Any, deliver: Any
) -> None:
    letter = await add_document(tenant, settings, kai, folder="other", title="Brief 2024")
    await _dated(tenant, letter, category="correspondence", on=date(2024, 5, 1))
    photo = await add_document(tenant, settings, kai, folder="other", title="Urlaubsfoto")
    await _dated(tenant, photo, category="other", on=date(2024, 5, 1))
    await client.log_in("alpha-admin")
    confirm = await client.get(f"/staff/contacts/{kai.id}/delete")
    assert "31.12.2030" in confirm.text and "§ 257" in confirm.text  # kept until when, why

    erased = await _erase(client, kai)
    assert erased.status_code == 303 and "restricted=1" in erased.headers["location"]
    with tenant_scope(tenant.tenant.id):
        kept = await Document.get(id=letter.id)
        assert not await Document.exists(id=photo.id)  # nothing keeps it: gone at once
        contact = await Contact.get(id=kai.id)
    assert kept.delete_after == date(2030, 12, 31) and kept.restricted_at is not None
    assert contact.restricted_at is not None and contact.delete_after == date(2030, 12, 31)
    assert not (settings.storage_dir / photo.storage_key).exists()
    [mail] = [m for m in await deliver() if m["To"] == "kai@kunde.example"]
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert "Schriftverkehr (1): bis 31.12.2030" in body

    assert await retention_purge.purge_due(settings, today=date(2030, 12, 31)) == 0
    assert await retention_purge.purge_due(settings, today=date(2031, 1, 1)) == 2
    with tenant_scope(tenant.tenant.id):
        assert not await Document.exists(id=letter.id)
        assert not await Contact.exists(id=kai.id)
        actions = set(await AuditEntry.all().values_list("action", flat=True))
    assert {"contact_restricted", "retention_purged", "contact_deleted"} <= actions
    assert not (settings.storage_dir / letter.storage_key).exists()


async def test_admins_hold_what_is_kept_of_an_erased_contact_and_the_scheduler_waits(
    client: Any, tenant: Any, settings: Any, kai: Any
) -> None:
    """A lawsuit arrives after the erasure: the admin holds what is kept, from the retained
    view; nothing of it goes until the hold is released."""
    letter = await add_document(tenant, settings, kai, folder="other", title="Brief 2024")
    await _dated(tenant, letter, category="correspondence", on=date(2024, 5, 1))
    await client.log_in("alpha-admin")
    assert (await _erase(client, kai)).status_code == 303
    page = f"/staff/retained/{kai.id}"
    empty = await client.submit(f"{page}/holds", {"reason": "  "}, form_page=page)
    assert empty.status_code == 422 and 'id="f-reason-error"' in empty.text
    held = await client.submit(f"{page}/holds", {"reason": "Klage vom LG Köln"}, form_page=page)
    assert held.status_code == 303
    assert "Klage vom LG Köln" in (await client.get(page)).text
    assert await retention_purge.purge_due(settings, today=date(2100, 1, 1)) == 0
    with tenant_scope(tenant.tenant.id):
        assert await Document.exists(id=letter.id)
        hold = await LegalHold.get(contact_id=kai.id, released_at=None)
    release = f"{page}/holds/{hold.id}/release"
    assert (await client.submit(release, form_page=page)).status_code == 303
    assert await retention_purge.purge_due(settings, today=date(2031, 1, 1)) == 2
    with tenant_scope(tenant.tenant.id):
        assert not await Contact.exists(id=kai.id)


async def test_a_contact_under_legal_hold_survives_an_erasure_until_the_hold_is_released(
    client: Any, tenant: Any, settings: Any, kai: Any
) -> None:
    photo = await add_document(tenant, settings, kai, folder="other", title="Urlaubsfoto")
    await _dated(tenant, photo, category="other", on=date(2020, 1, 1))
    await client.log_in("alpha-admin")
    holds = f"/staff/contacts/{kai.id}/holds"
    empty = await client.submit(holds, {"reason": " ", "document_id": ""}, form_page=holds)
    assert empty.status_code == 422 and 'id="f-reason-error"' in empty.text
    assert "Bitte geben Sie den Grund" in empty.text
    held = await client.submit(
        holds, {"reason": "Rechtsstreit mit der Versicherung", "document_id": ""}, form_page=holds
    )
    assert held.status_code == 303
    assert "Rechtsstreit" in (await client.get(f"/staff/contacts/{kai.id}")).text

    with tenant_scope(tenant.tenant.id):
        await ConsentRecord.create(contact_id=kai.id, kind="health_data", text_version="1")
    assert (await _erase(client, kai)).status_code == 303
    with tenant_scope(tenant.tenant.id):
        contact = await Contact.get(id=kai.id)
        kept = await Document.get(id=photo.id)  # nothing goes under a hold
        [told] = await OutboxMail.filter(kind="erasure_done")
        hold = await LegalHold.get(contact_id=kai.id)
        assert await ConsentRecord.exists(contact_id=kai.id)  # nor his consent, nor his login
        login = await User.get(contact_id=kai.id)
    assert contact.restricted_at and contact.delete_after is None and kept.delete_after is None
    assert not login.is_active  # which no longer works
    assert "Sperre" in told.text_body
    assert await retention_purge.purge_due(settings, today=date(2100, 1, 1)) == 0

    page = f"/staff/retained/{kai.id}"
    assert "Rechtsstreit" in (await client.get(page)).text
    release = f"{page}/holds/{hold.id}/release"
    assert (await client.submit(release, form_page=page)).status_code == 303
    with tenant_scope(tenant.tenant.id):
        assert (await Document.get(id=photo.id)).delete_after is not None  # due now
    assert await retention_purge.purge_due(settings) == 2  # the photo, then the contact
    with tenant_scope(tenant.tenant.id):
        assert not await Contact.exists(id=kai.id)


async def test_a_hold_stops_deleting_a_document_and_its_contract_in_the_staff_area_and_the_api(
    client: Any, tenant: Any, settings: Any, kai: Any
) -> None:
    contract = await add_contract(tenant, kai)
    policy = await add_document(tenant, settings, kai, contract=contract)
    await client.log_in("alpha-admin")
    holds = f"/staff/contacts/{kai.id}/holds"
    listed = await client.get(f"/staff/contacts/{kai.id}/folders/insurance")
    assert f'href="{holds}?document_id={policy.id}"' in listed.text  # from the document's row
    chosen = await client.get(f"{holds}?document_id={policy.id}")
    assert f'<option value="{policy.id}" selected>' in chosen.text
    values = {"reason": "Prüfung durch die BaFin", "document_id": str(policy.id)}
    assert (await client.submit(holds, values, form_page=holds)).status_code == 303

    folder = f"/staff/contacts/{kai.id}/folders/insurance"
    refused = await client.submit(f"/staff/documents/{policy.id}/delete", form_page=folder)
    assert refused.status_code == 303 and "on_hold=1" in refused.headers["location"]
    path = f"/staff/contacts/{kai.id}/contracts/{contract.id}/delete"
    refused = await client.submit(path, form_page=folder)
    assert "on_hold=1" in refused.headers["location"]
    shown = await client.get(refused.headers["location"])
    assert "Eine rechtliche Sperre verhindert" in shown.text
    secret = await make_token(tenant)
    api = await client.delete(
        f"/api/v1/documents/{policy.id}", headers=bearer(secret, **{"If-Match": '"1"'})
    )
    problem_of(api, 422)
    with tenant_scope(tenant.tenant.id):
        assert await Document.exists(id=policy.id) and await Contract.exists(id=contract.id)


async def test_a_restricted_contact_is_hidden_from_staff_lists_and_the_api(
    client: Any, tenant: Any, settings: Any, kai: Any
) -> None:
    contract = await add_contract(tenant, kai)  # six years after the relationship: restricted
    await add_document(tenant, settings, kai, contract=contract)  # a policy: likewise
    with tenant_scope(tenant.tenant.id):  # his unanswered ticket (kept six years) and chat
        for kind, subject in (("ticket", "Frage zur Police"), ("chat", "Chat")):
            await Conversation.create(
                kind=kind,
                contact_id=kai.id,
                chat_contact_id=kai.id if kind == "chat" else None,
                subject=subject,
                responsible_id=tenant.admin.id,
                entry_count=1,
                last_entry_by_customer=True,
            )
    await client.log_in("alpha-admin")
    assert ">1<" in (await client.get("/staff/badge")).text.replace(" ", "")
    assert (await _erase(client, kai)).status_code == 303
    with tenant_scope(tenant.tenant.id):
        assert (
            await Conversation.filter(contact_id=kai.id, restricted_at__isnull=False).count() == 2
        )
    # The badges count no work left in what is only kept for the law.
    assert ">1<" not in (await client.get("/staff/badge")).text.replace(" ", "")
    with tenant_scope(tenant.tenant.id):
        assert await chat_reads.unread_chats(tenant.admin.id) == 0
    assert (await client.get(f"/staff/contacts/{kai.id}")).status_code == 404
    assert f"/staff/contacts/{kai.id}" not in (await client.get("/staff/contacts?q=Kunde")).text
    secret = await make_token(tenant)
    listed = await client.get("/api/v1/contacts", headers=bearer(secret))
    assert listed.json()["items"] == []
    problem_of(await client.get(f"/api/v1/contacts/{kai.id}", headers=bearer(secret)), 404)
    for kind in ("contracts", "documents"):  # their own lists keep none of his either
        assert (await client.get(f"/api/v1/{kind}", headers=bearer(secret))).json()["items"] == []
    assert "Kai Kunde" in (await client.get("/staff/retained")).text


async def test_only_admins_see_what_is_retained_and_only_in_their_tenant(
    client: Any, client_for: Any, tenant: Any, other_tenant: Any, passwords: Any, kai: Any
) -> None:
    await add_contract(tenant, kai)
    await client.log_in("alpha-admin")
    assert (await _erase(client, kai)).status_code == 303
    await make_staff(tenant, passwords, "anna", "Anna", manages_contacts=True)
    anna = client_for(tenant.hostname)
    await anna.log_in("anna")
    assert (await anna.get("/staff/retained")).status_code == 403
    assert (await anna.get(f"/staff/retained/{kai.id}")).status_code == 403
    other = client_for(other_tenant.hostname)
    await other.log_in(f"{other_tenant.tenant.slug}-admin")
    assert (await other.get(f"/staff/retained/{kai.id}")).status_code == 404
    assert "Kai" not in (await other.get("/staff/retained")).text


async def test_holds_are_for_staff_who_manage_contacts_of_their_own_tenant(
    client_for: Any, tenant: Any, other_tenant: Any, passwords: Any, kai: Any
) -> None:
    await make_staff(tenant, passwords, "tim", "Tim", handles_tickets=True, sees_all_contacts=True)
    tim = client_for(tenant.hostname)
    await tim.log_in("tim")
    assert (await tim.get(f"/staff/contacts/{kai.id}/holds")).status_code == 403
    other = client_for(other_tenant.hostname)
    await other.log_in(f"{other_tenant.tenant.slug}-admin")
    assert (await other.get(f"/staff/contacts/{kai.id}/holds")).status_code == 404


async def test_admins_lengthen_a_retention_period_but_never_shorten_it(
    client: Any, client_for: Any, tenant: Any, settings: Any, passwords: Any, kai: Any
) -> None:
    await client.log_in("alpha-admin")
    page = await client.get("/staff/retention")
    assert page.status_code == 200 and "§ 8 (4) GwG" in page.text
    from tests.html_forms import form_fields

    values = form_fields(page.text, "/staff/retention")
    short = await client.submit(
        "/staff/retention", {**values, "document_correspondence": "5"}, form_page="/staff/retention"
    )
    assert short.status_code == 422 and 'id="f-document_correspondence-error"' in short.text
    assert "Mindestens 6 Jahre" in short.text and 'value="5"' in short.text
    longer = {**values, "document_correspondence": "8"}
    saved = await client.submit("/staff/retention", longer, form_page="/staff/retention")
    assert saved.status_code == 303
    letter = await add_document(tenant, settings, kai, folder="other", title="Brief")
    await _dated(tenant, letter, category="correspondence", on=date(2024, 5, 1))
    assert (await _erase(client, kai)).status_code == 303
    with tenant_scope(tenant.tenant.id):
        assert (await Document.get(id=letter.id)).delete_after == date(2032, 12, 31)
    await make_staff(tenant, passwords, "sven", "Sven", manages_settings=True)
    sven = client_for(tenant.hostname)
    await sven.log_in("sven")
    assert (await sven.get("/staff/retention")).status_code == 403


async def test_the_retained_view_needs_the_same_queries_for_more_contacts(
    client: Any, tenant: Any, settings: Any, passwords: Any
) -> None:
    await client.log_in("alpha-admin")

    async def erase_one(number: int) -> None:
        contact = await make_customer(
            tenant, passwords, email=f"k{number}@kunde.example", last_name=f"Kunde{number}"
        )
        await add_contract(tenant, contact)
        await add_document(tenant, settings, contact)
        assert (await _erase(client, contact)).status_code == 303

    await erase_one(1)
    with count_queries() as one:
        assert (await client.get("/staff/retained")).status_code == 200
    for number in (2, 3, 4):
        await erase_one(number)
    with count_queries() as four:
        page = await client.get("/staff/retained")
    assert "Kunde4" in page.text and four.count == one.count


async def test_an_erasure_through_the_api_restricts_alike_and_tells_the_customer(
    client: Any, tenant: Any, kai: Any
) -> None:
    await add_contract(tenant, kai)
    secret = await make_token(tenant)
    erased = await client.delete(
        f"/api/v1/contacts/{kai.id}", headers=bearer(secret, **{"If-Match": '"1"'})
    )
    assert erased.status_code == 204
    with tenant_scope(tenant.tenant.id):
        assert (await Contact.get(id=kai.id)).restricted_at is not None
        [told] = await OutboxMail.filter(kind="erasure_done")
    assert told.to_address == "kai@kunde.example" and "Verträge und ihre Daten" in told.text_body
