"""The outbox worker: claims due mail, sends it, retries with back-off. Never loses a mail.

Claims are one atomic UPDATE ... RETURNING (with FOR UPDATE SKIP LOCKED on PostgreSQL),
so several processes never send the same mail twice. A claim expires after CLAIM_SECONDS,
so a worker that died mid-send does not strand its mail.
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from tenant_app.logs import log
from tenant_app.mail.sender import build_message, deliver
from tenant_app.models.mail import OutboxMail
from tenant_app.queries.sql import dialect_name, unscoped
from tenant_app.settings import Settings

logger = logging.getLogger("tenant_app.mail")

BATCH = 20
CLAIM_SECONDS = 120
MAX_BACKOFF = 3600  # seconds between attempts, at most

_CLAIM_PG = (
    "UPDATE outbox_mail SET locked_until = :until, locked_by = :worker WHERE id IN ("
    " SELECT id FROM outbox_mail WHERE status = 'pending' AND next_attempt_at <= :now"
    " AND locked_until <= :now ORDER BY id LIMIT :batch FOR UPDATE SKIP LOCKED)"
    " RETURNING id, tenant_id, to_address, subject, text_body, html_body, attempts"
)
# SQLite runs one writer at a time, so the same statement without row locks is atomic there.
_CLAIM_SQLITE = _CLAIM_PG.replace(" FOR UPDATE SKIP LOCKED", "")
_SENDER_NAME_SQL = "SELECT name FROM tenant WHERE id = :tenant"


def backoff(attempts: int) -> int:
    """Seconds to wait after the n-th failed attempt: 30 s, 60 s, 120 s ... at most an hour."""
    return int(min(MAX_BACKOFF, 30 * 2 ** max(0, attempts - 1)))


class MailWorker:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.worker_id = uuid.uuid4().hex[:12]

    async def run_once(self, *, now: float | None = None) -> int:
        """Send what is due; returns how many mails went out."""
        moment = int(now if now is not None else time.time())
        claim = _CLAIM_PG if dialect_name() == "postgres" else _CLAIM_SQLITE
        rows = await unscoped.fetch_all(
            claim, until=moment + CLAIM_SECONDS, worker=self.worker_id, now=moment, batch=BATCH
        )
        sent = 0
        for row in rows:
            if await self._send(row, moment):
                sent += 1
        return sent

    async def _send(self, row: dict[str, Any], moment: int) -> bool:
        names = await unscoped.fetch_all(_SENDER_NAME_SQL, tenant=row["tenant_id"])
        sender_name = names[0]["name"] if names else ""
        message = build_message(
            self.settings,
            sender_name=sender_name,
            to=row["to_address"],
            subject=row["subject"],
            text=row["text_body"],
            html=row["html_body"],
        )
        try:
            await deliver(self.settings, message)
        except Exception as exc:  # noqa: BLE001 - any failure: keep the mail, try later
            attempts = int(row["attempts"]) + 1
            await OutboxMail.unscoped.filter(id=row["id"], locked_by=self.worker_id).update(
                attempts=attempts,
                next_attempt_at=moment + backoff(attempts),
                locked_until=0,
                last_error=f"{type(exc).__name__}: {exc}"[:500],
            )
            log(
                logger,
                logging.WARNING,
                "mail delivery failed, will retry",
                mail_id=row["id"],
                attempts=attempts,
                error=type(exc).__name__,
            )
            return False
        await OutboxMail.unscoped.filter(id=row["id"], locked_by=self.worker_id).update(
            status="sent",
            sent_at=datetime.now(UTC),
            attempts=int(row["attempts"]) + 1,
            locked_until=0,
        )
        log(logger, logging.INFO, "mail sent", mail_id=row["id"])
        return True
