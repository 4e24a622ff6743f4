"""`notify()`: render a mail for one recipient, in their language and the tenant's branding,
and queue it in the caller's transaction. The one way use cases send mail."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tenant_app.mail.outbox import enqueue
from tenant_app.mail.render import render_email
from tenant_app.models.accounts import User
from tenant_app.settings import Settings
from tenant_app.tenancy import current_tenant, public_base_url


async def _is_staff(user_id: int | None) -> bool:
    if user_id is None:
        return False
    return await User.filter(id=user_id, kind="staff").exists()


async def notify(
    settings: Settings,
    *,
    to: str,
    language: str | None,
    template: str,
    context: Mapping[str, Any],
    links: Mapping[str, str] | None = None,
    contact_id: int | None = None,
    user_id: int | None = None,
) -> None:
    """`links` are paths on the tenant's own host; the mail gets them as full addresses.

    `user_id` is the recipient's account: staff get the internal form (formal, no customer
    signature), everyone else the tenant's. `contact_id` is the customer the mail concerns,
    also when it goes to staff (export, erasure, telling staff of a bounce).
    """
    tenant = current_tenant()
    base_url = public_base_url(settings, tenant)
    full = {**context, **{name: f"{base_url}{path}" for name, path in (links or {}).items()}}
    mail = render_email(
        template,
        full,
        tenant=tenant,
        base_url=base_url,
        locale=language or "de",
        for_staff=await _is_staff(user_id),
    )
    await enqueue(
        mail, to=to, tenant_id=tenant.id, kind=template, contact_id=contact_id, user_id=user_id
    )
