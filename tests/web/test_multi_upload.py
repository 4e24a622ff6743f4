"""Issue 24: several files in one upload form, staff and portal. One document per file, titled
after its file (or the form's title, numbered); all or nothing: a refused file, too many files
or a failure on the way stores no row and leaves no file; the page says how many were added."""

from __future__ import annotations

import errno
import io
import re
from datetime import date
from typing import Any, BinaryIO

import pytest

from tenant_app.files import storage
from tenant_app.files.storage import LocalStorage
from tenant_app.models.folders import Document
from tenant_app.models.scoping import tenant_scope
from tenant_app.services import documents, upload_checks
from tests.conftest import CUSTOMER_PASSWORD, actor_of, make_customer
from tests.folder_helpers import PDF_BYTES, add_contract

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE_BYTES = b"MZ\x90\x00" + b"\x00" * 100
File = tuple[str, bytes, str]
POLICE: File = ("Police 2024.pdf", PDF_BYTES, "application/pdf")
FOTO: File = ("Schadenfoto.png", PNG_BYTES, "image/png")


def _stored(settings: Any, tenant: Any) -> list[str]:
    folder = settings.storage_dir / str(tenant.tenant.id)
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


async def _post(
    client: Any, path: str, form_page: str, fields: dict[str, str], files: list[File]
) -> Any:
    """The upload form as a browser sends it: the token first, then the fields, the files."""
    token = await client.csrf(form_page)
    parts: list[tuple[str, Any]] = [("csrf_token", (None, token))]
    parts += [(name, (None, value)) for name, value in fields.items()]
    parts += [("file", file) for file in files]
    return await client.post(path, files=parts, headers={"Origin": f"http://{client.host}"})


async def _staff_upload(client: Any, contact: Any, files: list[File], **fields: str) -> Any:
    folder_page = f"/staff/contacts/{contact.id}/folders/insurance"
    values = {"folder": "insurance", "contract_id": "", "title": "", **fields}
    return await _post(
        client, f"/staff/contacts/{contact.id}/documents", folder_page, values, files
    )


async def _documents(tenant: Any) -> list[Document]:
    with tenant_scope(tenant.tenant.id):
        return list(await Document.all().order_by("id"))


@pytest.fixture
async def contact(tenant, passwords):
    return await make_customer(tenant, passwords)


async def test_two_files_become_two_documents_named_after_their_files(
    client, tenant, contact
) -> None:
    contract = await add_contract(tenant, contact)
    await client.log_in("alpha-admin")
    response = await _staff_upload(
        client,
        contact,
        [POLICE, FOTO],
        contract_id=str(contract.id),
        category="policy",
        document_date="2024-03-01",
        note="Aus dem Briefkasten",
    )
    assert response.status_code == 303, response.text[:500]
    assert response.headers["location"].endswith("/folders/insurance?uploaded=2")

    police, foto = await _documents(tenant)
    assert (police.title, police.filename, police.content_type) == (
        "Police 2024",
        "Police 2024.pdf",
        "application/pdf",
    )
    assert (foto.title, foto.filename, foto.content_type) == (
        "Schadenfoto",
        "Schadenfoto.png",
        "image/png",
    )
    for document in (police, foto):  # what the form says applies to every document
        assert document.contract_id == contract.id and document.category == "policy"
        assert document.document_date == date(2024, 3, 1) and document.note == "Aus dem Briefkasten"
        assert document.shared_with_customer and not document.uploaded_by_customer
    for document, content in ((police, PDF_BYTES), (foto, PNG_BYTES)):
        download = await client.get(f"/staff/documents/{document.id}/download")
        assert download.status_code == 200 and download.content == content

    page = await client.get(response.headers["location"])
    assert "2 Dokumente wurden hochgeladen." in page.text
    assert "Police 2024" in page.text and "Schadenfoto" in page.text
    english = await client.get(response.headers["location"], headers={"Accept-Language": "en"})
    assert "2 documents have been uploaded." in english.text


async def test_a_title_for_several_files_is_numbered_in_their_order(
    client, tenant, contact
) -> None:
    await client.log_in("alpha-admin")
    third = ("scan.pdf", PDF_BYTES, "application/pdf")
    response = await _staff_upload(client, contact, [POLICE, FOTO, third], title=" Unterlagen ")
    assert response.status_code == 303, response.text[:500]
    assert [d.title for d in await _documents(tenant)] == [
        "Unterlagen (1)",
        "Unterlagen (2)",
        "Unterlagen (3)",
    ]


