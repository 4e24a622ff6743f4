"""Putting mail into the outbox, inside the caller's transaction."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from tenant_app.mail.render import RenderedMail, strip_header
from tenant_app.models.mail import OutboxMail

if TYPE_CHECKING:
    from tortoise.backends.base.client import BaseDBAsyncClient

# Set by a running worker in this process, so new mail goes out at once, not at the next poll.
wakeup = asyncio.Event()


async def enqueue(
    mail: RenderedMail, *, to: str, tenant_id: int, connection: BaseDBAsyncClient | None = None
) -> OutboxMail:
    row = await OutboxMail.create(
        tenant_id=tenant_id,
        to_address=strip_header(to),
        subject=mail.subject,
        text_body=mail.text,
        html_body=mail.html,
        using_db=connection,
    )
    wakeup.set()
    return row
