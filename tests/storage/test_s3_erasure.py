"""Export and erasure with the files in S3: the export carries the document's bytes from the
bucket, and once the erasure and the retention purge have run, no object of the contact is
left in the bucket (the full rules are judged in tests/web/test_export_erasure.py)."""

from __future__ import annotations

import io
import zipfile
from datetime import date

from tenant_app.models.folders import Document
from tenant_app.models.scoping import tenant_scope
from tenant_app.services import retention_purge
from tests.conftest import Client, make_customer
from tests.folder_helpers import PDF_BYTES
from tests.storage.test_s3_http import _upload


async def test_an_exported_then_erased_contact_leaves_no_object_in_the_bucket(
    s3_app, s3_settings, s3_server, tenant, passwords
) -> None:
    contact = await make_customer(tenant, passwords)
    bucket = s3_settings.s3_bucket
    async with Client(s3_app, tenant.hostname) as admin:
        await admin.log_in("alpha-admin")
        assert (await _upload(admin, contact.id, PDF_BYTES)).status_code == 303
        assert (await _upload(admin, contact.id, PDF_BYTES + b"%2")).status_code == 303
        with tenant_scope(tenant.tenant.id):
            keys = sorted(await Document.all().values_list("storage_key", flat=True))
        assert sorted(s3_server.keys(bucket)) == keys

        export = await admin.get(f"/staff/contacts/{contact.id}/export")
        assert export.status_code == 200
        archive = zipfile.ZipFile(io.BytesIO(export.content))
        stored = sorted(archive.read(n) for n in archive.namelist() if n != "data.json")
        assert stored == sorted([PDF_BYTES, PDF_BYTES + b"%2"])  # read from the bucket

        page = f"/staff/contacts/{contact.id}/delete"
        erased = await admin.submit(page, {"confirm_text": "Kunde"}, form_page=page)
        assert erased.status_code == 303
    # what the law keeps stays until its retention ends; then nothing of the contact is left
    await retention_purge.purge_due(s3_settings, today=date(2100, 1, 1))
    with tenant_scope(tenant.tenant.id):
        assert not await Document.filter(contact_id=contact.id).exists()
    assert s3_server.keys(bucket) == []
