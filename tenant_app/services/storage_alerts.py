"""A full file storage: logged at once, and the tenant's administrators told by mail (at most
once an hour, however many uploads fail meanwhile)."""

from __future__ import annotations

import logging

from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.logs import log
from tenant_app.mail.notify import notify
from tenant_app.models.accounts import User
from tenant_app.models.scoping import current_tenant_id
from tenant_app.security import ratelimit
from tenant_app.settings import Settings

logger = logging.getLogger("tenant_app.files")
ALERT_EVERY = ratelimit.Limit("storage-full-alert", 1, 60 * 60)  # one mail per tenant and hour


async def report_storage_full(actor: CurrentUser | None, *, settings: Settings) -> bool:
    """Log the refused upload and mail the active administrators unless they were told within
    the hour; True if mails were queued."""
    tenant_id = current_tenant_id()
    log(
        logger,
        logging.ERROR,
        "file storage full: upload refused",
        tenant_id=tenant_id,
        user_id=actor.id if actor else None,
    )
    if not await ratelimit.hit(ALERT_EVERY, str(tenant_id)):
        return False
    admins = await User.filter(kind="staff", role="admin", is_active=True)
    async with in_transaction():
        for admin in admins:
            await notify(
                settings,
                to=admin.email,
                language=admin.language,
                template="storage_full",
                context={"recipient": admin},
                user_id=admin.id,
            )
    return bool(admins)
