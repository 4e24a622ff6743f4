"""`tenant-app tenant export --slug X --to FILE` and `tenant-app tenant import FILE
[--slug NEW]`: one tenant's rows and files moved between installations
(services/tenant_move.py, services/tenant_move_import.py)."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable
from pathlib import Path

import click

from tenant_app import db
from tenant_app.settings import Settings


async def _export(settings: Settings, slug: str, target: Path) -> int:
    from tenant_app.files.storage import storage_for
    from tenant_app.models.tenancy import Tenant
    from tenant_app.services.tenant_move import ExportSummary, MoveError, export_tenant_summary

    await db.init_db(settings)
    try:
        tenant = await Tenant.get_or_none(slug=slug)
        if tenant is None:
            print(f"error: no tenant {slug!r}", file=sys.stderr)
            return 1
        summary = ExportSummary()
        started = time.perf_counter()
        try:
            await export_tenant_summary(tenant.id, storage_for(settings), target, summary)
        except MoveError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
    finally:
        await db.close_db()
    rows = sum(summary.counts.values())
    print(f"Exported tenant {slug!r} to {target} in {time.perf_counter() - started:.1f} s:")
    print(f"  {rows} rows in {len(summary.counts)} tables, {summary.files} files")
    print(f"  ({summary.file_bytes} bytes); sessions are not carried: users log in anew.")
    return 0


async def _import(settings: Settings, archive: Path, slug: str | None) -> int:
    from tenant_app.files.storage import storage_for
    from tenant_app.services.tenant_move import MoveError
    from tenant_app.services.tenant_move_import import import_tenant

    await db.init_db(settings)
    try:
        report = await import_tenant(
            archive, storage_for(settings), slug=slug, base_domain=settings.base_domain
        )
    except MoveError as error:
        print(f"error: {error}; nothing was imported", file=sys.stderr)
        return 1
    finally:
        await db.close_db()
    print(f"Imported tenant {report.slug!r} (id {report.tenant_id}) at {report.hostname}:")
    print(f"  {sum(report.counts.values())} rows, {report.files} files")
    for table, count in sorted(report.dropped.items()):
        print(f"  left out: {count} row(s) of {table}")
    for note in dict.fromkeys(report.notes):  # each note once, in order
        print(f"  note: {note}")
    return 0


def add_commands(tenant: click.Group, settings: Callable[[], Settings]) -> None:
    """Adds `export` and `import` to the `tenant` group; `settings` loads the configuration."""

    @tenant.command("export", help="write one tenant's rows and files to an archive")
    @click.option("--slug", required=True, help="the tenant to export")
    @click.option("--to", "target", required=True, type=click.Path(path_type=Path))
    def export_command(slug: str, target: Path) -> int:
        return asyncio.run(_export(settings(), slug, target))

    @tenant.command("import", help="import a tenant's archive as a new tenant (new ids)")
    @click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--slug", default=None, help="a new slug (default: the archive's)")
    def import_command(archive: Path, slug: str | None) -> int:
        return asyncio.run(_import(settings(), archive, slug))
