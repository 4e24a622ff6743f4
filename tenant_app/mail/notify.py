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


async def _recipient(user_id: int | None) -> tuple[bool, str | None]:
    """Whether the account is staff's, and the form of address it was given (None: the
    tenant's), in one query."""
    if user_id is None:
        return False, None
    rows = await User.filter(id=user_id).values_list("kind", "address_form")
    if not rows:
        return False, None
    kind, form = rows[0]
    return kind == "staff", form or None


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
    address_form: str | None = None,
) -> int:
    """`links` are paths on the tenant's own host; the mail gets them as full addresses.

    `user_id` is the recipient's account: staff get the internal form (formal, no customer
    signature), everyone else the tenant's. `contact_id` is the customer the mail concerns,
    also when it goes to staff (export, erasure, telling staff of a bounce).
    `address_form` (sie | du) overrides the tenant's for this mail; without it, the one
    stored on the recipient's account (an invitation's choice) is used. Returns the
    outbox mail's id.
    """
    tenant = current_tenant()
    base_url = public_base_url(settings, tenant)
    full = {**context, **{name: f"{base_url}{path}" for name, path in (links or {}).items()}}
    for_staff, own_form = await _recipient(user_id)
    mail = render_email(
        template,
        full,
        tenant=tenant,
        base_url=base_url,
        locale=language or "de",
        for_staff=for_staff,
        address_form=address_form or own_form,
    )
    row = await enqueue(
        mail, to=to, tenant_id=tenant.id, kind=template, contact_id=contact_id, user_id=user_id
    )
    return int(row.id)
