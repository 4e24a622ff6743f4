"""The one background loop every app process (or `tenant-app worker`) runs.

Each round sends what the outbox holds; every few minutes it also cleans up. Jobs are
functions registered here, not imports of use cases: the loop stands below them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from tenant_app.db import is_unavailable
from tenant_app.jobs.housekeeping import purge_expired, purge_mail
from tenant_app.jobs.outbox import MailWorker
from tenant_app.mail import outbox
from tenant_app.mail.outbox import FailureHook
from tenant_app.settings import Settings

logger = logging.getLogger("tenant_app.jobs")

POLL_SECONDS = 2.0  # an idle loop looks for due mail this often (new mail wakes it at once)
CLEANUP_SECONDS = 600  # how often expired sessions, rate-limit rows and old mail are removed


@dataclass
class Job:
    name: str
    every: float  # seconds between runs; 0 = every round
    run: Callable[[], Awaitable[object]]
    last_run: float = 0.0


Periodic = Callable[[Settings], Awaitable[object]]  # a use case run with the clean-ups


class JobRunner:
    def __init__(
        self,
        settings: Settings,
        *,
        on_mail_failed: FailureHook | None = None,
        periodic: Sequence[tuple[str, Periodic, float]] = (),
    ) -> None:
        """`on_mail_failed` tells staff of a mail the outbox gave up on (a use case);
        `periodic` are named use cases, each run every so many seconds."""
        mail = MailWorker(settings, on_failed=on_mail_failed)
        self.jobs = [
            Job("outbox", 0, mail.run_once),
            Job("housekeeping", CLEANUP_SECONDS, lambda: purge_expired(settings)),
            Job("mail retention", CLEANUP_SECONDS, lambda: purge_mail(settings)),
            *(Job(name, every, _bound(task, settings)) for name, task, every in periodic),
        ]

    async def run_round(self) -> None:
        now = time.monotonic()
        for job in self.jobs:
            if job.every and job.last_run and now - job.last_run < job.every:
                continue
            try:
                await job.run()
            except Exception as error:  # noqa: BLE001 - a database hiccup must not stop the loop
                if is_unavailable(error):  # one line a round while the database does not answer
                    fields = {"job": job.name, "error": type(error).__name__}
                    logger.warning(
                        "background job waits for the database", extra={"fields": fields}
                    )
                else:
                    logger.exception("background job failed", extra={"fields": {"job": job.name}})
            job.last_run = now

    async def run_forever(self) -> None:
        while True:
            await self.run_round()
            outbox.wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(outbox.wakeup.wait(), timeout=POLL_SECONDS)


def _bound(task: Periodic, settings: Settings) -> Callable[[], Awaitable[object]]:
    return lambda: task(settings)
