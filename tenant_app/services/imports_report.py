"""What an import tells afterwards: its progress and counts, the failed rows with their
messages, and the report to download (the failed rows as the file had them, with a column
of errors, so they can be corrected and imported again)."""

from __future__ import annotations

from dataclasses import dataclass

import anyio

from tenant_app.actors import CurrentUser
from tenant_app.files.storage import Storage
from tenant_app.models.integration import ImportJob
from tenant_app.services import imports_csv, imports_run
from tenant_app.services.imports import import_for
from tenant_app.services.imports_fields import messages_of
from tenant_app.text.i18n import gettext as _

SHOWN_FAILURES = 100  # failed rows listed on the result page; the report has them all


@dataclass(frozen=True)
class Failure:
    """A failed row: its number in the file, its key, and its messages (field: message)."""

    row: int
    key: str
    messages: tuple[str, ...]
    errors: dict[str, str]  # field -> message, as the rules gave them


@dataclass(frozen=True)
class JobSummary:
    job: ImportJob
    percent: int
    unchanged: int
    is_finished: bool
    problem: str  # why the whole job failed, or ""
    failures: tuple[Failure, ...]
    more_failures: int  # failed rows not listed (on the page, or not even in the report)


def _row(entry: dict[str, object]) -> int:
    """The entry's row number; 0 for the job's own failure (the file, the starter's rights)."""
    row = entry.get("row", 0)
    return row if isinstance(row, int) else 0


def summary(job: ImportJob) -> JobSummary:
    entries = [entry for entry in job.report if _row(entry) > 0]
    problems = (" ".join(_texts(entry)) for entry in job.report if _row(entry) == 0)
    problem = next((text for text in problems if text), "")  # not a count of attempts
    failures = tuple(_failure(job.kind, entry) for entry in entries[:SHOWN_FAILURES])
    done = job.done_rows
    return JobSummary(
        job=job,
        percent=min(100, done * 100 // job.total_rows) if job.total_rows else 0,
        unchanged=max(0, done - job.created_count - job.updated_count - job.failed_count),
        is_finished=job.status in (imports_run.DONE, imports_run.FAILED),
        problem=problem,
        failures=failures,
        more_failures=max(0, job.failed_count - len(failures)),
    )


def _texts(entry: dict[str, object]) -> list[str]:
    errors = entry.get("errors")
    return [str(message) for message in errors.values()] if isinstance(errors, dict) else []


def _failure(kind: str, entry: dict[str, object]) -> Failure:
    errors = entry.get("errors")
    found = {str(k): str(v) for k, v in errors.items()} if isinstance(errors, dict) else {}
    return Failure(_row(entry), str(entry.get("key", "")), messages_of(kind, found), found)


def failures(job: ImportJob) -> list[Failure]:
    """Every failed row the job's report lists, in file order."""
    return [_failure(job.kind, entry) for entry in job.report if _row(entry) > 0]


async def report_csv(actor: CurrentUser, job_id: int, store: Storage) -> tuple[ImportJob, bytes]:
    """The job and its report: a row per failed row, its number and errors first, then its
    cells as the file had them (UTF-8 with BOM, semicolons: Excel opens it as it is)."""
    job = await import_for(actor, job_id)
    wanted = {_row(entry) for entry in job.report if _row(entry) > 0}
    try:
        data = await store.read(job.storage_key)
        headers, cells = await anyio.to_thread.run_sync(_cells_of, data, job, wanted)
    except (imports_csv.CsvProblem, OSError, ValueError):  # the file is gone
        headers, cells = (), {}
    rows = [[_("Row"), _("Errors"), *headers]]
    for entry in job.report:
        failure = _failure(job.kind, entry)
        if not failure.messages:  # a count of the job's attempts, no failure
            continue
        number = str(failure.row) if failure.row else ""
        rows.append([number, " | ".join(failure.messages), *cells.get(failure.row, ())])
    listed = sum(1 for entry in job.report if _row(entry) > 0)
    if job.failed_count > listed:
        more = job.failed_count - listed
        rows.append(["", _("%(n)s more rows failed and are not listed.", n=more)])
    return job, imports_csv.write_csv(rows)


def _cells_of(
    data: bytes, job: ImportJob, wanted: set[int]
) -> tuple[tuple[str, ...], dict[int, tuple[str, ...]]]:
    """The column names and the cells of the `wanted` rows; the others are read, not kept."""
    headers, rows = imports_csv.data_rows(data, job.encoding, job.delimiter)
    return headers, {number: cells for number, cells in rows if number in wanted}
