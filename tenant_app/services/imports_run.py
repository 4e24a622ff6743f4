"""Running an import: rows in chunks, progress on the job row, one job at a time per process.

A chunk is one transaction of up to CHUNK_ROWS rows (or CHUNK_SECONDS, whichever ends it
first: on SQLite a transaction holds up every other query of the process), each row in a
savepoint of its own, so a failing row neither stops nor undoes the others. The chunk's
progress (done_rows, counts, report) is written in the same transaction, on the condition
that the job is still running where this worker left it: a worker that lost its job (taken
over after it stalled) rolls its chunk back. Between chunks the event loop serves others.

The background loop calls `run_due` every few seconds: it claims one queued job of any tenant
with a conditional UPDATE (only one process wins it) and runs it as a task beside the loop,
inside the job's tenant scope and in its starter's language. A job left running by a process
that died is seen not to advance for STALE_SECONDS, queued again and continued from
done_rows (rows are idempotent by their key, and done_rows is committed with its rows).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import anyio
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from tenant_app.db import is_unavailable
from tenant_app.errors import NotFound, PermissionDenied, ValidationFailed
from tenant_app.files.storage import Storage, storage_for
from tenant_app.models.folders import AuditEntry
from tenant_app.models.integration import ImportJob
from tenant_app.services import imports_csv, imports_fields, imports_starter
from tenant_app.services.imports_rows import CREATED, UPDATED, RowImporter
from tenant_app.settings import Settings
from tenant_app.tenancy import enter_tenant, leave_tenant, load_tenant_info
from tenant_app.text import i18n
from tenant_app.text.i18n import gettext as _
from tenant_app.text.labels import N_

logger = logging.getLogger("tenant_app.imports")

UPLOADED, QUEUED, RUNNING, DONE, FAILED = "uploaded", "queued", "running", "done", "failed"
JOB_STATUSES = {  # shown names (msgids) and chip colours of a job's status
    UPLOADED: (N_("Columns to map"), "start"),
    QUEUED: (N_("Waiting"), "offer"),
    RUNNING: (N_("Running"), "offer"),
    DONE: (N_("Done"), "active"),
    FAILED: (N_("Stopped"), "cancelled"),
}
CHUNK_ROWS = 200
CHUNK_SECONDS = 0.25  # a chunk ends after this, even short of CHUNK_ROWS (SQLite waits)
MAX_REPORTED = 1000  # failed rows listed in the report; failed_count counts them all
STALE_SECONDS = 90  # a running job whose progress stands still this long is taken over
MAX_ATTEMPTS = 3  # runs of a job that failed (not a row: the run) before it is stopped
EVERY = 2  # seconds between the background loop's looks for queued jobs


class LostClaim(Exception):
    """The job is no longer running where this worker left it: it stops, its chunk undone."""


class Stopped(Exception):
    """The job may not go on (its starter lost the right to import): `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Rows(Protocol):
    async def row(self, values: dict[str, str]) -> str: ...


@dataclass(frozen=True)
class Line:
    """A data row as the import sees it: its number, mapped values, key and, for a row that
    cannot be read at all, why."""

    number: int
    values: dict[str, str]
    key: str
    problem: str = ""


def lines_of(kind: str, mapping: dict[str, str], sheet: imports_csv.Sheet) -> list[Line]:
    """The sheet's rows as the mapping reads them."""
    return lines_from(kind, mapping, sheet.headers, sheet.rows)


def lines_from(
    kind: str,
    mapping: dict[str, str],
    headers: tuple[str, ...],
    rows: Iterable[tuple[int, tuple[str, ...]]],
) -> list[Line]:
    """The rows (read one at a time) as the mapping reads them: only the mapped cells kept."""
    mapping = imports_fields.clean_mapping(kind, mapping, headers)
    found = []
    for number, cells in rows:
        values = imports_fields.row_values(mapping, headers, cells)
        problem = ""
        if imports_fields.extra_cells(headers, cells):
            problem = _("The row has more cells than the header row: check separators and quotes.")
        elif any(len(cell) > imports_csv.MAX_CELL for cell in cells):
            problem = _(
                "A cell of this row is longer than %(n)s characters.", n=imports_csv.MAX_CELL
            )
        found.append(Line(number, values, imports_fields.row_key(kind, values), problem))
    return found


def _file_lines(data: bytes, job: ImportJob) -> list[Line]:
    headers, rows = imports_csv.data_rows(data, job.encoding, job.delimiter)
    return lines_from(job.kind, job.mapping, headers, rows)


async def load_lines(store: Storage, job: ImportJob) -> list[Line]:
    """The job's stored file as its lines (read off the event loop: it may be large)."""
    data = await store.read(job.storage_key)
    return await anyio.to_thread.run_sync(_file_lines, data, job)


async def load_sheet(store: Storage, job: ImportJob) -> imports_csv.Sheet:
    """The job's stored file as a whole table (decoded off the event loop)."""
    data = await store.read(job.storage_key)
    return await anyio.to_thread.run_sync(imports_csv.read_sheet, data, job.encoding, job.delimiter)


async def import_line(rows: Rows, line: Line) -> tuple[str, dict[str, str]]:
    """The row's outcome and, if it failed, a message per field."""
    if line.problem:
        return FAILED, {"form": line.problem}
    try:
        async with in_transaction():  # a savepoint in the chunk: a failing row leaves nothing
            return await rows.row(line.values), {}
    except ValidationFailed as failed:
        return FAILED, failed.errors
    except (NotFound, PermissionDenied):
        return FAILED, {"form": _("You may not change this record.")}
    except IntegrityError:
        return FAILED, {"external_id": _("This external ID is already taken.")}
    except Exception as error:  # noqa: BLE001 - one odd row must not stop the import
        if is_unavailable(error):
            raise  # the database is gone: the job stalls and is taken over later
        logger.exception("import row failed", extra={"fields": {"row": line.number}})
        return FAILED, {"form": _("This row could not be imported (unexpected error).")}


@dataclass
class Progress:
    done: int
    counts: Counter[str] = field(default_factory=Counter)
    report: list[dict[str, Any]] = field(default_factory=list)


async def run_rows(
    job: ImportJob,
    rows: Rows,
    lines: list[Line],
    *,
    chunk_rows: int = CHUNK_ROWS,
    chunk_seconds: float = CHUNK_SECONDS,
    check: Callable[[], Awaitable[str]] | None = None,
) -> None:
    """Import `lines` from job.done_rows on, chunk by chunk (LostClaim if taken over). Before
    each chunk but the first, `check` says why the job may not go on (Stopped), or ""."""
    first = True
    while job.done_rows < len(lines):
        if check is not None and not first and (reason := await check()):
            raise Stopped(reason)
        first = False
        await _chunk(job, rows, lines, chunk_rows, chunk_seconds)
        await asyncio.sleep(0)  # whatever else this process has to do runs now


async def _chunk(job: ImportJob, rows: Rows, lines: list[Line], limit: int, seconds: float) -> None:
    start = job.done_rows
    progress = Progress(done=start, report=list(job.report))
    began = time.monotonic()
    async with in_transaction():
        while progress.done < len(lines) and progress.done - start < limit:
            if progress.done > start and time.monotonic() - began > seconds:
                break
            line = lines[progress.done]
            outcome, errors = await import_line(rows, line)
            progress.counts[outcome] += 1
            if errors and len(progress.report) < MAX_REPORTED:
                progress.report.append({"row": line.number, "key": line.key, "errors": errors})
            progress.done += 1
        counts: dict[str, Any] = {
            "created_count": job.created_count + progress.counts[CREATED],
            "updated_count": job.updated_count + progress.counts[UPDATED],
            "failed_count": job.failed_count + progress.counts[FAILED],
        }
        if len(progress.report) > len(job.report):  # the report is rewritten only if it grew
            counts["report"] = progress.report
        written = await ImportJob.filter(id=job.id, status=RUNNING, done_rows=start).update(
            done_rows=progress.done, **counts
        )
        if not written:
            raise LostClaim
    job.done_rows = progress.done
    for name, value in counts.items():
        setattr(job, name, value)


async def fail_job(job: ImportJob, message: str) -> None:
    """End a job that cannot run, with the reason at the top of its report."""
    entry = {"row": 0, "key": "", "errors": {"file": message}}
    await ImportJob.filter(id=job.id, status=RUNNING).update(
        status=FAILED, finished_at=datetime.now(UTC), report=[entry, *job.report]
    )


async def _finish(job: ImportJob) -> None:
    """Done, with one entry in the audit trail for the whole import."""
    unchanged = job.done_rows - job.created_count - job.updated_count - job.failed_count
    details = (
        f"rows={job.done_rows} created={job.created_count} updated={job.updated_count}"
        f" unchanged={unchanged} failed={job.failed_count}"
    )
    async with in_transaction():
        ended = await ImportJob.filter(id=job.id, status=RUNNING).update(
            status=DONE, finished_at=datetime.now(UTC)
        )
        if ended:
            await AuditEntry.create(
                action=f"import_{job.kind}",
                actor_id=job.created_by_id,
                subject_id=job.id,
                details=details,
            )


async def run_job(job: ImportJob, store: Storage, **chunking: Any) -> None:
    """Run a claimed (running) job of the current tenant to its end."""
    user, language = await imports_starter.starter(job)
    with i18n.using(language):
        actor, reason = await imports_starter.actor_of(user, job.kind)
        if actor is None or user is None:
            await fail_job(job, reason)
            return
        try:
            lines = await load_lines(store, job)
        except (imports_csv.CsvProblem, OSError, ValueError) as problem:
            reason = str(problem) if isinstance(problem, imports_csv.CsvProblem) else ""
            await fail_job(job, reason or _("The uploaded file is no longer there."))
            return
        if job.total_rows != len(lines):
            job.total_rows = len(lines)
            await ImportJob.filter(id=job.id).update(total_rows=len(lines))
        check = functools.partial(imports_starter.still_allowed, job, user)
        try:
            await run_rows(job, RowImporter(actor, job.kind), lines, check=check, **chunking)
        except Stopped as stopped:
            await fail_job(job, stopped.reason)
            return
        await _finish(job)


async def run_claimed(settings: Settings, tenant_id: int, job_id: int, **chunking: Any) -> None:
    """Run a job claimed across tenants, inside its tenant's scope. A run that fails (not a
    row: the job itself) is logged once and counted; the job is tried again when it is
    taken over, and stopped after MAX_ATTEMPTS failed runs."""
    tokens = enter_tenant(await load_tenant_info(tenant_id))
    try:
        job = await ImportJob.get(id=job_id)
        await run_job(job, storage_for(settings), **chunking)
    except LostClaim:
        logger.info("import taken over by another worker", extra={"fields": {"job": job_id}})
    except Exception as error:
        if is_unavailable(error):
            raise  # the database is gone: no attempt of the job's own; taken over later
        logger.exception("import failed", extra={"fields": {"job": job_id}})
        await _count_failure(job_id)
    finally:
        leave_tenant(tokens)


async def _count_failure(job_id: int) -> None:
    """Note the failed run in the job's report (an entry of row 0 with its attempts); the
    last one stops the job with its reason at the top of the report."""
    job = await ImportJob.get_or_none(id=job_id)
    if job is None or job.status != RUNNING:
        return
    noted = [entry["attempts"] for entry in job.report if "attempts" in entry]
    attempts = 1 + (noted[0] if noted and isinstance(noted[0], int) else 0)
    others = [entry for entry in job.report if "attempts" not in entry]
    job.report = [{"row": 0, "key": "", "attempts": attempts}, *others]
    if attempts < MAX_ATTEMPTS:
        still = ImportJob.filter(id=job.id, status=RUNNING, done_rows=job.done_rows)
        await still.update(report=job.report)
        return
    _user, language = await imports_starter.starter(job)
    with i18n.using(language):
        message = _(
            "The import failed %(n)s times because of an unexpected error and was stopped."
            " Please start it again later; if it fails again, tell the support.",
            n=attempts,
        )
        await fail_job(job, message)


async def claim_next() -> tuple[int, int] | None:
    """(tenant id, job id) of the oldest queued job, now running for this caller; None if
    there is none (or another process won each of them)."""
    queued = ImportJob.unscoped.filter(status=QUEUED, tenant__is_active=True)
    for row in await queued.order_by("id").limit(10).values("id", "tenant_id"):
        if await ImportJob.unscoped.filter(id=row["id"], status=QUEUED).update(status=RUNNING):
            return int(row["tenant_id"]), int(row["id"])
    return None


class ImportWorker:
    """One import at a time in this process, as a task beside the background loop (a long
    import must not hold up the mail); takes over jobs whose process stopped."""

    def __init__(
        self, *, stale_seconds: float = STALE_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.stale_seconds = stale_seconds
        self.clock = clock
        self.task: asyncio.Task[None] | None = None
        self.job_id: int | None = None
        self.seen: dict[int, tuple[int, float]] = {}  # job -> (done_rows, since when)

    async def run_due(self, settings: Settings) -> int:
        """The background job: start the next queued import here; how many were started."""
        if self.task is not None and not self.task.done():
            return 0
        self.job_id = None
        await self.requeue_stale()
        claimed = await claim_next()
        if claimed is None:
            return 0
        tenant_id, self.job_id = claimed
        self.task = asyncio.create_task(self._run(settings, tenant_id, self.job_id))
        return 1

    async def _run(self, settings: Settings, tenant_id: int, job_id: int) -> None:
        try:
            await run_claimed(settings, tenant_id, job_id)
        except asyncio.CancelledError:  # the process stops: the next one continues the job
            with anyio.CancelScope(shield=True):
                await ImportJob.unscoped.filter(id=job_id, status=RUNNING).update(status=QUEUED)
            raise
        except Exception:  # noqa: BLE001 - logged; a stalled job is taken over later
            logger.exception("import failed", extra={"fields": {"job": job_id}})

    async def requeue_stale(self) -> int:
        """Queue again the running jobs of other workers that did not advance for a while."""
        running = ImportJob.unscoped.filter(status=RUNNING)
        rows = await running.values("id", "done_rows")
        now, requeued = self.clock(), 0
        self.seen = {
            key: value for key, value in self.seen.items() if key in {r["id"] for r in rows}
        }
        for row in rows:
            job_id, done = int(row["id"]), int(row["done_rows"])
            if job_id == self.job_id:
                continue
            seen_done, since = self.seen.get(job_id, (-1, now))
            if seen_done != done:
                self.seen[job_id] = (done, now)
            elif now - since >= self.stale_seconds:
                stalled = ImportJob.unscoped.filter(id=job_id, status=RUNNING, done_rows=done)
                requeued += await stalled.update(status=QUEUED)
                self.seen.pop(job_id, None)
        return requeued

    async def stop(self) -> None:
        if self.task is not None and not self.task.done():
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task


worker = ImportWorker()  # this process's; the app registers `run_due` with the loop
