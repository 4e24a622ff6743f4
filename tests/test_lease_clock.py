"""Every lease runs out by the database's clock, never by the host's: a host whose clock runs
ahead takes over nothing still held, one whose clock lags takes over what ran out. The mail
outbox, a batch of invitations (its heartbeat) and an API request's idempotency key.
(Sessions and rate windows: tests/test_rate_clock.py; the outbox with a slow SMTP server:
tests/test_outbox_claims.py; a whole worker process ahead: tests/cluster/.)"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest

from tenant_app.jobs.outbox import MailWorker
from tenant_app.models.engagement import InvitationBatch
from tenant_app.models.integration import ApiToken, IdempotentRequest
from tenant_app.models.scoping import tenant_scope
from tenant_app.queries.sql import database_time
from tenant_app.services import idempotency, invitations_batch
from tests.api_helpers import make_token
from tests.test_outbox_claims import queue_mails
from tests.test_rate_clock import host_clock

AHEAD = 3600.0  # seconds: far beyond every lease here


@pytest.fixture
def clock_readers(monkeypatch: pytest.MonkeyPatch) -> None:
    """The lease modules read the wall clock through `host_clock` too."""
    from tests import test_rate_clock

    readers = (*test_rate_clock.CLOCK_READERS, invitations_batch, idempotency)
    monkeypatch.setattr(test_rate_clock, "CLOCK_READERS", readers)


async def test_a_mail_claim_runs_out_by_the_database_clock(tenant, settings) -> None:
    await queue_mails(tenant, 2)
    holder = MailWorker(settings, send_timeout=1, claim_seconds=2)
    ahead = MailWorker(settings, clock=lambda: time.time() + AHEAD)
    assert len(await holder.claim()) == 2
    with host_clock(AHEAD):
        assert await ahead.claim() == []  # held, whatever this host's clock says
    started = time.monotonic()
    with host_clock(-AHEAD):  # a host far behind takes it once the database says it ran out
        while not (taken := await MailWorker(settings).claim()):
            assert time.monotonic() - started < 10, "the claim never ran out"
            await asyncio.sleep(0.1)
    assert len(taken) == 2 and time.monotonic() - started >= 1


async def test_a_batch_heartbeat_is_the_database_clock(tenant, clock_readers) -> None:
    with tenant_scope(tenant.tenant.id):
        batch = await InvitationBatch.create(started_by_id=tenant.admin.id, contact_ids=[])
    assert await invitations_batch.claim_next() == (tenant.tenant.id, batch.id)
    with host_clock(AHEAD):
        assert await invitations_batch.requeue_stale() == 0  # its worker is alive
    stale = await database_time() - timedelta(seconds=invitations_batch.STALE_SECONDS + 1)
    await InvitationBatch.unscoped.filter(id=batch.id).update(heartbeat_at=stale)
    with host_clock(-AHEAD):
        assert await invitations_batch.requeue_stale() == 1  # stalled, by the database
    with tenant_scope(tenant.tenant.id):
        assert (await InvitationBatch.get(id=batch.id)).status == invitations_batch.QUEUED


async def test_an_idempotency_key_is_held_by_the_database_clock(tenant, clock_readers) -> None:
    await make_token(tenant)
    with tenant_scope(tenant.tenant.id):
        token_id = (await ApiToken.get()).id
        digest = idempotency.request_hash("POST", "/api/v1/contacts", b"{}")
        assert await idempotency.begin(token_id, "k-1", digest) is None  # the first runs
        with host_clock(AHEAD), pytest.raises(idempotency.StillRunning):
            await idempotency.begin(token_id, "k-1", digest)  # not abandoned: it still runs
        abandoned = await database_time() - idempotency.ABANDONED - timedelta(seconds=1)
        await IdempotentRequest.filter(key="k-1").update(created_at=abandoned)
        with host_clock(-AHEAD):
            assert await idempotency.begin(token_id, "k-1", digest) is None  # taken over