async def test_one_file_still_needs_its_title_and_says_so_as_before(
    client, tenant, contact, settings
) -> None:
    await client.log_in("alpha-admin")
    refused = await _staff_upload(client, contact, [POLICE])
    assert refused.status_code == 422 and 'id="title-folder-error"' in refused.text
    assert await _documents(tenant) == [] and _stored(settings, tenant) == []
    done = await _staff_upload(client, contact, [POLICE], title="Police")
    assert done.status_code == 303 and done.headers["location"].endswith("?uploaded=1")
    page = await client.get(done.headers["location"])
    assert "Das Dokument wurde hochgeladen." in page.text


async def test_one_bad_file_among_good_ones_stores_nothing_and_names_it(
    client, tenant, contact, settings
) -> None:
    contract = await add_contract(tenant, contact)
    await client.log_in("alpha-admin")
    files = [POLICE, ("programm.exe", EXE_BYTES, "application/pdf"), FOTO]
    response = await _staff_upload(
        client, contact, files, contract_id=str(contract.id), note="Bitte prüfen"
    )
    assert response.status_code == 422
    assert await _documents(tenant) == [] and _stored(settings, tenant) == []
    # next to the file field of the contract's form, in German, naming the file and why
    error = re.search(
        rf'<p class="field__error" id="file-{contract.id}-error">([^<]*)</p>', response.text
    )
    assert error, response.text[:2000]
    assert error[1].startswith("Keine der 3 Dateien wurde gespeichert.")
    assert "„programm.exe“: Dieser Dateityp ist nicht erlaubt." in error[1]
    assert "Police" not in error[1] and "Schadenfoto" not in error[1]
    assert "Bitte prüfen</textarea>" in response.text  # what was typed is kept
    assert "Es wurde nichts hochgeladen." in response.text  # the page's alert, for any count


async def test_the_refusal_speaks_the_users_language(client, tenant, contact, settings) -> None:
    await client.log_in("alpha-admin")
    client.headers["Accept-Language"] = "en"
    files = [POLICE, ("leer.pdf", b"", "application/pdf")]
    response = await _staff_upload(client, contact, files)
    assert response.status_code == 422
    assert "None of the 2 files has been saved." in response.text
    assert "“leer.pdf”: The file is empty." in response.text
    assert await _documents(tenant) == [] and _stored(settings, tenant) == []


async def test_too_many_files_are_refused_with_a_message(client, tenant, contact, settings) -> None:
    await client.log_in("alpha-admin")
    count = upload_checks.MAX_UPLOADS + 1
    files = [(f"seite-{n}.pdf", PDF_BYTES, "application/pdf") for n in range(count)]
    response = await _staff_upload(client, contact, files, title="Brief")
    assert response.status_code == 422
    assert f"Bitte höchstens {upload_checks.MAX_UPLOADS} Dateien auf einmal wählen" in response.text
    assert f"(gewählt: {count})" in response.text and 'id="file-folder-error"' in response.text
    assert 'value="Brief"' in response.text
    assert await _documents(tenant) == [] and _stored(settings, tenant) == []


async def test_a_full_disk_on_the_second_file_keeps_nothing(
    client, tenant, contact, settings, monkeypatch
) -> None:
    await client.log_in("alpha-admin")
    copy = storage.copy_chunks
    calls: list[int] = []

    def fills_up(source: BinaryIO, target: BinaryIO) -> int:
        calls.append(1)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return copy(source, target)

    monkeypatch.setattr(storage, "copy_chunks", fills_up)
    response = await _staff_upload(client, contact, [POLICE, FOTO])
    assert response.status_code == 507
    assert await _documents(tenant) == [] and _stored(settings, tenant) == []


async def test_a_failing_row_rolls_back_the_others_and_removes_their_files(
    tenant, contact, settings, monkeypatch
) -> None:
    """The rows are written in one transaction: the second failing takes the first back."""
    create = Document.create
    created: list[int] = []

    async def fails_second(*args: Any, **kwargs: Any) -> Document:
        created.append(1)
        if len(created) == 2:
            raise RuntimeError("database gone")
        return await create(*args, **kwargs)

    with tenant_scope(tenant.tenant.id):
        monkeypatch.setattr(Document, "create", fails_second)
        uploads = [
            documents.Upload(io.BytesIO(content), name, len(content))
            for name, content, _type in (POLICE, FOTO)
        ]
        with pytest.raises(RuntimeError, match="database gone"):
            await documents.add_documents(
                await actor_of("alpha-admin"),
                LocalStorage(settings.storage_dir),
                contact_id=contact.id,
                uploads=uploads,
                values={"title": ""},
                max_bytes=settings.max_upload_bytes,
                folder="insurance",
            )
    assert len(created) == 2
    assert await _documents(tenant) == [] and _stored(settings, tenant) == []


