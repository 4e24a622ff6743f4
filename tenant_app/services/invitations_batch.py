"""Inviting many contacts at once: the dialog's batch, worked in steps beside the event loop.

`start` records the batch (the contacts in their order, the dialog's choices). The background
loop's `worker.run_due` claims one queued batch of any tenant with a conditional UPDATE and
works it as a task: STEP contacts per step, each contact in its own transaction together
with the batch's progress (position and report), written only while this worker still holds
the batch, so a batch taken over after its worker stalled is neither skipped nor done twice.
The heartbeat (heartbeat_at) is renewed with every contact; a running batch whose heartbeat
is older than STALE_SECONDS is queued again and continues from its position. The heartbeat is
the database's clock, written and compared: a host whose clock runs ahead would otherwise
take every live batch for stalled.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, timedelta

import anyio
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser, actor_from
from tenant_app.errors import NotFound, PermissionDenied
from tenant_app.files.storage import Storage, storage_for
from tenant_app.models.accounts import User
from tenant_app.models.engagement import InvitationBatch
from tenant_app.permissions import can_manage_contacts, can_see_all_contacts
from tenant_app.queries.sql import database_time
from tenant_app.schemas.invitations import InviteOptions
from tenant_app.services import invitations, legal_profile
from tenant_app.settings import Settings
from tenant_app.tenancy import enter_tenant, leave_tenant, load_tenant_info
from tenant_app.text import i18n
from tenant_app.text.i18n import gettext as _

logger = logging.getLogger("tenant_app.invitations")

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
STEP = 25  # contacts per step; the event loop serves others between steps
STALE_SECONDS = 90
EVERY = 1  # seconds between the background loop's looks for queued batches
MAX_CONTACTS = 2000  # one dialog invites at most this many


class LostClaim(Exception):
    """Another worker holds the batch now: this one stops, its contact undone."""


async def start(
    actor: CurrentUser, *, contact_ids: list[int], options: InviteOptions
) -> InvitationBatch:
    if not can_manage_contacts(actor):
        raise PermissionDenied
    return await InvitationBatch.create(
        started_by_id=actor.id,
        options=options.stored(),
        contact_ids=list(dict.fromkeys(contact_ids))[:MAX_CONTACTS],
        status=QUEUED,
    )


async def batch_for(actor: CurrentUser, batch_id: int) -> InvitationBatch:
    """A batch of the actor's tenant (404 for another's); its report names contacts, so one
    who sees only their own contacts sees only the batches they started."""
    if not can_manage_contacts(actor):
        raise PermissionDenied
    batch = await InvitationBatch.get_or_none(id=batch_id)
    if batch is None or not (can_see_all_contacts(actor) or batch.started_by_id == actor.id):
        raise NotFound
    return batch


async def _starter(batch: InvitationBatch) -> tuple[CurrentUser | None, str]:
    user = await User.get_or_none(id=batch.started_by_id) if batch.started_by_id else None
    language = user.language if user and user.language else i18n.DEFAULT_LOCALE
    if user is None or not user.is_active or user.kind != "staff":
        return None, language
    actor = actor_from(user)
    return (actor if can_manage_contacts(actor) else None), language


async def run_batch(settings: Settings, store: Storage, batch: InvitationBatch) -> None:
    """Work a claimed (running) batch of the current tenant to its end."""
    actor, language = await _starter(batch)
    with i18n.using(language):
        if actor is None:
            await _end(batch, FAILED, _("The person who started it may no longer invite."))
            return
        check = legal_profile.go_live(await legal_profile.stored_profile())
        if not check.is_live:  # imprint and signature incomplete: no customer is invited
            await _end(batch, FAILED, legal_profile.not_live_message(check))
            return
        options = InviteOptions.from_stored(batch.options)
        pdf = await invitations.first_information_pdf()
        while batch.position < len(batch.contact_ids):
            for _step in range(STEP):
                if batch.position >= len(batch.contact_ids):
                    break
                await _one(actor, settings, store, batch, options, pdf)
            await asyncio.sleep(0)  # whatever else this process has to do runs now
        await _end(batch, DONE)


async def _one(
    actor: CurrentUser,
    settings: Settings,
    store: Storage,
    batch: InvitationBatch,
    options: InviteOptions,
    pdf: invitations.Pdf | None,
) -> None:
    position = batch.position
    contact_id = int(batch.contact_ids[position])
    async with in_transaction():
        outcome = await invitations.invite_contact(
            actor,
            settings,
            store,
            contact_id=contact_id,
            options=options,
            pdf=pdf,
            batch_id=batch.id,
        )
        report = [*await _stored_report(batch.id), {**outcome.line(), "reason": outcome.reason}]
        written = await InvitationBatch.filter(
            id=batch.id, status=RUNNING, position=position
        ).update(position=position + 1, report=report, heartbeat_at=await database_time())
        if not written:
            raise LostClaim
    batch.position, batch.report = position + 1, report


async def _stored_report(batch_id: int) -> list[dict[str, object]]:
    """The report as stored now, its row locked to the end of the transaction: an erasure
    may have taken a contact's line out meanwhile, which must not come back."""
    row = await InvitationBatch.filter(id=batch_id).select_for_update().only("id", "report").first()
    return list(row.report) if row is not None else []


