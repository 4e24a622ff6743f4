"""Periodic clean-up across all tenants: expired sessions, old rate-limit windows, old mail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tortoise.expressions import Q

from tenant_app.mail.outbox import scrub
from tenant_app.models.accounts import Session
from tenant_app.models.integration import JumpLink
from tenant_app.models.mail import OutboxMail
from tenant_app.queries.sql import database_time, db_now, unscoped
from tenant_app.settings import Settings

RATE_WINDOW_MAX = 24 * 3600  # seconds: no limit counts over a longer window
JUMP_LINKS_KEPT = timedelta(days=1)


async def purge_expired(settings: Settings) -> None:
    # The database's clock, as sessions and rate windows are timed by it (not this host's).
    now = await database_time()
    idle_before = now - timedelta(minutes=settings.session_idle_minutes)
    started_before = now - timedelta(hours=settings.session_max_hours)
    await Session.unscoped.filter(last_seen_at__lt=idle_before).delete()
    await Session.unscoped.filter(created_at__lt=started_before).delete()
    # Jump-in links live two minutes; kept a day for questions ("was it used?"), then gone.
    await JumpLink.unscoped.filter(expires_at__lt=now - JUMP_LINKS_KEPT).delete()
    await unscoped.execute(
        f"DELETE FROM rate_counter WHERE window_start < {db_now()} - :longest",  # noqa: S608
        longest=RATE_WINDOW_MAX,
    )


SCRUB_CHUNK = 200  # mails rewritten per statement batch


async def purge_mail(settings: Settings) -> None:
    """Done mails lose their links (a safety net: the worker scrubs as it finishes them) and
    leave the outbox after MAIL_RETENTION_DAYS."""
    before = datetime.now(UTC) - timedelta(days=settings.mail_retention_days)
    await OutboxMail.unscoped.filter(
        Q(status="sent", sent_at__lt=before) | Q(status="failed", created_at__lt=before)
    ).delete()
    while (
        rows := await OutboxMail.unscoped.filter(status__in=("sent", "failed"))
        .exclude(html_body="")
        .limit(SCRUB_CHUNK)
        .values("id", "text_body")
    ):
        for row in rows:
            await OutboxMail.unscoped.filter(id=row["id"]).update(
                text_body=scrub(row["text_body"]), html_body=""
            )
