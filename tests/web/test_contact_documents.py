"""Documents filed on the contact itself (the broker contract, the first information): on the
contact page, for staff who manage contacts; customers and other staff do not get them."""

from __future__ import annotations

import re

from tenant_app.models.folders import Document
from tenant_app.models.scoping import tenant_scope
from tests.conftest import CUSTOMER_PASSWORD, make_customer
from tests.folder_helpers import PDF_BYTES, add_document, attach_to_ticket
from tests.web.test_staff_users import _make_registered_staff


async def _file_on_contact(client, contact_id: int, title: str, data: bytes = PDF_BYTES):
    page = f"/staff/contacts/{contact_id}"
    token = await client.csrf(page)
    return await client.post(
        f"{page}/documents/on-contact",
        files={
            "csrf_token": (None, token),
            "folder": (None, "insurance"),  # ignored: this form files on the contact
            "title": (None, title),
            "category": (None, "correspondence"),
            "file": ("maklervertrag.pdf", data, "application/pdf"),
        },
        headers={"Origin": f"http://{client.host}"},
    )


async def test_staff_file_the_broker_contract_on_the_contact(
    client, tenant, passwords, settings
) -> None:
    contact = await make_customer(tenant, passwords)
    await client.log_in("alpha-admin")
    page = await client.get(f"/staff/contacts/{contact.id}")
    assert 'id="contact-documents"' in page.text
    assert f'action="/staff/contacts/{contact.id}/documents/on-contact"' in page.text

    saved = await _file_on_contact(client, contact.id, "Maklervertrag")
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/staff/contacts/{contact.id}?uploaded=1"
    with tenant_scope(tenant.tenant.id):
        document = await Document.get(title="Maklervertrag")
    assert (document.folder, document.contract_id, document.shared_with_customer) == (
        "",
        None,
        False,
    )
    page = await client.get(f"/staff/contacts/{contact.id}")
    assert f'id="document-{document.id}"' in page.text and "Maklervertrag" in page.text
    assert f"{len(PDF_BYTES)} Byte" in page.text  # a small file is not "0 KB"
    download = await client.get(f"/staff/documents/{document.id}/download")
    assert download.status_code == 200 and download.content == PDF_BYTES

    deleted = await client.submit(
        f"/staff/documents/{document.id}/delete", form_page=f"/staff/contacts/{contact.id}"
    )
    assert deleted.headers["location"] == f"/staff/contacts/{contact.id}?doc_deleted=1"
    with tenant_scope(tenant.tenant.id):
        assert not await Document.exists(id=document.id)
    assert not (settings.storage_dir / document.storage_key).exists()


async def test_a_failed_upload_shows_its_error_on_the_contact_page(client, tenant, passwords):
    contact = await make_customer(tenant, passwords)
    await client.log_in("alpha-admin")
    refused = await _file_on_contact(client, contact.id, "Erstinformation", data=b"not a pdf")
    assert refused.status_code == 422
    assert 'id="contact-documents"' in refused.text and 'id="file-folder-error"' in refused.text
    assert re.search(r'name="title"[^>]*value="Erstinformation"', refused.text)
    with tenant_scope(tenant.tenant.id):
        assert await Document.all().count() == 0


async def test_only_staff_who_manage_contacts_get_them(
    client, client_for, tenant, passwords, settings
) -> None:
    contact = await make_customer(tenant, passwords, insurance_share=True, communication=True)
    await client.log_in("alpha-admin")
    await _file_on_contact(client, contact.id, "Maklervertrag")
    with tenant_scope(tenant.tenant.id):
        document = await Document.get(title="Maklervertrag")
    await _make_registered_staff(
        tenant, passwords, sees_all_contacts=True, handles_tickets=True, access_insurance="write"
    )
    staff = client_for(tenant.hostname)
    await staff.log_in("sina.staff")
    page = await staff.get(f"/staff/contacts/{contact.id}")
    assert page.status_code == 200 and 'id="contact-documents"' not in page.text
    assert (await staff.get(f"/staff/documents/{document.id}/download")).status_code == 404
    assert (await _file_on_contact(staff, contact.id, "Versuch")).status_code == 403

    customer = client_for(tenant.hostname)
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    assert (await customer.get(f"/portal/documents/{document.id}/download")).status_code == 404
    with tenant_scope(tenant.tenant.id):
        assert await Document.all().count() == 1


async def test_ticket_attachments_are_not_listed_as_contact_documents(
    client, tenant, passwords, settings
) -> None:
    contact = await make_customer(tenant, passwords)
    attachment = await add_document(tenant, settings, contact, folder="", title="Ausweiskopie")
    await attach_to_ticket(tenant, contact, attachment)
    await client.log_in("alpha-admin")
    page = await client.get(f"/staff/contacts/{contact.id}")
    assert "Ausweiskopie" not in page.text and 'id="no-contact-documents"' in page.text
