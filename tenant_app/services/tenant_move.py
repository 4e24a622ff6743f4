"""One tenant's rows and files as one archive (`tenant-app tenant export`), for moving it to
another installation (services/tenant_move_import.py) or keeping it before it is deleted.

The archive is a ZIP: `manifest.json` (format, migration level, the tenant, row counts, the
platform-wide rows the tenant's rows point at, by natural key), `tables/<table>.jsonl` (one
JSON object a row, values in the field's portable form: services/tenant_move_values.py) and
`files/<storage key>` (every stored file a row names). Rows are read in batches and files
copied in chunks, so memory stays flat whatever the tenant's size.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import anyio
from tortoise import Tortoise
from tortoise.models import Model

from tenant_app.files.storage import Storage
from tenant_app.models.scoping import TenantModel
from tenant_app.models.tenancy import Tenant, TenantHost
from tenant_app.services.tenant_move_values import to_portable

FORMAT = "tenant-app-tenant/1"
BATCH = 500  # rows per query while exporting
# Rows bound to the old installation's secrets or cookies: a moved tenant's users log in anew.
NOT_CARRIED = {"Session", "JumpLink"}
# Platform-wide models a tenant's rows may point at, with the column that names them in any
# installation (their ids differ between installations).
NATURAL_KEYS = {"DpaVersion": "version", "Backoffice": "name"}


class MoveError(Exception):
    """The export or import cannot be done; the message says why (for the operator)."""


@dataclass
class ExportSummary:
    counts: dict[str, int] = field(default_factory=dict)
    files: int = 0
    file_bytes: int = 0


def tenant_models() -> list[type[Model]]:
    """The models whose rows belong to one tenant and move with it (in registry order)."""
    return [
        model
        for name, model in Tortoise.apps["models"].items()
        if issubclass(model, TenantModel) and name not in NOT_CARRIED
    ]


# The columns that hold storage keys (files/storage.py `new_key`); other columns may hold
# text shaped like one ("3/2024" as a contract number) and are never taken for a file.
STORAGE_KEY_COLUMNS = frozenset(
    {"storage_key", "thumbnail_key", "photo_key", "export_key", "screenshot_key"}
)


def key_columns(model: type[Model]) -> tuple[str, ...]:
    return tuple(name for name in model._meta.fields_map if name in STORAGE_KEY_COLUMNS)


def key_pattern(tenant_id: int) -> re.Pattern[str]:
    """A storage key of this tenant (files/storage.py `new_key`), as a whole column value."""
    return re.compile(rf"{tenant_id}/[0-9a-f]+")


async def latest_migration() -> str:
    """The name of the last migration applied to this database: archives move between
    installations on the same level only."""
    connection = Tortoise.get_connection("default")
    _, rows = await connection.execute_query(
        "SELECT name FROM tortoise_migrations WHERE app = 'models' ORDER BY name DESC LIMIT 1"
    )
    if not rows:
        raise MoveError("this database has no migrations applied")
    return str(rows[0]["name"])


def columns(model: type[Model]) -> list[str]:
    """The stored fields of a model: data fields and the `<fk>_id` columns, by field name."""
    return list(model._meta.fields_db_projection)


async def _rows(model: type[Model], tenant_id: int) -> AsyncIterator[dict[str, Any]]:
    """Every row of the tenant, in batches by id (keyset: no growing OFFSET)."""
    pk = model._meta.pk_attr
    manager: Any = getattr(model, "unscoped", model)
    base = manager.filter(**{"id" if model is Tenant else "tenant_id": tenant_id})
    last: Any = None
    while True:
        query = base if last is None else base.filter(**{f"{pk}__gt": last})
        batch = await query.order_by(pk).limit(BATCH).values(*columns(model))
        for row in batch:
            yield row
        if len(batch) < BATCH:
            return
        last = batch[-1][pk]


class _Archive:
    """The ZIP being written; each write runs in a worker thread (the event loop stays free)."""

    def __init__(self, path: Path) -> None:
        self.zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True)

    async def open(self, name: str, *, stored: bool = False) -> IO[bytes]:
        info = zipfile.ZipInfo(name, date_time=datetime.now(UTC).timetuple()[:6])
        info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
        return await anyio.to_thread.run_sync(lambda: self.zip.open(info, "w", force_zip64=True))

    async def write(self, handle: IO[bytes], data: bytes) -> None:
        await anyio.to_thread.run_sync(handle.write, data)

    async def close_entry(self, handle: IO[bytes]) -> None:
        await anyio.to_thread.run_sync(handle.close)

    async def close(self) -> None:
        await anyio.to_thread.run_sync(self.zip.close)


async def _export_table(
    archive: _Archive, model: type[Model], tenant_id: int, keys: set[str], pattern: re.Pattern[str]
) -> int:
    handle = await archive.open(f"tables/{model._meta.db_table}.jsonl")
    count = 0
    fields_map = model._meta.fields_map
    stored = key_columns(model)
    lines: list[bytes] = []
    async for row in _rows(model, tenant_id):
        portable = {name: to_portable(fields_map[name], value) for name, value in row.items()}
        keys.update(
            row[c] for c in stored if isinstance(row.get(c), str) and pattern.fullmatch(row[c])
        )
        lines.append(json.dumps(portable, ensure_ascii=False).encode() + b"\n")
        count += 1
        if len(lines) >= BATCH:
            await archive.write(handle, b"".join(lines))
            lines.clear()
    if lines:
        await archive.write(handle, b"".join(lines))
    await archive.close_entry(handle)
    return count


async def _platform_references(tenant_id: int) -> dict[str, dict[str, str]]:
    """For each platform-wide model the tenant's rows point at: old id -> natural key."""
    wanted: dict[str, set[int]] = {name: set() for name in NATURAL_KEYS}
    for model in tenant_models():
        for name in model._meta.fk_fields | model._meta.o2o_fields:
            target = model._meta.fields_map[name].related_model.__name__  # type: ignore[attr-defined]
            if target in wanted:
                manager: Any = model.unscoped  # type: ignore[attr-defined]
                ids = await manager.filter(tenant_id=tenant_id).values_list(f"{name}_id", flat=True)
                wanted[target].update(i for i in ids if i is not None)
    references: dict[str, dict[str, str]] = {}
    for name, ids in wanted.items():
        model = Tortoise.apps["models"][name]
        natural = NATURAL_KEYS[name]
        rows = await model.filter(id__in=ids).values_list("id", natural)
        references[name] = {str(i): str(value) for i, value in rows}
    return references


