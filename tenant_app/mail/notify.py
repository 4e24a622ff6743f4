"""`notify()`: render a mail for one recipient, in their language and the tenant's branding,
and queue it in the caller's transaction. The one way use cases send mail."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tenant_app.mail.outbox import enqueue
from tenant_app.mail.render import render_email
from tenant_app.settings import Settings
from tenant_app.tenancy import current_tenant, public_base_url


async def notify(
    settings: Settings,
    *,
    to: str,
    language: str | None,
    template: str,
    context: Mapping[str, Any],
    links: Mapping[str, str] | None = None,
) -> None:
    """`links` are paths on the tenant's own host; the mail gets them as full addresses."""
    tenant = current_tenant()
    base_url = public_base_url(settings, tenant)
    full = {**context, **{name: f"{base_url}{path}" for name, path in (links or {}).items()}}
    mail = render_email(template, full, tenant=tenant, base_url=base_url, locale=language or "de")
    await enqueue(mail, to=to, tenant_id=tenant.id)
