"""Putting mail into the outbox, inside the caller's transaction."""

from __future__ import annotations

import asyncio
from typing import Any

from tenant_app.mail.render import RenderedMail, strip_header
from tenant_app.models.mail import OutboxMail

# Set by a running worker in this process, so new mail goes out at once, not at the next poll.
wakeup = asyncio.Event()


async def enqueue(
    mail: RenderedMail, *, to: str, tenant_id: int, connection: Any = None
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
