"""Several senders, one outbox: each mail goes out once, whatever the SMTP speed or host clock.

Claims are taken and checked by the database's clock; a worker renews its claim on a mail
right before sending it and skips a mail whose claim ran out.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

from tenant_app.jobs.outbox import MailWorker
from tenant_app.mail.render import render_email
from tenant_app.models.mail import OutboxMail
from tenant_app.models.scoping import tenant_scope
from tenant_app.tenancy import load_tenant_info
from tests.mail_helpers import MisbehavingMailbox, MisbehavingServer

AHEAD = 150.0  # seconds a second host's clock runs ahead


def addresses(count: int) -> list[str]:
    return [f"person{number}@alpha.example" for number in range(count)]


async def queue_mails(tenant: Any, count: int) -> None:
    info = await load_tenant_info(tenant.tenant.id)
    mail = render_email(
        "username",
        {"user": tenant.admin, "login_url": "http://alpha.localhost/login"},
        tenant=info,
        base_url="http://alpha.localhost",
        locale="de",
    )
    with tenant_scope(tenant.tenant.id):
        for address in addresses(count):
            await OutboxMail.create(
                to_address=address,
                subject=mail.subject,
                text_body=mail.text,
                html_body=mail.html,
                kind="username",
            )


async def statuses(tenant: Any) -> list[str]:
    with tenant_scope(tenant.tenant.id):
        return list(await OutboxMail.all().order_by("id").values_list("status", flat=True))


def skewed_clock() -> float:
    return time.time() + AHEAD


async def test_a_worker_skips_mail_whose_claim_ran_out(tenant, settings, smtp) -> None:
    await queue_mails(tenant, 4)
    first, second = MailWorker(settings), MailWorker(settings)
    claimed = await first.claim()  # then the first worker is slow to get to its batch ...
    assert len(claimed) == 4
    with tenant_scope(tenant.tenant.id):  # ... until its claims ran out
        await OutboxMail.all().update(locked_until=0)
    assert await second.run_once() == 4
    assert await first.send_claimed(claimed) == 0  # it checks its claim before each send
    assert Counter(m["To"] for m in smtp.messages) == Counter(addresses(4))


async def test_a_host_clock_ahead_does_not_take_live_claims(tenant, settings, smtp) -> None:
    await queue_mails(tenant, 4)
    first = MailWorker(settings)
    ahead = MailWorker(settings, clock=skewed_clock)
    claimed = await first.claim()
    assert await ahead.run_once() == 0  # the database's clock says the claims are alive
    assert await first.send_claimed(claimed) == 4
    assert Counter(m["To"] for m in smtp.messages) == Counter(addresses(4))
    assert await statuses(tenant) == ["sent"] * 4


async def test_two_workers_on_a_slow_server_deliver_each_mail_once(tenant, settings) -> None:
    """The batch takes longer than its claim; the second sender's clock runs ahead."""
    mailbox = MisbehavingMailbox(seconds=0.3)
    with MisbehavingServer(mailbox) as server:
        slow = settings.with_overrides(smtp_port=server.port)
        await queue_mails(tenant, 8)
        tuning = {"batch": 8, "send_timeout": 1.5, "claim_seconds": 2}
        first = MailWorker(slow, **tuning)
        second = MailWorker(slow, clock=skewed_clock, **tuning)

        async def keep_sending() -> None:
            for _ in range(60):
                await asyncio.sleep(0.2)
                await second.run_once()
                if "pending" not in await statuses(tenant):
                    return

        await asyncio.gather(first.run_once(), keep_sending())
    assert await statuses(tenant) == ["sent"] * 8
    assert Counter(m["To"] for m in mailbox.messages) == Counter(addresses(8))


def test_a_claim_outlasts_the_send_it_covers(settings) -> None:
    worker = MailWorker(settings)
    assert worker.claim_seconds > worker.send_timeout * worker.batch
    try:
        MailWorker(settings, send_timeout=5, claim_seconds=5)
    except ValueError:
        return
    raise AssertionError("a claim no longer than one send was accepted")
