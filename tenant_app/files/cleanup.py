"""Removing stored files after their rows are gone (a leftover file is logged, never a lost row)."""

from __future__ import annotations

import logging

from tenant_app.files.storage import Storage, StorageUnavailable
from tenant_app.logs import log

logger = logging.getLogger("tenant_app.files")


async def remove_files(store: Storage, keys: list[str]) -> None:
    for key in keys:
        try:
            await store.delete(key)
        except (OSError, StorageUnavailable) as exc:  # the store may be the very reason
            log(logger, logging.ERROR, "stored file could not be removed", key=key, error=str(exc))