async def export_tenant(tenant_id: int, store: Storage, target: Path) -> Path:
    """Write the tenant's rows and files to `target` (a .zip; replaced atomically); `target`."""
    summary = ExportSummary()
    await export_tenant_summary(tenant_id, store, target, summary)
    return target


async def export_tenant_summary(
    tenant_id: int, store: Storage, target: Path, summary: ExportSummary
) -> None:
    tenant = await Tenant.get_or_none(id=tenant_id)
    if tenant is None:
        raise MoveError(f"no tenant with id {tenant_id}")
    if tenant.is_platform:
        raise MoveError("the platform's own space is not a tenant that moves")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    archive = _Archive(partial)
    try:
        keys: set[str] = set()
        pattern = key_pattern(tenant_id)
        moved: list[type[Model]] = [Tenant, TenantHost, *tenant_models()]
        for model in moved:
            table = model._meta.db_table
            summary.counts[table] = await _export_table(archive, model, tenant_id, keys, pattern)
        for key in sorted(keys):
            summary.file_bytes += await _export_file(archive, store, key)
            summary.files += 1
        manifest = {
            "format": FORMAT,
            "migration": await latest_migration(),
            "app_version": _app_version(),
            "exported_at": datetime.now(UTC).isoformat(),
            "tenant": {"id": tenant.id, "slug": tenant.slug, "name": tenant.name},
            "counts": summary.counts,
            "files": summary.files,
            "file_bytes": summary.file_bytes,
            "platform_references": await _platform_references(tenant_id),
        }
        handle = await archive.open("manifest.json")
        await archive.write(handle, json.dumps(manifest, indent=2, ensure_ascii=False).encode())
        await archive.close_entry(handle)
        await archive.close()
    except BaseException:
        await anyio.to_thread.run_sync(archive.zip.close)
        partial.unlink(missing_ok=True)
        raise
    partial.replace(target)


async def _export_file(archive: _Archive, store: Storage, key: str) -> int:
    handle = await archive.open(f"files/{key}", stored=True)
    size = 0
    try:
        async for chunk in store.open(key):
            await archive.write(handle, chunk)
            size += len(chunk)
    except FileNotFoundError as error:
        raise MoveError(f"stored file {key} is missing: the export would be incomplete") from error
    finally:
        await archive.close_entry(handle)
    return size


def _app_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("tenant-app")
    except PackageNotFoundError:
        return "unknown"
