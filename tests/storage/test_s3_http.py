"""Uploads and downloads through the app with STORAGE_BACKEND=s3 on a real S3 server: streamed
downloads, presigned redirects issued only after the permission check, and an S3 server that
dies during an upload (a clear page, nothing kept) and comes back (uploads work again without
restarting the app)."""

from __future__ import annotations

import dataclasses
import io
from typing import Any, BinaryIO
from urllib.parse import parse_qs, urlsplit

import httpx

from tenant_app import create_app
from tenant_app.files.s3 import S3Storage
from tenant_app.models.folders import Document
from tenant_app.models.scoping import tenant_scope
from tenant_app.web.downloads import download_response
from tests.conftest import CUSTOMER_PASSWORD, Client, make_customer
from tests.folder_helpers import PDF_BYTES

BIG_PDF = PDF_BYTES + b"%" + b"x" * (24 * 1024 * 1024)  # five parts of a multipart upload


async def _upload(client: Any, contact_id: int, data: bytes, name: str = "police.pdf") -> Any:
    token = await client.csrf(f"/staff/contacts/{contact_id}/folders/insurance")
    return await client.post(
        f"/staff/contacts/{contact_id}/documents",
        files={
            "csrf_token": (None, token),
            "folder": (None, "insurance"),
            "contract_id": (None, ""),
            "title": (None, "Police"),
            "file": (name, data, "application/pdf"),
        },
        headers={"Origin": f"http://{client.host}"},
    )


async def _browser_get(url: str) -> httpx.Response:
    """What a browser gets from a presigned URL, straight from the object store."""
    async with httpx.AsyncClient() as browser:
        return await browser.get(url)


async def _documents(tenant: Any) -> list[Document]:
    with tenant_scope(tenant.tenant.id):
        return await Document.all().order_by("id")


async def test_an_upload_lands_in_the_bucket_and_downloads_through_the_app(
    s3_app, s3_settings, s3_server, tenant, passwords
) -> None:
    contact = await make_customer(tenant, passwords)
    async with Client(s3_app, tenant.hostname) as staff:
        await staff.log_in("alpha-admin")
        assert (await _upload(staff, contact.id, PDF_BYTES)).status_code == 303
        [document] = await _documents(tenant)
        assert s3_server.keys(s3_settings.s3_bucket) == [document.storage_key]
        assert not (s3_settings.storage_dir / str(tenant.tenant.id)).exists()  # nothing local

        download = await staff.get(f"/staff/documents/{document.id}/download")
    assert download.status_code == 200
    assert download.content == PDF_BYTES
    assert download.headers["content-disposition"].startswith('attachment; filename="police.pdf"')
    assert download.headers["content-security-policy"].startswith("sandbox")


async def test_a_presigned_download_redirects_only_after_the_permission_check(
    s3_settings, s3_server, tenant, other_tenant, passwords
) -> None:
    app = create_app(dataclasses.replace(s3_settings, s3_presign_seconds=60), manage_db=False)
    contact = await make_customer(tenant, passwords, insurance_share=True)
    await make_customer(tenant, passwords, email="eve@kunde.example")  # no folder shared
    await make_customer(other_tenant, passwords)  # "kai" of another firm
    async with Client(app, tenant.hostname) as staff:
        await staff.log_in("alpha-admin")
        assert (await _upload(staff, contact.id, PDF_BYTES, "Police 2025.pdf")).status_code == 303
    [document] = await _documents(tenant)
    path = f"/portal/documents/{document.id}/download"

    for host, username in ((tenant.hostname, "eve"), (other_tenant.hostname, "kai")):
        async with Client(app, host) as stranger:
            await stranger.log_in(username, CUSTOMER_PASSWORD)
            refused = await stranger.get(path)
        assert refused.status_code == 404
        assert "location" not in refused.headers and s3_server.endpoint not in refused.text

    async with Client(app, tenant.hostname) as customer:
        await customer.log_in("kai", CUSTOMER_PASSWORD)
        redirect = await customer.get(path)
        preview = await customer.get(f"/portal/documents/{document.id}/preview")
    assert redirect.status_code == 303
    assert redirect.headers["cache-control"] == "private, no-store"
    url = redirect.headers["location"]
    assert url.startswith(f"{s3_server.endpoint}/{s3_settings.s3_bucket}/{document.storage_key}?")
    assert parse_qs(urlsplit(url).query)["X-Amz-Expires"] == ["60"]

    fetched = await _browser_get(url)
    assert fetched.status_code == 200 and fetched.content == PDF_BYTES
    disposition = fetched.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="Police 2025.pdf";')
    assert disposition.endswith("filename*=UTF-8''Police%202025.pdf")
    assert fetched.headers["content-type"] == "application/pdf"
    assert fetched.headers["cache-control"] == "private, no-store"
    # the overrides are signed: changing one (say, to render the file inline) is refused
    tampered = url.replace("attachment", "inline")
    assert tampered != url and (await _browser_get(tampered)).status_code == 403

    # a preview needs our sandbox headers and the check of its first bytes: never redirected
    assert preview.status_code == 200 and preview.content == PDF_BYTES
    assert "location" not in preview.headers


