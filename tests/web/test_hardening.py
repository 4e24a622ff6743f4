"""Rights and robustness at the edges: folderless documents, export, odd ids, repeated fields."""

from __future__ import annotations

import logging

import pytest

from tenant_app.models.accounts import User
from tenant_app.models.contacts import Contact, ContactResponsible
from tenant_app.models.folders import Contract, Document
from tenant_app.models.scoping import tenant_scope
from tests.conftest import CUSTOMER_PASSWORD, make_customer
from tests.folder_helpers import add_contract, add_document, attach_to_ticket
from tests.web.test_staff_users import _make_registered_staff


async def _reader_for(tenant, passwords, client_for, contact):
    """A staff member responsible for the contact, with read access to insurance only."""
    sina = await _make_registered_staff(
        tenant, passwords, access_insurance="read", manages_contacts=True
    )
    with tenant_scope(tenant.tenant.id):
        await ContactResponsible.create(contact_id=contact.id, user_id=sina.id)
    staff = client_for(tenant.hostname)
    await staff.log_in("sina.staff")
    return staff


async def test_folderless_documents_are_not_for_staff_without_ticket_rights(
    tenant, passwords, settings, client_for
) -> None:
    contact = await make_customer(tenant, passwords)
    attachment = await add_document(tenant, settings, contact, folder="", title="Ausweis")
    await attach_to_ticket(tenant, contact, attachment)  # a customer's ticket attachment
    staff = await _reader_for(tenant, passwords, client_for, contact)
    assert (await staff.get(f"/staff/documents/{attachment.id}/download")).status_code == 404
    deleted = await staff.submit(f"/staff/documents/{attachment.id}/delete", form_page="/staff")
    assert deleted.status_code == 404
    token = await staff.csrf("/staff")
    upload = await staff.post(
        f"/staff/contacts/{contact.id}/documents",
        files={
            "csrf_token": (None, token),
            "folder": (None, ""),
            "title": (None, "X"),
            "file": ("a.pdf", b"%PDF-1.4 x", "application/pdf"),
        },
        headers={"Origin": "http://alpha.localhost"},
    )
    assert upload.status_code == 404
    with tenant_scope(tenant.tenant.id):
        assert await Document.all().count() == 1


async def test_export_needs_read_access_to_every_folder(
    tenant, passwords, settings, client_for
) -> None:
    contact = await make_customer(tenant, passwords)
    await add_contract(tenant, contact, folder="finance", number="FIN-SECRET-77")
    staff = await _reader_for(tenant, passwords, client_for, contact)
    response = await staff.get(f"/staff/contacts/{contact.id}/export")
    assert response.status_code == 403 and b"FIN-SECRET-77" not in response.content


async def test_contact_cannot_take_a_staff_members_email(client, tenant, passwords) -> None:
    contact = await make_customer(tenant, passwords)
    await client.log_in("alpha-admin")
    form = {
        "first_name": "Neu",
        "last_name": "Kunde",
        "birthdate": "1990-01-02",
        "email": "chef@alpha.example",
    }
    response = await client.submit(f"/staff/contacts/{contact.id}/edit", form)
    assert response.status_code == 422 and 'id="f-email-error"' in response.text
    with tenant_scope(tenant.tenant.id):
        contact = await Contact.get(id=contact.id)
        account = await User.get(contact_id=contact.id)
    assert (contact.first_name, contact.email, account.first_name) == (
        "Kai",
        "kai@kunde.example",
        "Kai",
    )


async def test_customer_never_destroys_the_brokers_files(
    client_for, tenant, passwords, settings
) -> None:
    contact = await make_customer(tenant, passwords, insurance_share=True)
    broker = await add_contract(tenant, contact)
    policy = await add_document(tenant, settings, contact, contract=broker)
    own = await add_contract(tenant, contact, by_customer=True, number="OWN-2")
    filed = await add_document(tenant, settings, contact, contract=own, title="Vom Makler abgelegt")
    customer = client_for(tenant.hostname)
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    refused = await customer.submit(f"/portal/documents/{policy.id}/delete", form_page="/portal")
    assert refused.status_code == 403
    await customer.submit(f"/portal/contracts/{own.id}/delete", form_page="/portal")
    with tenant_scope(tenant.tenant.id):
        assert await Document.filter(id__in=[policy.id, filed.id]).count() == 2
        assert (await Contract.get(id=own.id)).deleted_at is not None  # soft, staff can restore
    assert (settings.storage_dir / filed.storage_key).exists()


@pytest.mark.parametrize(
    "path",
    [
        "/staff/contacts/99999999999999999999999",
        "/staff/contacts/0",
        "/staff/users/12345678901",
        "/portal/tickets/99999999999",
    ],
)
async def test_huge_or_odd_ids_are_not_found(client, path) -> None:
    await client.log_in("alpha-admin")
    assert (await client.get(path)).status_code == 404


