"""The outbox worker: claims due mail, sends it, retries with back-off. Never loses a mail.

Several processes (on several hosts) send from one outbox, so every decision about a claim
is taken by the database's clock, never a host's: a host whose clock runs ahead would
otherwise see live claims as expired. A claim (one atomic UPDATE ... RETURNING, with
FOR UPDATE SKIP LOCKED on PostgreSQL) lasts as long as its batch can take in the worst
case, and right before each send the worker renews its claim on that one mail, atomically
and only if it still holds it: a mail whose claim ran out was taken over (or will be) by
another worker, and is skipped. Each send has a hard deadline shorter than the claim, so
no other worker can take a mail while it is on the wire. A worker that died mid-send
strands its mails only until their claim runs out.

A permanent refusal (5xx for the recipient) or too many temporary failures end a mail as
"failed"; the `on_failed` hook (a use case registered by the app) tells staff. Once a mail
is done, its body keeps no usable link.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from tenant_app.logs import log
from tenant_app.mail.outbox import FailedMail, FailureHook, scrub
from tenant_app.mail.sender import (
    SMTP_TIMEOUT,
    build_message,
    deliver,
    describe,
    is_permanent,
)
from tenant_app.models.mail import OutboxMail
from tenant_app.queries.sql import db_now, dialect_name, unscoped
from tenant_app.settings import Settings

logger = logging.getLogger("tenant_app.mail")

BATCH = 5  # mails claimed at once
SEND_TIMEOUT = 3 * SMTP_TIMEOUT  # seconds: the whole SMTP conversation for one mail, at most
MAX_BACKOFF = 3600  # seconds between attempts, at most
MAX_ATTEMPTS = 55  # temporary failures over about two days, then the mail is given up

_CLAIM = (
    "UPDATE outbox_mail SET locked_until = {now} + :claim, locked_by = :worker WHERE id IN ("
    " SELECT id FROM outbox_mail WHERE status = 'pending' AND next_attempt_at <= {now}"
    " AND locked_until <= {now} ORDER BY id LIMIT :batch{lock}) RETURNING id, tenant_id,"
    " to_address, subject, text_body, html_body, attempts, kind, contact_id, user_id"
)
_RENEW = (
    "UPDATE outbox_mail SET locked_until = {now} + :claim WHERE id = :id"
    " AND locked_by = :worker AND status = 'pending' AND locked_until > {now} RETURNING id"
)
_RETRY = (
    "UPDATE outbox_mail SET attempts = :attempts, next_attempt_at = {now} + :wait,"
    " locked_until = 0, last_error = :error WHERE id = :id AND locked_by = :worker"
)
_SENDER_NAME_SQL = "SELECT name FROM tenant WHERE id = :tenant"


def _sql(template: str) -> str:
    dialect = dialect_name()
    # SQLite runs one writer at a time, so the claim is atomic there without row locks.
    lock = " FOR UPDATE SKIP LOCKED" if dialect == "postgres" else ""
    return template.format(now=db_now(), lock=lock)


def backoff(attempts: int) -> int:
    """Seconds to wait after the n-th failed attempt: 30 s, 60 s, 120 s ... at most an hour."""
    return int(min(MAX_BACKOFF, 30 * 2 ** max(0, attempts - 1)))


class MailWorker:
    def __init__(
        self,
        settings: Settings,
        *,
        on_failed: FailureHook | None = None,
        clock: Callable[[], float] = time.time,
        batch: int = BATCH,
        send_timeout: float = SEND_TIMEOUT,
        claim_seconds: int | None = None,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        """`clock` is this host's clock: it only stamps `sent_at`, it decides nothing."""
        self.settings = settings
        self.worker_id = uuid.uuid4().hex[:12]
        self.on_failed = on_failed
        self.clock = clock
        self.batch = batch
        self.send_timeout = send_timeout
        # A claim outlasts its whole batch; each renewal outlasts one send.
        self.claim_seconds = claim_seconds or math.ceil(send_timeout * (batch + 1))
        if self.claim_seconds <= send_timeout:
            raise ValueError("a claim must outlast the send it covers")
        self.max_attempts = max_attempts

    async def run_once(self) -> int:
        """Send what is due; returns how many mails went out."""
        return await self.send_claimed(await self.claim())

    async def claim(self) -> list[dict[str, Any]]:
        rows = await unscoped.fetch_all(
            _sql(_CLAIM), claim=self.claim_seconds, worker=self.worker_id, batch=self.batch
        )
        return sorted(rows, key=lambda row: int(row["id"]))

    async def send_claimed(self, rows: list[dict[str, Any]]) -> int:
        sent = 0
        for row in rows:
            if not await self._renew(int(row["id"])):
                log(logger, logging.INFO, "mail claim ran out, left to others", mail_id=row["id"])
                continue
            if await self._send(row):
                sent += 1
        return sent

    async def _renew(self, mail_id: int) -> bool:
        """Still ours? Then ours for one more send, decided in one statement."""
        renewed = await unscoped.fetch_all(
            _sql(_RENEW), claim=self.claim_seconds, id=mail_id, worker=self.worker_id
        )
        return bool(renewed)

    async def _send(self, row: dict[str, Any]) -> bool:
        names = await unscoped.fetch_all(_SENDER_NAME_SQL, tenant=row["tenant_id"])
        message = build_message(
            self.settings,
            sender_name=names[0]["name"] if names else "",
            to=row["to_address"],
            subject=row["subject"],
            text=row["text_body"],
            html=row["html_body"],
        )
        try:
            async with asyncio.timeout(self.send_timeout):
                await deliver(
                    self.settings, message, step_seconds=min(SMTP_TIMEOUT, self.send_timeout)
                )
        except Exception as exc:  # noqa: BLE001 - any failure: decide between retry and give up
            await self._failed(row, exc)
            return False
        done = await OutboxMail.unscoped.filter(id=row["id"], locked_by=self.worker_id).update(
            status="sent",
            sent_at=datetime.fromtimestamp(self.clock(), UTC),
            attempts=int(row["attempts"]) + 1,
            locked_until=0,
            text_body=scrub(row["text_body"]),
            html_body="",  # the text part is the record; it and the HTML held the same links
        )
        if not done:  # only if the database stalled longer than a claim: say so loudly
            log(logger, logging.ERROR, "mail sent after its claim ran out", mail_id=row["id"])
        log(logger, logging.INFO, "mail sent", mail_id=row["id"])
        return True

    async def _failed(self, row: dict[str, Any], exc: Exception) -> None:
        attempts = int(row["attempts"]) + 1
        error = describe(exc)
        permanent = is_permanent(exc)
        if permanent or attempts >= self.max_attempts:
            await self._give_up(row, attempts, error, permanent=permanent)
            return
        await unscoped.execute(
            _sql(_RETRY),
            attempts=attempts,
            wait=backoff(attempts),
            error=error,
            id=row["id"],
            worker=self.worker_id,
        )
        log(
            logger,
            logging.WARNING,
            "mail delivery failed, will retry",
            mail_id=row["id"],
            attempts=attempts,
            error=type(exc).__name__,
        )

    async def _give_up(
        self, row: dict[str, Any], attempts: int, error: str, *, permanent: bool
    ) -> None:
        ended = await OutboxMail.unscoped.filter(id=row["id"], locked_by=self.worker_id).update(
            status="failed",
            attempts=attempts,
            locked_until=0,
            last_error=error,
            text_body=scrub(row["text_body"]),
            html_body="",
        )
        log(
            logger,
            logging.ERROR,
            "mail given up",
            mail_id=row["id"],
            attempts=attempts,
            permanent=permanent,
        )
        if not ended or self.on_failed is None:
            return
        failed = FailedMail(
            id=int(row["id"]),
            tenant_id=int(row["tenant_id"]),
            to_address=str(row["to_address"]),
            kind=str(row["kind"] or ""),
            contact_id=row["contact_id"],
            user_id=row["user_id"],
            error=error,
            permanent=permanent,
        )
        try:
            await self.on_failed(self.settings, failed)
        except Exception:  # noqa: BLE001 - the mail stays failed; the log is what is left
            logger.exception(
                "telling staff of a failed mail failed", extra={"fields": {"mail_id": failed.id}}
            )
