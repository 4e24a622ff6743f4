"""Putting mail into the outbox, inside the caller's transaction; what the outbox keeps after."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tenant_app.mail.render import RenderedMail, strip_header
from tenant_app.models.mail import OutboxMail

if TYPE_CHECKING:
    from tortoise.backends.base.client import BaseDBAsyncClient

    from tenant_app.settings import Settings

# Set by a running worker in this process, so new mail goes out at once, not at the next poll.
wakeup = asyncio.Event()

# Every address in a body: registration and reset links carry their secret in the path, and
# the mail text is the only place the secret exists in plain text (AccountLink keeps a hash).
_URL = re.compile(r"https?://[^\s\"'<>]+")
LINK_REMOVED = "[link removed]"


@dataclass(frozen=True)
class FailedMail:
    """A mail the outbox gave up on, handed to whoever tells staff (a use case, not the job)."""

    id: int
    tenant_id: int
    to_address: str
    kind: str  # the mail template
    contact_id: int | None
    user_id: int | None
    error: str
    permanent: bool  # the server refused it (5xx), not just "not reachable for too long"


FailureHook = Callable[["Settings", FailedMail], Awaitable[None]]


def scrub(body: str) -> str:
    """The body without any usable link: what the outbox keeps once a mail is done."""
    return _URL.sub(LINK_REMOVED, body)


async def enqueue(
    mail: RenderedMail,
    *,
    to: str,
    tenant_id: int,
    kind: str = "",
    contact_id: int | None = None,
    user_id: int | None = None,
    connection: BaseDBAsyncClient | None = None,
) -> OutboxMail:
    row = await OutboxMail.create(
        tenant_id=tenant_id,
        to_address=strip_header(to),
        subject=mail.subject,
        text_body=mail.text,
        html_body=mail.html,
        kind=kind,
        contact_id=contact_id,
        user_id=user_id,
        using_db=connection,
    )
    wakeup.set()
    return row
