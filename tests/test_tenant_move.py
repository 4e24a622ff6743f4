"""Moving one tenant between installations: export to an archive, import with new ids."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from tenant_app.files.storage import storage_for
from tenant_app.services.tenant_move import export_tenant
from tenant_app.settings import Settings


async def test_export_writes_manifest(tenant, settings: Settings, tmp_path: Path) -> None:
    target = await export_tenant(tenant.tenant.id, storage_for(settings), tmp_path / "a.zip")
    with zipfile.ZipFile(target) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["tenant"]["slug"] == "alpha"
        assert manifest["counts"]["user_account"] == 1
        users = archive.read("tables/user_account.jsonl").decode().splitlines()
    assert json.loads(users[0])["username"] == "alpha-admin"
