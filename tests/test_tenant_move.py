"""Moving one tenant between installations: the demo tenant exported to an archive and
imported again under a new slug (new ids everywhere, the same data, its files readable)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tortoise import Tortoise

from tenant_app.demo.seed import ADMIN, DEMO_SLUG, ensure_demo
from tenant_app.files.storage import LocalStorage
from tenant_app.models.accounts import User
from tenant_app.models.contacts import Contact
from tenant_app.models.conversations import Conversation, ConversationEntry
from tenant_app.models.folders import Document
from tenant_app.models.tenancy import Tenant, TenantHost
from tenant_app.models.tenders import Backoffice
from tenant_app.services.tenant_move import (
    STORAGE_KEY_COLUMNS,
    MoveError,
    export_tenant,
    tenant_models,
)
from tenant_app.services.tenant_move_import import import_tenant
from tenant_app.settings import Settings


async def _demo(passwords: Any, settings: Settings, tmp_path: Path) -> tuple[Tenant, Path]:
    store = LocalStorage(settings.storage_dir)
    assert await ensure_demo(passwords, store, base_domain="localhost")
    demo = await Tenant.get(slug=DEMO_SLUG)
    started = time.perf_counter()
    archive = await export_tenant(demo.id, store, tmp_path / "demo.zip")
    print(f"export of the demo tenant: {time.perf_counter() - started:.2f} s")
    return demo, archive


async def _counts(tenant_id: int) -> dict[str, int]:
    return {
        m._meta.db_table: await m.unscoped.filter(tenant_id=tenant_id).count()  # type: ignore[attr-defined]
        for m in tenant_models()
    }


def _rewrite(source: Path, target: Path, change: Callable[[str, bytes], bytes | None]) -> Path:
    """A copy of the archive with entries changed (None: left out)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for name in old.namelist():
            data = change(name, old.read(name))
            if data is not None:
                new.writestr(name, data)
    return target


def _stored_files(settings: Settings) -> set[Path]:
    return {p for p in settings.storage_dir.rglob("*") if p.is_file()}


async def test_demo_tenant_moves_with_new_ids_and_the_same_data(
    passwords, settings: Settings, tmp_path: Path, client_for
) -> None:
    demo, archive = await _demo(passwords, settings, tmp_path)
    store = LocalStorage(settings.storage_dir)
    started = time.perf_counter()
    report = await import_tenant(archive, store, slug="umzug", base_domain="localhost")
    rows = sum(report.counts.values())
    print(f"import: {rows} rows, {report.files} files in {time.perf_counter() - started:.2f} s")
    copy = await Tenant.get(slug="umzug")
    assert report.tenant_id == copy.id != demo.id
    assert report.hostname == "umzug.localhost" and report.dropped == {}
    assert await TenantHost.filter(tenant_id=copy.id, hostname="umzug.localhost").exists()
    original = await _counts(demo.id)
    assert await _counts(copy.id) == original and original["document"] > 0
    assert copy.name == demo.name and copy.logo_key == demo.logo_key

    # every document's file is there under the new tenant, byte for byte
    documents = await Document.unscoped.filter(tenant_id=copy.id)
    old_documents = {
        d.storage_key.split("/")[1]: d for d in await Document.unscoped.filter(tenant_id=demo.id)
    }
    assert documents and report.files > 0
    for document in documents:
        tenant_part, name = document.storage_key.split("/")
        assert tenant_part == str(copy.id)
        before = old_documents[name]
        assert await store.read(document.storage_key) == await store.read(before.storage_key)
        assert document.id != before.id and document.title == before.title
        contact = await Contact.unscoped.get(id=document.contact_id)
        old_contact = await Contact.unscoped.get(id=before.contact_id)
        assert contact.tenant_id == copy.id and contact.last_name == old_contact.last_name

    # a ticket's entries are the imported contact's, written by the imported users
    ticket = await Conversation.unscoped.filter(tenant_id=copy.id, kind="ticket").first()
    assert ticket is not None
    contact = await Contact.unscoped.get(id=ticket.contact_id)
    assert contact.tenant_id == copy.id
    for entry in await ConversationEntry.unscoped.filter(conversation_id=ticket.id):
        assert entry.tenant_id == copy.id
        if entry.author_id is not None:
            assert (await User.unscoped.get(id=entry.author_id)).tenant_id == copy.id

    # the password hashes came along: the admin logs in on the new host
    client = client_for("umzug.localhost")
    await client.log_in(ADMIN[0], ADMIN[1])
    contacts = await client.get("/staff/contacts")
    assert contacts.status_code == 200 and contact.last_name in contacts.text


async def test_a_failed_import_leaves_no_rows_and_no_files(
    passwords, settings: Settings, tmp_path: Path
) -> None:
    _, archive = await _demo(passwords, settings, tmp_path)
    store = LocalStorage(settings.storage_dir)
    before_files = _stored_files(settings)
    tenants = await Tenant.all().count()

    def corrupt(name: str, data: bytes) -> bytes:
        return data + b"{not json\n" if name == "tables/conversation_entry.jsonl" else data

    broken = _rewrite(archive, tmp_path / "broken.zip", corrupt)
    with pytest.raises(MoveError, match="conversation_entry.jsonl, line"):
        await import_tenant(broken, store, slug="kaputt", base_domain="localhost")
    missing_one: list[str] = []

    def drop_a_file(name: str, data: bytes) -> bytes | None:
        if name.startswith("files/") and not missing_one:
            missing_one.append(name)
            return None
        return data

    incomplete = _rewrite(archive, tmp_path / "incomplete.zip", drop_a_file)
    with pytest.raises(MoveError, match="missing from the archive"):
        await import_tenant(incomplete, store, slug="kaputt", base_domain="localhost")
    assert await Tenant.all().count() == tenants
    assert not await TenantHost.filter(hostname="kaputt.localhost").exists()
    assert _stored_files(settings) == before_files