async def test_a_type_that_could_run_script_is_presigned_as_plain_bytes(
    s3_settings, s3_server
) -> None:
    store = S3Storage(dataclasses.replace(s3_settings, s3_presign_seconds=30))
    await store.save("5/abcdef", io.BytesIO(b"<svg onload=alert(1)>"))
    url = store.download_url("5/abcdef", disposition="attachment", content_type="text/html")
    assert url is not None
    assert (await _browser_get(url)).headers["content-type"] == "text/html"  # as asked, so:

    # the download handler asks for a type no browser runs (see downloads._presigned)
    class Stored:
        filename, storage_key, content_type, size = "x.svg", "5/abcdef", "image/svg+xml", 21

    response = download_response(store, Stored())
    fetched = await _browser_get(response.headers["location"])
    assert fetched.headers["content-type"] == "application/octet-stream"
    assert fetched.headers["content-disposition"].startswith("attachment;")


async def test_the_s3_server_dying_during_an_upload_keeps_nothing_and_its_return_heals(
    s3_app, s3_settings, s3_server, tenant, passwords, monkeypatch
) -> None:
    contact = await make_customer(tenant, passwords)
    save = S3Storage.save

    async def dies_midway(self: S3Storage, key: str, source: BinaryIO) -> int:
        class Reader(io.RawIOBase):
            read_so_far = 0

            def readinto(self, buffer: Any) -> int:
                if Reader.read_so_far > 12 * 1024 * 1024 and s3_server.process:
                    s3_server.kill()  # two parts are up: the server is gone mid-upload
                data = source.read(len(buffer))
                buffer[: len(data)] = data
                Reader.read_so_far += len(data)
                return len(data)

            def readable(self) -> bool:
                return True

        return await save(self, key, io.BufferedReader(Reader()))

    monkeypatch.setattr(S3Storage, "save", dies_midway)
    async with Client(s3_app, tenant.hostname) as staff:
        await staff.log_in("alpha-admin")
        try:
            refused = await _upload(staff, contact.id, BIG_PDF)
            assert s3_server.process is None  # it did die during the upload
            assert refused.status_code == 503
            # German, or the English msgid until the catalogue has the translation
            assert any(t in refused.text for t in ("Dateiablage nicht", "File storage unavailable"))
            assert any(t in refused.text for t in ("nichts gespeichert", "Nothing has been saved"))
            monkeypatch.undo()
            down = await _upload(staff, contact.id, PDF_BYTES)  # still down: a small file
            assert down.status_code == 503
            assert await _documents(tenant) == []
        finally:
            s3_server.start()  # back on the same port with the same data
        assert s3_server.keys(s3_settings.s3_bucket) == []  # no object, not even a partial one

        healed = await _upload(staff, contact.id, BIG_PDF)  # the same app, not restarted
        assert healed.status_code == 303
        [document] = await _documents(tenant)
        assert s3_server.keys(s3_settings.s3_bucket) == [document.storage_key]
        download = await staff.get(f"/staff/documents/{document.id}/download")
    assert download.content == BIG_PDF
