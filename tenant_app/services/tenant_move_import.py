"""`tenant-app tenant import`: a tenant's archive (services/tenant_move.py) into this
installation, as a new tenant: every row gets a new id from this database and every reference
is remapped; storage keys name the new tenant, and its files are copied first.

All rows go in within one transaction; when anything fails, no row stays and the files
already copied are removed again.
"""

from __future__ import annotations

import io
import json
import secrets
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
from tortoise import Tortoise
from tortoise.models import Model
from tortoise.transactions import in_transaction

from tenant_app.files.storage import Storage
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant, TenantHost
from tenant_app.services.tenant_move import (
    FORMAT,
    NATURAL_KEYS,
    MoveError,
    key_columns,
    key_pattern,
    latest_migration,
    tenant_models,
)
from tenant_app.services.tenant_move_graph import JSON_REFERENCES, insertion_order, references
from tenant_app.services.tenant_move_values import from_portable
from tenant_app.tenancy import slug_error

READ_LINES = 500  # table lines read from the archive at a time


@dataclass
class ImportReport:
    tenant_id: int = 0
    slug: str = ""
    hostname: str = ""
    counts: dict[str, int] = field(default_factory=dict)  # table -> rows imported
    files: int = 0
    dropped: dict[str, int] = field(default_factory=dict)  # table -> rows left out
    notes: list[str] = field(default_factory=list)  # what the operator should know


class _Import:
    def __init__(self, archive: zipfile.ZipFile, manifest: dict[str, Any], store: Storage) -> None:
        self.archive = archive
        self.manifest = manifest
        self.store = store
        self.report = ImportReport()
        self.new_ids: dict[str, dict[Any, Any]] = {}  # model name -> old id -> new id
        self.dropped: dict[str, set[Any]] = {}  # model name -> old ids left out
        self.copied: list[str] = []  # storage keys written, removed again on failure
        self.files = {
            n.removeprefix("files/") for n in archive.namelist() if n.startswith("files/")
        }
        self.old_keys = key_pattern(int(manifest["tenant"]["id"]))
        self.platform_ids: dict[str, dict[str, int | None]] = {}
        self.later: list[tuple[type[Model], Any, str, str, Any]] = []

    def lines(self, table: str) -> Iterator[dict[str, Any]]:
        name = f"tables/{table}.jsonl"
        if name not in self.archive.namelist():
            raise MoveError(f"the archive has no {name}")
        with self.archive.open(name) as raw:
            for number, line in enumerate(io.TextIOWrapper(raw, encoding="utf-8"), 1):
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as error:
                    raise MoveError(f"{name}, line {number}: not a JSON row ({error})") from None
                if not isinstance(row, dict):
                    raise MoveError(f"{name}, line {number}: not a JSON object")
                yield row

    def lookup(self, target: str, old: Any) -> Any:
        return self.new_ids.get(target, {}).get(old)

    async def platform_id(self, target: str, old: Any) -> int | None:
        """A platform-wide row of this installation with the same natural key, or None."""
        known = self.platform_ids.setdefault(target, {})
        if str(old) not in known:
            natural = self.manifest["platform_references"].get(target, {}).get(str(old))
            model = Tortoise.apps["models"][target]
            found = None
            if natural is not None:
                found = await model.filter(**{NATURAL_KEYS[target]: natural}).first()
            known[str(old)] = found.pk if found else None
            if found is None:
                self.report.notes.append(
                    f"{target} {natural or old!r} does not exist here: rows naming it are left"
                    " out (or no longer name it)"
                )
        return known[str(old)]

    def new_key(self, key: str) -> str:
        if key not in self.files:
            raise MoveError(f"stored file {key} is named by a row but missing from the archive")
        return f"{self.report.tenant_id}/{key.partition('/')[2]}"

    async def copy_files(self) -> None:
        for key in sorted(self.files):
            if not self.old_keys.fullmatch(key):
                raise MoveError(f"files/{key}: not a storage key of the exported tenant")
            new = self.new_key(key)
            with self.archive.open(f"files/{key}") as source:
                self.copied.append(new)
                await self.store.save(new, source)  # type: ignore[arg-type]  # a binary stream
            self.report.files += 1

    async def remove_copied(self) -> None:
        for key in self.copied:
            await self.store.delete(key)


# The logins a broker firm has; operators and backoffice people belong to the platform.
FIRM_USER_KINDS = frozenset({"staff", "customer", "api"})


async def _tenant_row(job: _Import, slug: str, base_domain: str) -> None:
    fields_map = Tenant._meta.fields_map
    rows = list(job.lines("tenant"))
    if len(rows) != 1:
        raise MoveError("the archive must hold exactly one tenant row")
    values = {k: from_portable(fields_map[k], v) for k, v in rows[0].items() if k != "id"}
    # An archive is outside data: it never makes a platform space, and the copy is open.
    values.update(
        slug=slug, suspended_at=None, suspension_notice="", is_platform=False, is_active=True
    )
    tenant = Tenant(**values)
    await tenant.save()
    await Tenant.filter(id=tenant.id).update(**_auto_now(Tenant, values))
    job.report.tenant_id, job.report.slug = tenant.id, slug
    job.report.hostname = f"{slug}.{base_domain}"
    await TenantHost.create(hostname=job.report.hostname, tenant=tenant, is_primary=True)
    for host in job.lines("tenant_host"):
        if not host.get("is_custom"):
            continue
        if await TenantHost.filter(hostname=host["hostname"]).exists():
            job.report.notes.append(f"custom domain {host['hostname']} is in use here: left out")
            continue
        await TenantHost.create(
            hostname=host["hostname"],
            tenant=tenant,
            is_primary=False,
            is_custom=True,
            is_verified=False,  # it serves again once verified for this installation
            verification_token=host.get("verification_token") or secrets.token_hex(16),
        )
        job.report.notes.append(f"custom domain {host['hostname']}: verify it again")


