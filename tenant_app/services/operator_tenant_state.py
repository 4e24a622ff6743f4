"""What an operator does to a broker firm: suspend it with a notice its users see instead of
the portal, let it back in, and delete it for good once its export has been written.

A suspension reaches this process at once (its tenant cache is emptied) and every other
process within tenancy.CACHE_SECONDS. Sessions stay: after the reactivation everyone goes on
where they were. The platform's own space is no broker firm: it can be neither suspended nor
deleted (NotFound, as for a firm that does not exist).
"""

from __future__ import annotations

import logging
import re
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import anyio
from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, ValidationFailed
from tenant_app.files.cleanup import remove_files
from tenant_app.files.storage import Storage, StorageUnavailable
from tenant_app.logs import log
from tenant_app.models.tenancy import Tenant, TenantHost
from tenant_app.services import operator_audit
from tenant_app.services.tenant_move import MoveError, export_tenant, key_pattern
from tenant_app.settings import Settings
from tenant_app.tenancy import tenant_cache
from tenant_app.text.labels import N_

NOTICE_CHARS = 2000
EXPORT_NAME = re.compile(r"[a-z0-9-]{1,63}-\d{8}-\d{6}\.zip")  # <slug>-<UTC moment>.zip
FILES_PREFIX = "files/"  # where the archive keeps the stored files (services/tenant_move.py)

logger = logging.getLogger("tenant_app.operator")


@dataclass(frozen=True)
class DeletedTenant:
    name: str
    slug: str
    export_name: str  # the archive's file name in the exports folder
    export_bytes: int
    files_removed: int


def exports_folder(settings: Settings) -> Path:
    """Where the archives of deleted firms are kept, beside the stored files' folder (both
    belong in the backup; the operator removes an archive once it is safe elsewhere)."""
    return settings.storage_dir.parent / "exports"


async def _broker_firm(tenant_id: int, *, lock: bool = False) -> Tenant:
    query = Tenant.filter(id=tenant_id, is_platform=False, is_active=True)
    tenant = await (query.select_for_update().first() if lock else query.first())
    if tenant is None:
        raise NotFound
    return tenant


async def _forget_cached(tenant_id: int) -> None:
    """This process sees the change with its next request; others within CACHE_SECONDS."""
    for hostname in await TenantHost.filter(tenant_id=tenant_id).values_list("hostname", flat=True):
        tenant_cache.invalidate(str(hostname))


async def suspend(actor: CurrentUser, tenant_id: int, *, notice: str) -> None:
    """The firm's users see `notice` (or the default one, when empty) in its branding instead
    of every page, and its API answers 503; nothing else changes."""
    operator_audit.check_operator(actor)
    notice = notice.strip()
    if len(notice) > NOTICE_CHARS:
        raise ValidationFailed({"notice": N_("Please keep the notice shorter.")})
    async with in_transaction():
        tenant = await _broker_firm(tenant_id, lock=True)
        if tenant.suspended_at is None:
            tenant.suspended_at = datetime.now(UTC)
        tenant.suspension_notice = notice
        await tenant.save(update_fields=["suspended_at", "suspension_notice", "updated_at"])
        await operator_audit.record(
            actor, "tenant_suspended", tenant_id=tenant.id, tenant_name=tenant.name, detail=notice
        )
    await _forget_cached(tenant_id)


async def reactivate(actor: CurrentUser, tenant_id: int) -> None:
    """The firm's portal is open again (its notice is kept for the audit only)."""
    operator_audit.check_operator(actor)
    async with in_transaction():
        tenant = await _broker_firm(tenant_id, lock=True)
        if tenant.suspended_at is None:
            return
        tenant.suspended_at = None
        tenant.suspension_notice = ""
        await tenant.save(update_fields=["suspended_at", "suspension_notice", "updated_at"])
        await operator_audit.record(
            actor, "tenant_reactivated", tenant_id=tenant.id, tenant_name=tenant.name
        )
    await _forget_cached(tenant_id)


def _archived_keys(archive: Path, tenant_id: int) -> list[str]:
    """The stored files the archive holds: exactly those that go with the firm."""
    pattern = key_pattern(tenant_id)
    with zipfile.ZipFile(archive) as opened:
        names = [name.removeprefix(FILES_PREFIX) for name in opened.namelist()]
    return [name for name in names if pattern.fullmatch(name)]


async def delete(
    actor: CurrentUser, store: Storage, tenant_id: int, *, confirm_slug: str, folder: Path
) -> DeletedTenant:
    """Write the firm's export into `folder`, then delete the firm with every row and stored
    file. Only a suspended firm (nobody changes it while the export is written), and only
    when the operator typed its slug; a failed export deletes nothing."""
    operator_audit.check_operator(actor)
    tenant = await _broker_firm(tenant_id)
    if tenant.suspended_at is None:
        raise ValidationFailed({"confirm_slug": N_("Suspend the tenant first.")})
    if confirm_slug.strip() != tenant.slug:
        raise ValidationFailed({"confirm_slug": N_("Please type the tenant's slug exactly.")})
    moment = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = folder / f"{tenant.slug}-{moment}.zip"
    try:
        archive = await export_tenant(tenant.id, store, target)
    except MoveError as failed:
        log(logger, logging.ERROR, "tenant export failed", tenant_id=tenant.id, error=str(failed))
        raise ValidationFailed(
            {"confirm_slug": N_("The export failed, so nothing was deleted. The log says why.")}
        ) from None
    keys = await anyio.to_thread.run_sync(_archived_keys, archive, tenant.id)
    hostnames = await TenantHost.filter(tenant_id=tenant.id).values_list("hostname", flat=True)
    async with in_transaction():
        await operator_audit.record(
            actor, "tenant_deleted", tenant_id=None, tenant_name=tenant.name, detail=archive.name
        )
        # Every tenant-owned row goes with it (their foreign keys cascade).
        if not await Tenant.filter(id=tenant.id).delete():
            raise NotFound  # deleted meanwhile by someone else: no second audit line
    removed = await _every_key(store, tenant.id, keys)
    await remove_files(store, removed)
    for hostname in hostnames:
        tenant_cache.invalidate(str(hostname))
    return DeletedTenant(
        name=tenant.name,
        slug=tenant.slug,
        export_name=archive.name,
        export_bytes=archive.stat().st_size,
        files_removed=len(removed),
    )


async def _every_key(store: Storage, tenant_id: int, archived: list[str]) -> list[str]:
    """The archive's files and any other the store holds for the firm (one no row named any
    more, or one written after the export began); the archive's alone if it cannot list."""
    try:
        return sorted(set(archived) | set(await store.tenant_keys(tenant_id)))
    except StorageUnavailable as failed:
        log(
            logger,
            logging.WARNING,
            "tenant files not listed",
            tenant_id=tenant_id,
            error=str(failed),
        )
        return sorted(archived)


def export_path(actor: CurrentUser, folder: Path, name: str) -> Path:
    """An archive of a deleted firm, by its file name; NotFound for any other name."""
    operator_audit.check_operator(actor)
    path = folder / name
    if not EXPORT_NAME.fullmatch(name) or not path.is_file():
        raise NotFound
    return path