async def test_an_archive_of_another_migration_level_is_refused(
    passwords, settings: Settings, tmp_path: Path
) -> None:
    _, archive = await _demo(passwords, settings, tmp_path)

    def older(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        return json.dumps({**json.loads(data), "migration": "0020_legal_duties"}).encode()

    with pytest.raises(MoveError, match="made at migration 0020_legal_duties"):
        await import_tenant(
            _rewrite(archive, tmp_path / "old.zip", older),
            LocalStorage(settings.storage_dir),
            slug="alt",
            base_domain="localhost",
        )
    with pytest.raises(MoveError, match="exists here already"):
        await import_tenant(archive, LocalStorage(settings.storage_dir), base_domain="localhost")


async def test_rows_naming_a_backoffice_this_installation_lacks_are_left_out(
    passwords, settings: Settings, tmp_path: Path
) -> None:
    demo, archive = await _demo(passwords, settings, tmp_path)
    await Backoffice.all().update(name="Ein anderes Backoffice")
    report = await import_tenant(
        archive, LocalStorage(settings.storage_dir), slug="ohne-bo", base_domain="localhost"
    )
    original = await _counts(demo.id)
    assert report.dropped["tender"] == original["tender"] > 0
    assert any("Backoffice" in note for note in report.notes)
    assert await _counts(report.tenant_id) == original | {"tender": 0, "backoffice_engagement": 0}


def _cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "STORAGE_DIR": str(settings.storage_dir),
        "BASE_DOMAIN": "localhost",
    }
    return subprocess.run(
        [sys.executable, "-m", "tenant_app.cli", "tenant", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_the_operator_moves_a_tenant_with_the_cli(
    tenant, settings: Settings, tmp_path: Path
) -> None:
    archive = tmp_path / "alpha.zip"
    exported = _cli(settings, "export", "--slug", "alpha", "--to", str(archive))
    assert exported.returncode == 0, exported.stderr
    assert f"Exported tenant 'alpha' to {archive}" in exported.stdout
    imported = _cli(settings, "import", str(archive), "--slug", "alpha-neu")
    assert imported.returncode == 0, imported.stderr
    assert "Imported tenant 'alpha-neu'" in imported.stdout
    assert "alpha-neu.localhost" in imported.stdout
    moved = await Tenant.get(slug="alpha-neu")
    assert await User.unscoped.filter(tenant_id=moved.id, username="alpha-admin").exists()
    refused = _cli(settings, "import", str(archive))
    assert refused.returncode == 1
    assert "a tenant 'alpha' exists here already" in refused.stderr
    assert "nothing was imported" in refused.stderr


async def test_a_tampered_archive_makes_no_platform_and_no_operator(
    passwords, settings: Settings, tmp_path: Path
) -> None:
    """An archive is outside data: a tenant row claiming to be the platform's space comes in as
    an ordinary open firm, and a login claiming to be an operator refuses the whole import."""
    _, archive = await _demo(passwords, settings, tmp_path)
    store = LocalStorage(settings.storage_dir)

    def platform(name: str, data: bytes) -> bytes:
        if name != "tables/tenant.jsonl":
            return data
        row = json.loads(data)
        return json.dumps({**row, "is_platform": True, "is_active": False}).encode() + b"\n"

    report = await import_tenant(
        _rewrite(archive, tmp_path / "platform.zip", platform), store, slug="kein-betreiber"
    )
    copy = await Tenant.get(id=report.tenant_id)
    assert (copy.is_platform, copy.is_active) == (False, True)

    def operator(name: str, data: bytes) -> bytes:
        if name != f"tables/{User._meta.db_table}.jsonl":
            return data
        first, _, rest = data.partition(b"\n")
        return json.dumps({**json.loads(first), "kind": "operator"}).encode() + b"\n" + rest

    tenants = await Tenant.all().count()
    with pytest.raises(MoveError, match="no 'operator' logins"):
        await import_tenant(_rewrite(archive, tmp_path / "op.zip", operator), store, slug="boese")
    assert await Tenant.all().count() == tenants


async def test_text_shaped_like_a_storage_key_is_no_file(
    passwords, settings: Settings, tmp_path: Path
) -> None:
    """A contact's number written "<tenant id>/2024" is text: the export does not look for a
    file of that name, and the import keeps the text as it was."""
    demo, _ = await _demo(passwords, settings, tmp_path)
    contact = await Contact.unscoped.filter(tenant_id=demo.id).first()
    assert contact is not None
    await Contact.unscoped.filter(id=contact.id).update(external_id=f"{demo.id}/2024")
    store = LocalStorage(settings.storage_dir)
    archive = await export_tenant(demo.id, store, tmp_path / "again.zip")
    report = await import_tenant(archive, store, slug="nummern", base_domain="localhost")
    numbers = await Contact.unscoped.filter(tenant_id=report.tenant_id).values_list(
        "external_id", flat=True
    )
    assert f"{demo.id}/2024" in numbers


def test_every_column_named_like_a_key_is_known_to_hold_a_file_or_not() -> None:
    """A new column holding a stored file's key must join STORAGE_KEY_COLUMNS, or the move
    would leave its file behind."""
    not_files = {"sort_key", "idempotency_key", "public_key", "private_key", "client_key"}
    not_files |= {"logo_key", "favicon_key"}  # the tenant's: hashes of assets in the database
    named = {
        name
        for model in Tortoise.apps["models"].values()
        for name in model._meta.fields_map
        if name.endswith("_key")
    }
    assert named - not_files == STORAGE_KEY_COLUMNS
