"""A full disk is no server error anywhere a file is written: the logo upload and the contact
export answer 507 with words that fit, keep nothing (no temporary file, no half change), tell
the administrators, and work again once there is space."""

from __future__ import annotations

import errno
import io
import os
import zipfile
from tempfile import SpooledTemporaryFile
from typing import Any

import pytest

from tenant_app.models.branding import TenantAsset
from tenant_app.models.mail import OutboxMail
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant
from tests.conftest import make_customer
from tests.folder_helpers import add_document
from tests.web.test_branding import image_bytes, upload


class FullDisk(SpooledTemporaryFile):  # type: ignore[type-arg]
    """A spool that fills memory as usual but cannot move to disk: the disk is full."""

    opened: list[FullDisk] = []

    def __init__(self, max_size: int = 0, *args: Any, **kwargs: Any) -> None:
        super().__init__(1024, *args, **kwargs)  # small, so even a small test file spills
        FullDisk.opened.append(self)

    def rollover(self) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")


@pytest.fixture
def full_disk() -> list[FullDisk]:
    FullDisk.opened = []
    return FullDisk.opened


async def _storage_full_mails(tenant) -> int:
    with tenant_scope(tenant.tenant.id):
        return await OutboxMail.filter(to_address="chef@alpha.example", kind="storage_full").count()


async def _logo_state(tenant) -> tuple[str | None, int]:
    with tenant_scope(tenant.tenant.id):
        stored = await Tenant.get(id=tenant.tenant.id)
        return stored.logo_key, await TenantAsset.all().count()


LOGO = b"\x89PNG\r\n\x1a\n" + os.urandom(200_000)  # spills from memory to disk while received


@pytest.mark.parametrize("htmx", [False, True])
async def test_a_logo_upload_on_a_full_disk_answers_507(
    client, tenant, monkeypatch, full_disk, htmx
) -> None:
    await client.log_in("alpha-admin")
    monkeypatch.setattr("starlette.formparsers.SpooledTemporaryFile", FullDisk)
    headers = {"HX-Request": "true"} if htmx else {}

    response = await upload(client, "logo", "logo.png", LOGO, "image/png", **headers)

    assert response.status_code == 507
    assert 'id="f-logo-error"' in response.text and "Speicher voll ist" in response.text
    if htmx:  # only the logo's panel, which the page swaps in place
        assert response.text.lstrip().startswith('<section class="asset-panel" id="logo_panel"')
    else:  # the settings page, with its form still saveable
        assert 'id="branding-form"' in response.text and 'name="version" value="1"' in response.text
    assert full_disk and all(spool.closed for spool in full_disk)  # no temporary file kept
    assert await _logo_state(tenant) == (None, 0)
    assert await _storage_full_mails(tenant) == 1

    monkeypatch.undo()  # space freed: the same upload of a real image works again
    done = await upload(client, "logo", "logo.png", image_bytes("PNG"), "image/png", **headers)
    assert done.status_code == (200 if htmx else 303)
    key, assets = await _logo_state(tenant)
    assert key and assets == 1


async def test_an_export_on_a_full_disk_answers_507(
    client, tenant, passwords, settings, monkeypatch, full_disk
) -> None:
    contact = await make_customer(tenant, passwords)
    await add_document(tenant, settings, contact, title="Police")
    await client.log_in("alpha-admin")
    path = f"/staff/contacts/{contact.id}/export"
    monkeypatch.setattr("tenant_app.services.erasure.SpooledTemporaryFile", FullDisk)

    response = await client.get(path)

    assert response.status_code == 507
    assert "Speicher voll" in response.text and "Der Export konnte nicht erstellt" in response.text
    assert "hochgeladen" not in response.text  # not the words for a failed upload
    assert len(full_disk) == 1 and full_disk[0].closed  # the half-written archive is gone
    assert await _storage_full_mails(tenant) == 1

    monkeypatch.undo()
    export = await client.get(path)
    assert export.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(export.content)).namelist()
    assert "data.json" in names and any(name.startswith("files/") for name in names)