async def test_unicode_digits_do_not_crash(client, tenant, passwords) -> None:
    contact = await make_customer(tenant, passwords)
    await client.log_in("alpha-admin")
    assert (await client.get("/staff/contacts?page=²")).status_code == 200
    form = {
        "first_name": "Kai",
        "last_name": "Kunde",
        "birthdate": "1990-01-02",
        "email": "kai@kunde.example",
        "responsible": "²",
        "version": "1",
    }
    assert (await client.submit(f"/staff/contacts/{contact.id}/edit", form)).status_code == 303


async def test_repeated_field_is_refused_without_changes(client, tenant, passwords) -> None:
    contact = await make_customer(tenant, passwords)
    await client.log_in("alpha-admin")
    token = await client.csrf(f"/staff/contacts/{contact.id}/permissions")
    response = await client.post(
        f"/staff/contacts/{contact.id}/permissions",
        content=f"csrf_token={token}&communication=on&communication=on",
        headers={
            "Origin": "http://alpha.localhost",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert response.status_code == 400
    with tenant_scope(tenant.tenant.id):
        from tenant_app.models.folders import CustomerAccess

        assert not (await CustomerAccess.get(contact_id=contact.id)).communication


@pytest.mark.parametrize(
    ("field", "value"), [("first_name", "x" * 101), ("city", "y" * 101), ("postal_code", "1" * 11)]
)
async def test_too_long_contact_fields_are_refused(client, tenant, field, value) -> None:
    await client.log_in("alpha-admin")
    form = {
        "first_name": "Eva",
        "last_name": "Lang",
        "birthdate": "1990-01-02",
        "email": "eva@x.example",
        field: value,
    }
    response = await client.submit("/staff/contacts", form, form_page="/staff/contacts/new")
    assert response.status_code == 422 and f'id="f-{field}-error"' in response.text


async def test_link_secrets_stay_out_of_the_access_log(client, caplog) -> None:
    caplog.set_level(logging.INFO, logger="tenant_app.request")
    await client.get("/passwort/SuperGeheimerLinkWert123456789")
    ours = [record for record in caplog.records if record.name == "tenant_app.request"]
    paths = [record.fields["path"] for record in ours]  # type: ignore[attr-defined]
    assert paths == ["/passwort/…"]


async def test_login_limit_counts_username_and_email_together(client, tenant) -> None:
    from tenant_app.security import ratelimit

    for number in range(ratelimit.LOGIN_PER_ACCOUNT.attempts):
        name = "alpha-admin" if number % 2 else "chef@alpha.example"
        await client.submit("/login", {"identifier": name, "password": "falsch falsch"})
    response = await client.submit(
        "/login", {"identifier": "alpha-admin", "password": "correct horse battery"}
    )
    assert response.status_code == 429


async def test_ticket_page_offers_only_contracts_the_member_may_change(
    tenant, passwords, settings, client_for
) -> None:
    from tenant_app.models.conversations import Conversation

    contact = await make_customer(tenant, passwords, communication=True)
    await add_contract(tenant, contact, folder="insurance", number="INS-OK-1")
    await add_contract(tenant, contact, folder="finance", number="FIN-SECRET-77")
    sina = await _make_registered_staff(
        tenant, passwords, handles_tickets=True, access_insurance="write"
    )
    attachment = await add_document(tenant, settings, contact, folder="", title="Foto")
    with tenant_scope(tenant.tenant.id):
        from tenant_app.models.conversations import ConversationEntry

        ticket = await Conversation.create(
            contact_id=contact.id, subject="Frage", responsible_id=sina.id
        )
        await ConversationEntry.create(
            conversation_id=ticket.id, body="Anbei", document_id=attachment.id
        )
    staff = client_for(tenant.hostname)
    await staff.log_in("sina.staff")
    page = await staff.get(f"/staff/tickets/{ticket.id}")
    assert page.status_code == 200
    assert "INS-OK-1" in page.text  # the filing form is there ...
    assert "FIN-SECRET-77" not in page.text  # ... without the folder she may not change


async def test_too_long_staff_names_are_refused(client, tenant, smtp) -> None:
    await client.log_in("alpha-admin")
    form = {
        "first_name": "x" * 101,
        "last_name": "Lang",
        "email": "lang@alpha.example",
        "birthdate": "1990-01-01",
        "role": "mitarbeiter",
    }
    response = await client.submit("/staff/users", form, form_page="/staff/users/new")
    assert response.status_code == 422 and 'id="f-first_name-error"' in response.text