async def _end(batch: InvitationBatch, status: str, reason: str = "") -> None:
    report = [{"contact_id": 0, "name": "", "outcome": FAILED, "reason": reason}] if reason else []
    async with in_transaction():
        stored = await _stored_report(batch.id)
        await InvitationBatch.filter(id=batch.id, status=RUNNING).update(
            status=status, finished_at=datetime.now(UTC), report=[*report, *stored]
        )


async def claim_next() -> tuple[int, int] | None:
    """(tenant id, batch id) of the oldest queued batch, now running for this caller."""
    queued = InvitationBatch.unscoped.filter(status=QUEUED, tenant__is_active=True)
    for row in await queued.order_by("id").limit(10).values("id", "tenant_id"):
        claimed = await InvitationBatch.unscoped.filter(id=row["id"], status=QUEUED).update(
            status=RUNNING, heartbeat_at=await database_time()
        )
        if claimed:
            return int(row["tenant_id"]), int(row["id"])
    return None


async def requeue_stale() -> int:
    """Queue again the running batches whose worker stopped beating."""
    since = await database_time() - timedelta(seconds=STALE_SECONDS)
    stale = Q(heartbeat_at__lt=since) | Q(heartbeat_at=None)
    stalled = InvitationBatch.unscoped.filter(stale, status=RUNNING)
    return int(await stalled.update(status=QUEUED))


async def run_claimed(settings: Settings, tenant_id: int, batch_id: int) -> None:
    tokens = enter_tenant(await load_tenant_info(tenant_id))
    try:
        batch = await InvitationBatch.get(id=batch_id)
        await run_batch(settings, storage_for(settings), batch)
    except LostClaim:
        logger.info("invitations taken over", extra={"fields": {"batch": batch_id}})
    finally:
        leave_tenant(tokens)


class BatchWorker:
    """One batch at a time in this process, as a task beside the background loop."""

    def __init__(self) -> None:
        self.task: asyncio.Task[None] | None = None

    async def run_due(self, settings: Settings) -> int:
        if self.task is not None and not self.task.done():
            return 0
        await requeue_stale()
        claimed = await claim_next()
        if claimed is None:
            return 0
        self.task = asyncio.create_task(self._run(settings, *claimed))
        return 1

    async def _run(self, settings: Settings, tenant_id: int, batch_id: int) -> None:
        try:
            await run_claimed(settings, tenant_id, batch_id)
        except asyncio.CancelledError:  # the process stops: the next one continues the batch
            with anyio.CancelScope(shield=True):
                await InvitationBatch.unscoped.filter(id=batch_id, status=RUNNING).update(
                    status=QUEUED
                )
            raise
        except Exception:  # noqa: BLE001 - logged; a stalled batch is taken over later
            logger.exception("invitations failed", extra={"fields": {"batch": batch_id}})

    async def stop(self) -> None:
        if self.task is not None and not self.task.done():
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task


worker = BatchWorker()  # this process's; the app registers `run_due` with the loop


async def run_all(settings: Settings) -> None:
    """Work every queued batch to its end here (tests, the CLI)."""
    local = BatchWorker()
    while await local.run_due(settings):
        assert local.task is not None
        await local.task