async def test_several_files_on_the_contact_itself(client, tenant, contact) -> None:
    await client.log_in("alpha-admin")
    page = f"/staff/contacts/{contact.id}"
    response = await _post(
        client, f"{page}/documents/on-contact", page, {"title": ""}, [POLICE, FOTO]
    )
    assert response.status_code == 303 and response.headers["location"] == f"{page}?uploaded=2"
    assert [(d.title, d.folder) for d in await _documents(tenant)] == [
        ("Police 2024", ""),
        ("Schadenfoto", ""),
    ]
    assert (
        "2 Dokumente wurden hochgeladen." in (await client.get(response.headers["location"])).text
    )


async def _customer(client_for: Any, tenant: Any, passwords: Any) -> tuple[Any, Any]:
    contact = await make_customer(tenant, passwords, finance_unlock=True)
    customer = client_for(tenant.hostname)
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    return contact, customer


async def _portal_upload(customer: Any, files: list[File], **fields: str) -> Any:
    values = {"folder": "finance", "contract_id": "", "title": "", **fields}
    return await _post(customer, "/portal/documents", "/portal/folders/finance", values, files)


async def test_the_customer_uploads_two_files_at_once(client_for, tenant, passwords) -> None:
    contact, customer = await _customer(client_for, tenant, passwords)
    scan = ("IMG_0001.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 64, "image/jpeg")
    response = await _portal_upload(customer, [scan, POLICE], category="invoice")
    assert response.status_code == 303, response.text[:500]
    assert response.headers["location"] == "/portal/folders/finance?uploaded=2"
    stored = await _documents(tenant)
    assert [(d.title, d.filename, d.category) for d in stored] == [
        ("IMG_0001", "IMG_0001.jpg", "invoice"),
        ("Police 2024", "Police 2024.pdf", "invoice"),
    ]
    assert all(d.uploaded_by_customer and d.contact_id == contact.id for d in stored)
    page = await customer.get(response.headers["location"])
    assert "IMG_0001" in page.text and "Police 2024" in page.text
    assert "2 Dokumente wurden hochgeladen." in page.text
    for document, content in zip(stored, (scan[1], PDF_BYTES), strict=True):
        download = await customer.get(f"/portal/documents/{document.id}/download")
        assert download.status_code == 200 and download.content == content


async def test_the_customer_gets_nothing_stored_when_one_file_is_refused(
    client_for, tenant, passwords, settings
) -> None:
    contact, customer = await _customer(client_for, tenant, passwords)
    files = [POLICE, ("rechnung.pdf", b"<html><script>alert(1)</script>", "application/pdf")]
    response = await _portal_upload(customer, files, title="Rechnungen")
    assert response.status_code == 422
    error = re.search(r'<p class="field__error" id="file-folder-error">([^<]*)</p>', response.text)
    assert error and "„rechnung.pdf“: Dieser Dateityp ist nicht erlaubt." in error[1]
    assert 'value="Rechnungen"' in response.text
    assert await _documents(tenant) == [] and _stored(settings, tenant) == []


async def test_the_customer_is_told_when_choosing_too_many(
    client_for, tenant, passwords, settings
) -> None:
    contact, customer = await _customer(client_for, tenant, passwords)
    files = [(f"{n}.png", PNG_BYTES, "image/png") for n in range(upload_checks.MAX_UPLOADS + 5)]
    response = await _portal_upload(customer, files)
    assert response.status_code == 422
    assert f"Bitte höchstens {upload_checks.MAX_UPLOADS} Dateien auf einmal wählen" in response.text
    assert await _documents(tenant) == [] and _stored(settings, tenant) == []


async def test_the_upload_form_takes_several_files_within_the_services_limit(
    client_for, tenant, passwords, settings
) -> None:
    contact, customer = await _customer(client_for, tenant, passwords)
    form = (
        await customer.get("/portal/folders/finance/upload", headers={"HX-Request": "true"})
    ).text
    (main,) = re.findall(r'<input[^>]*name="file"[^>]*>', form)
    assert " multiple" in main
    assert f'data-max-files="{upload_checks.MAX_UPLOADS}"' in main
    assert f'data-max-file-bytes="{settings.max_upload_bytes}"' in main
    assert f'data-max-total-bytes="{settings.max_body_bytes}"' in main
    assert f"Bis zu {upload_checks.MAX_UPLOADS} Dateien auf einmal" in form
    assert (
        'data-too-many="Bitte höchstens 20 Dateien auf einmal wählen (gewählt: {count})."' in form
    )


async def test_more_file_parts_than_any_form_sends_is_a_bad_request(
    client, tenant, contact, settings
) -> None:
    """Beyond forms.MAX_FILE_PARTS the body is not read as a form at all (a 400 page)."""
    from tenant_app.web.forms import MAX_FILE_PARTS

    await client.log_in("alpha-admin")
    files = [(f"{n}.pdf", PDF_BYTES, "application/pdf") for n in range(MAX_FILE_PARTS + 1)]
    response = await _staff_upload(client, contact, files)
    assert response.status_code == 400
    assert await _documents(tenant) == [] and _stored(settings, tenant) == []
