"""The operator's reads across tenants: every broker firm with its usage, in two statements
whatever the number of firms (the platform's own space is no broker firm and not listed).

Usage is what the rows record: active logins (not the API's), contacts, the bytes of the
stored files whose size is kept (documents, claim files, data-request copies) and the mails
sent since a moment.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tenant_app.queries.sql import unscoped

_USAGE = (
    "SELECT t.id, t.slug, t.name, t.created_at, t.suspended_at, t.suspension_notice,"
    " (SELECT COUNT(*) FROM user_account u WHERE u.tenant_id = t.id AND u.is_active = TRUE"
    " AND u.role <> 'api') AS users,"
    " (SELECT COUNT(*) FROM contact c WHERE c.tenant_id = t.id) AS contacts,"
    " (SELECT COALESCE(SUM(d.size), 0) FROM document d WHERE d.tenant_id = t.id)"
    " + (SELECT COALESCE(SUM(f.size), 0) FROM claim_file f WHERE f.tenant_id = t.id)"
    " + (SELECT COALESCE(SUM(r.export_size), 0) FROM data_request r"
    " WHERE r.tenant_id = t.id AND r.export_key IS NOT NULL) AS storage_bytes,"
    " (SELECT COUNT(*) FROM outbox_mail m WHERE m.tenant_id = t.id AND m.status = 'sent'"
    " AND m.sent_at >= :since) AS mails_sent"
    " FROM tenant t WHERE t.is_platform = FALSE AND t.is_active = TRUE{one}"
    " ORDER BY LOWER(t.name), t.id"
)
_HOSTS = (
    "SELECT h.tenant_id, h.hostname FROM tenant_host h JOIN tenant t ON t.id = h.tenant_id"
    " WHERE t.is_platform = FALSE{one} ORDER BY h.is_primary DESC, h.id"
)


async def tenant_usage(*, since: datetime, tenant_id: int | None = None) -> list[dict[str, Any]]:
    """Every broker firm (or the one named) with its usage; mails counted from `since`."""
    one = " AND t.id = :tenant_id" if tenant_id is not None else ""
    params: dict[str, Any] = {"since": since}
    if tenant_id is not None:
        params["tenant_id"] = tenant_id
    return await unscoped.fetch_all(_USAGE.format(one=one), **params)


async def tenant_hosts(tenant_id: int | None = None) -> dict[int, list[str]]:
    """The host names of every broker firm (or the one named), the primary first."""
    one = " AND t.id = :tenant_id" if tenant_id is not None else ""
    params = {"tenant_id": tenant_id} if tenant_id is not None else {}
    hosts: dict[int, list[str]] = {}
    for row in await unscoped.fetch_all(_HOSTS.format(one=one), **params):
        hosts.setdefault(int(row["tenant_id"]), []).append(str(row["hostname"]))
    return hosts