def _auto_now(model: type[Model], values: dict[str, Any]) -> dict[str, Any]:
    """The exported values of fields the ORM stamps on save (kept as they were)."""
    return {
        name: values[name]
        for name, f in model._meta.fields_map.items()
        if getattr(f, "auto_now", False) and values.get(name) is not None
    }


async def _import_table(job: _Import, model: type[Model], deferred: set[tuple[str, str]]) -> None:
    name = model.__name__
    table = model._meta.db_table
    meta = model._meta
    refs = references(model)
    json_refs = JSON_REFERENCES.get(name)
    unique_hashes = [n for n, f in meta.fields_map.items() if f.unique and n.endswith("_hash")]
    mapped = job.new_ids.setdefault(name, {})
    count = 0
    for raw in job.lines(table):
        old_id = raw.pop(meta.pk_attr)
        row = {}
        for column, value in raw.items():
            if column not in meta.fields_db_projection:
                raise MoveError(f"{table}: unknown column {column}")
            row[column] = from_portable(meta.fields_map[column], value)
        row["tenant_id"] = job.report.tenant_id
        if name == "User" and row.get("kind") not in FIRM_USER_KINDS:
            raise MoveError(f"{table}: a firm has no {row.get('kind')!r} logins")
        later: list[tuple[str, str, Any]] = []
        keep = True
        for ref in refs:
            old = row.get(ref.column)
            target = ref.target(row)
            if old is None or target is None:
                continue
            if target in NATURAL_KEYS:
                new = await job.platform_id(target, old)
            elif (name, ref.column) in deferred:
                later.append((ref.column, target, old))
                new = None
            elif target not in job.new_ids:
                continue  # a model that does not move (kept as it was: see SOFT_REFERENCES)
            else:
                new = job.lookup(target, old)
            if new is None and (name, ref.column) not in deferred:
                if not ref.nullable:
                    keep = False
                    break
            row[ref.column] = new
        if not keep:
            job.dropped.setdefault(name, set()).add(old_id)
            job.report.dropped[table] = job.report.dropped.get(table, 0) + 1
            continue
        if json_refs:
            json_refs[0](row, job.lookup)
        for column in key_columns(model):
            value = row.get(column)
            if isinstance(value, str) and job.old_keys.fullmatch(value):
                row[column] = job.new_key(value)
        for column in unique_hashes:
            taken = getattr(model, "unscoped", model).filter(**{column: row.get(column)})
            if row.get(column) and await taken.exists():
                row[column] = secrets.token_hex(32)  # the old link or token stops working here
                job.report.notes.append(f"{table}.{column}: a secret already used here renewed")
        instance = model(**row)
        await instance.save()
        if stamped := _auto_now(model, row):
            await model.filter(pk=instance.pk).update(**stamped)
        mapped[old_id] = instance.pk
        job.later.extend((model, instance.pk, c, t, o) for c, t, o in later)
        count += 1
    job.report.counts[table] = count


async def _fill_in_later(job: _Import) -> None:
    """Second pass: references to rows inserted after theirs (self-references, cycles)."""
    for model, pk, column, target, old in job.later:
        new = job.lookup(target, old)
        if new is not None:
            await model.filter(pk=pk).update(**{column: new})


def _check(manifest: dict[str, Any], here: str) -> None:
    if manifest.get("format") != FORMAT:
        raise MoveError(f"not a tenant archive of this format ({manifest.get('format')!r})")
    if manifest.get("migration") != here:
        raise MoveError(
            f"the archive was made at migration {manifest.get('migration')}, this installation"
            f" is at {here}: bring both to the same version first (`tenant-app migrate`)"
        )


async def import_tenant(
    archive: Path, store: Storage, *, slug: str | None = None, base_domain: str | None = None
) -> ImportReport:
    """Import the tenant in `archive` as a new tenant (`slug`, else the archive's)."""
    if base_domain is None:
        from tenant_app.settings import load_settings

        base_domain = load_settings().base_domain
    try:
        opened = zipfile.ZipFile(archive)
        manifest = json.loads(opened.read("manifest.json"))
    except (OSError, KeyError, zipfile.BadZipFile, json.JSONDecodeError) as error:
        raise MoveError(f"{archive} is not a readable tenant archive: {error}") from None
    with opened:
        _check(manifest, await latest_migration())
        slug = slug or str(manifest["tenant"]["slug"])
        if problem := slug_error(slug):
            raise MoveError(problem)
        if await Tenant.filter(slug=slug).exists():
            raise MoveError(f"a tenant {slug!r} exists here already: choose another with --slug")
        job = _Import(opened, manifest, store)
        try:
            async with in_transaction():
                await _tenant_row(job, slug, base_domain)
                with tenant_scope(job.report.tenant_id):
                    await job.copy_files()
                    order, deferred = insertion_order(tenant_models())
                    for model in order:
                        await _import_table(job, model, deferred)
                    await _fill_in_later(job)
        except BaseException:
            with anyio.CancelScope(shield=True):
                await job.remove_copied()
            raise
    return job.report
