"""Staff work in a contact's folders: contracts, documents, permissions, erasure, export."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from decimal import Decimal

import pytest

from tenant_app.models.contacts import Contact
from tenant_app.models.folders import AuditEntry, Contract, CustomerAccess, Document
from tenant_app.models.scoping import tenant_scope
from tenant_app.services import retention_purge
from tests.conftest import make_customer
from tests.folder_helpers import PDF_BYTES, add_contract, add_document
from tests.web.test_staff_users import _make_registered_staff

CONTRACT = {
    "status": "active",
    "product_line": "Hausrat",
    "insurer": "Condor Allgemeine Versicherungs-AG",
    "insurance_number": "HR-2024/0815",
    "payment_method": "direct_debit",
    "payment_frequency": "yearly",
    "gross_premium": "1.234,56",
    "note": "Neuwert",
}


@pytest.fixture
async def contact(tenant, passwords):
    return await make_customer(tenant, passwords)


async def test_admin_adds_a_contract_with_a_german_amount(client, tenant, contact) -> None:
    await client.log_in("alpha-admin")
    base = f"/staff/contacts/{contact.id}/folders/insurance"
    response = await client.submit(f"{base}/contracts", CONTRACT, form_page=f"{base}/contracts/new")
    assert response.status_code == 303
    with tenant_scope(tenant.tenant.id):
        contract = await Contract.get(contact_id=contact.id)
    assert contract.gross_premium == Decimal("1234.56")
    assert (contract.created_by_customer, contract.folder, contract.status) == (
        False,
        "insurance",
        "active",
    )
    page = await client.get(base)
    assert "1.234,56\xa0€" in page.text and "HR-2024/0815" in page.text and "jährlich" in page.text


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"product_line": ""}, "product_line"),
        ({"insurer": "Erfundene Versicherung AG"}, "insurer"),
        ({"insurance_number": ""}, "insurance_number"),
        ({"insurance_number": "<script>"}, "insurance_number"),
        ({"gross_premium": "12,345"}, "gross_premium"),
        ({"gross_premium": "-5"}, "gross_premium"),
        ({"status": "bogus"}, "status"),
        ({"payment_frequency": "daily"}, "payment_frequency"),
    ],
)
async def test_contract_validation(client, tenant, contact, changes, field) -> None:
    await client.log_in("alpha-admin")
    base = f"/staff/contacts/{contact.id}/folders/insurance"
    response = await client.submit(
        f"{base}/contracts", {**CONTRACT, **changes}, form_page=f"{base}/contracts/new"
    )
    assert response.status_code == 422
    assert f'id="f-{field}-error"' in response.text
    with tenant_scope(tenant.tenant.id):
        assert await Contract.all().count() == 0


async def test_upload_and_download_a_document(client, tenant, contact) -> None:
    contract = await add_contract(tenant, contact)
    await client.log_in("alpha-admin")
    base = f"/staff/contacts/{contact.id}"
    token = await client.csrf(f"{base}/folders/insurance")
    response = await client.post(
        f"{base}/documents",
        files={
            "csrf_token": (None, token),
            "folder": (None, "insurance"),
            "contract_id": (None, str(contract.id)),
            "title": (None, "Police 2024"),
            "category": (None, "policy"),
            "file": ("../../etc/Pölice 2024.pdf", PDF_BYTES, "text/html"),
        },
        headers={"Origin": "http://alpha.localhost"},
    )
    assert response.status_code == 303, response.text[:500]
    with tenant_scope(tenant.tenant.id):
        document = await Document.get(contract_id=contract.id)
    assert document.filename == "Police 2024.pdf" and document.content_type == "application/pdf"
    assert "/" in document.storage_key and "Police" not in document.storage_key
    download = await client.get(f"/staff/documents/{document.id}/download")
    assert download.status_code == 200 and download.content == PDF_BYTES
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-type"] == "application/pdf"


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("brief.pdf", b"<html><script>alert(1)</script></html>", "nicht erlaubt"),
        ("leer.pdf", b"", "Datei"),
        ("programm.exe", b"MZ\x90\x00" + b"\x00" * 100, "nicht erlaubt"),
        ("bild.png", b"GIF89a<svg onload=alert(1)>", None),
    ],
)
async def test_bad_files_are_refused(client, tenant, contact, filename, content, message) -> None:
    contract = await add_contract(tenant, contact)
    await client.log_in("alpha-admin")
    token = await client.csrf(f"/staff/contacts/{contact.id}/folders/insurance")
    response = await client.post(
        f"/staff/contacts/{contact.id}/documents",
        files={
            "csrf_token": (None, token),
            "folder": (None, "insurance"),
            "contract_id": (None, str(contract.id)),
            "title": (None, "X"),
            "file": (filename, content, "application/pdf"),
        },
        headers={"Origin": "http://alpha.localhost"},
    )
    if message is None:  # a real GIF header is an allowed image, stored under its true type
        assert response.status_code == 303
        with tenant_scope(tenant.tenant.id):
            assert (await Document.get()).filename == "bild.gif"
        return
    assert response.status_code == 422
    assert message in response.text and 'id="file-' in response.text
    with tenant_scope(tenant.tenant.id):
        assert await Document.all().count() == 0


async def test_oversize_upload_is_refused(app, settings, client_for, tenant, contact) -> None:
    from tenant_app import create_app

    small = create_app(settings.with_overrides(max_upload_bytes=1000), manage_db=False)
    from tests.conftest import Client

    client = Client(small, tenant.hostname)
    await client.log_in("alpha-admin")
    token = await client.csrf(f"/staff/contacts/{contact.id}/folders/insurance")
    response = await client.post(
        f"/staff/contacts/{contact.id}/documents",
        files={
            "csrf_token": (None, token),
            "folder": (None, "insurance"),
            "title": (None, "Groß"),
            "file": ("gross.pdf", PDF_BYTES + b"0" * 2000, "application/pdf"),
        },
        headers={"Origin": "http://alpha.localhost"},
    )
    await client.aclose()
    assert response.status_code == 422 and "zu groß" in response.text
    with tenant_scope(tenant.tenant.id):
        assert await Document.all().count() == 0


async def test_read_only_staff_sees_no_edit_controls_and_is_refused(
    client_for, tenant, passwords, contact
) -> None:
    contract = await add_contract(tenant, contact)
    await _make_registered_staff(tenant, passwords, access_insurance="read", sees_all_contacts=True)
    staff = client_for(tenant.hostname)
    await staff.log_in("sina.staff")
    page = await staff.get(f"/staff/contacts/{contact.id}/folders/insurance")
    assert page.status_code == 200 and 'id="read-only-hint"' in page.text
    assert "Vertrag hinzufügen" not in page.text and "/delete" not in page.text
    refused = await staff.submit(
        f"/staff/contacts/{contact.id}/contracts/{contract.id}/delete",
        form_page=f"/staff/contacts/{contact.id}/folders/insurance",
    )
    assert refused.status_code == 403
    created = await staff.submit(
        f"/staff/contacts/{contact.id}/folders/insurance/contracts",
        CONTRACT,
        form_page=f"/staff/contacts/{contact.id}/folders/insurance",
    )
    assert created.status_code == 403
    assert (await staff.get(f"/staff/contacts/{contact.id}/folders/finance")).status_code == 404
    with tenant_scope(tenant.tenant.id):
        assert await Contract.all().count() == 1


async def test_staff_only_sees_contacts_they_are_responsible_for(
    client_for, tenant, passwords, contact
) -> None:
    await _make_registered_staff(tenant, passwords, access_insurance="write")
    staff = client_for(tenant.hostname)
    await staff.log_in("sina.staff")
    assert "Kunde, Kai" not in (await staff.get("/staff/contacts")).text
    assert (await staff.get(f"/staff/contacts/{contact.id}")).status_code == 404


async def test_permissions_page_saves_all_flags_at_once(client, tenant, contact) -> None:
    await client.log_in("alpha-admin")
    path = f"/staff/contacts/{contact.id}/permissions"
    page = await client.get(path)
    assert 'id="data-share-warning"' in page.text and "ändern und löschen" in page.text
    response = await client.submit(
        path,
        {
            "finance_unlock": "on",
            "finance_share": "on",
            "emergency_readonly": "on",
            "profile_editable": "on",
            "version": "1",  # the version the page was loaded with
        },
    )
    assert response.status_code == 303
    with tenant_scope(tenant.tenant.id):
        access = await CustomerAccess.get(contact_id=contact.id)
    assert (access.finance_unlock, access.finance_share, access.finance_readonly) == (
        True,
        True,
        False,
    )
    assert (access.emergency_readonly, access.insurance_unlock, access.communication) == (
        True,
        False,
        False,
    )
    assert (access.profile_visible, access.profile_editable) == (True, True)


async def test_customer_made_contract_is_highlighted_and_soft_delete_can_be_undone(
    client, tenant, contact
) -> None:
    mine = await add_contract(tenant, contact, by_customer=True, number="K-1")
    broker = await add_contract(tenant, contact, number="B-1")
    with tenant_scope(tenant.tenant.id):
        from datetime import UTC, datetime

        await Contract.filter(id=broker.id).update(deleted_at=datetime.now(UTC))
    await client.log_in("alpha-admin")
    page = await client.get(f"/staff/contacts/{contact.id}/folders/insurance")
    assert f'contract contract--to-check" id="contract-{mine.id}"' in page.text
    assert "vom Kunden gelöscht" in page.text
    await client.submit(
        f"/staff/contacts/{contact.id}/contracts/{broker.id}/restore",
        form_page=f"/staff/contacts/{contact.id}/folders/insurance",
    )
    with tenant_scope(tenant.tenant.id):
        assert (await Contract.get(id=broker.id)).deleted_at is None


async def test_delete_contact_needs_the_typed_name_then_erases_what_no_retention_keeps(
    client, tenant, settings, contact
) -> None:
    contract = await add_contract(tenant, contact)
    document = await add_document(tenant, settings, contact, contract=contract)
    stored = settings.storage_dir / document.storage_key
    assert stored.exists()
    await client.log_in("alpha-admin")
    path = f"/staff/contacts/{contact.id}/delete"
    wrong = await client.submit(path, {"confirm_text": "Kund"})
    assert wrong.status_code == 422 and 'id="f-confirm_text-error"' in wrong.text
    with tenant_scope(tenant.tenant.id):
        assert await Contact.filter(id=contact.id, restricted_at=None).exists()
    done = await client.submit(path, {"confirm_text": "Kunde"})
    assert done.status_code == 303
    with tenant_scope(tenant.tenant.id):
        from tenant_app.models.accounts import User

        assert not await User.filter(email="kai@kunde.example").exists()  # the login goes
        # The policy and its contract stay six years (§ 257 HGB), restricted.
        assert (await Contact.get(id=contact.id)).restricted_at is not None
        assert (await Contract.get(id=contract.id)).delete_after is not None
        assert (await Document.get(id=document.id)).restricted_at is not None
        audit = await AuditEntry.get(action="contact_restricted")
    assert stored.exists()
    assert "Kai" not in audit.details and "kunde" not in audit.details.lower()
    assert await retention_purge.purge_due(settings, today=date(2100, 1, 1)) == 3
    with tenant_scope(tenant.tenant.id):
        assert not await Contact.filter(id=contact.id).exists()
        assert await Contract.all().count() == 0 and await Document.all().count() == 0
        assert await AuditEntry.exists(action="contact_deleted", subject_id=contact.id)
    assert not stored.exists()


async def test_export_contains_data_and_files(client, tenant, settings, contact) -> None:
    contract = await add_contract(tenant, contact)
    await add_document(tenant, settings, contact, contract=contract)
    await client.log_in("alpha-admin")
    response = await client.get(f"/staff/contacts/{contact.id}/export")
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("data.json"))
    assert data["contact"]["email"] == "kai@kunde.example"
    assert data["contracts"][0]["insurance_number"] == "V-1"
    file_name = data["documents"][0]["file_in_archive"]
    assert archive.read(file_name) == PDF_BYTES


async def test_insurer_type_ahead_and_a_to_z(client) -> None:
    await client.log_in("alpha-admin")
    options = await client.get("/insurers/options?insurer=cond", headers={"HX-Request": "true"})
    assert '<option value="Condor Allgemeine Versicherungs-AG">' in options.text
    letter = await client.get("/insurers/options?letter=C", headers={"HX-Request": "true"})
    assert "Condor Allgemeine Versicherungs-AG" in letter.text and "Allianz" not in letter.text


async def test_contact_list_searches_sorts_and_pages(client, tenant) -> None:
    from datetime import date

    with tenant_scope(tenant.tenant.id):
        for number in range(30):
            await Contact.create(
                first_name="Eva",
                last_name=f"Muster{number:02d}",
                email=f"eva{number}@x.example",
                birthdate=date(1980, 1, 1),
                customer_number=f"K{number:03d}",
            )
    await client.log_in("alpha-admin")
    first = await client.get("/staff/contacts")
    assert "30 Kontakte" in first.text and "Muster00" in first.text and "Muster29" not in first.text
    assert 'aria-current="page">1<' in first.text
    second = await client.get("/staff/contacts?page=2")
    assert "Muster29" in second.text
    found = await client.get("/staff/contacts?q=K017")
    assert "Muster17" in found.text and "Muster16" not in found.text
    backwards = await client.get("/staff/contacts?sort=-name")
    assert backwards.text.index("Muster29") < backwards.text.index("Muster28")
    fragment = await client.get("/staff/contacts?q=Muster05", headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<div id="results">') and "<html" not in fragment.text


async def test_folder_documents_are_shared_by_default_so_prepared_folders_work(
    client, tenant, passwords
) -> None:
    """Staff prepare contracts and documents before unlocking a folder (the usual order)."""
    contact = await make_customer(tenant, passwords, email="sina@kunde.example")
    await client.log_in("alpha-admin")
    page = await client.get(f"/staff/contacts/{contact.id}/folders/insurance")
    assert '<input type="checkbox" name="shared" value="on" checked>' in page.text


async def test_staff_home_lists_customer_entries_to_check(
    client, client_for, tenant, passwords
) -> None:
    contact = await make_customer(tenant, passwords)
    await add_contract(tenant, contact, by_customer=True, number="K-77")
    await add_contract(tenant, contact, folder="finance", by_customer=True, number="K-78")
    await client.log_in("alpha-admin")
    home = await client.get("/staff")
    assert 'id="to-check"' in home.text and "Kai Kunde: Hausrat" in home.text
    assert 'id="to-check-count">2<' in home.text
    await _make_registered_staff(
        tenant, passwords, access_insurance="read"
    )  # not responsible for Kai
    staff = client_for(tenant.hostname)
    await staff.log_in("sina.staff")
    assert 'id="to-check"' not in (await staff.get("/staff")).text
