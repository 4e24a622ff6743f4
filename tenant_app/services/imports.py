"""CSV import of contacts and contracts (staff who manage contacts): upload, column mapping
with a preview, start. Running: imports_run.py; the report: imports_report.py.

A job is seen by the staff member who uploaded it, and by those who see every contact.
The preview imports the first rows exactly as the import will (the same use cases, in the
same order) inside a transaction that is then rolled back: it shows each row's errors, and
whether it would create or update, without keeping anything.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import BinaryIO

import anyio
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, PermissionDenied, ValidationFailed
from tenant_app.files.cleanup import remove_files
from tenant_app.files.storage import Storage, new_key, storage_for
from tenant_app.models.integration import ImportJob
from tenant_app.models.scoping import current_tenant_id
from tenant_app.permissions import can_manage_contacts, can_see_all_contacts
from tenant_app.services import imports_csv, imports_fields, imports_run
from tenant_app.services.imports_fields import CONTACT_REFERENCES, KINDS, TARGETS, Target
from tenant_app.services.imports_rows import RowImporter
from tenant_app.services.upload_checks import Upload, shown_name
from tenant_app.settings import Settings
from tenant_app.text.i18n import gettext as _

PREVIEW_ROWS = 10
LISTED_JOBS = 50
MB = 1024 * 1024


@dataclass(frozen=True)
class PreviewRow:
    """One of the first rows: the file's cells of the mapped fields, and what importing it
    would do (an outcome of imports_rows, or "failed" with a message per field)."""

    number: int
    cells: dict[str, str]
    outcome: str
    errors: dict[str, str]
    messages: tuple[str, ...]  # the errors, each after its field's label


@dataclass
class MappingView:
    """What the mapping page shows: the file's columns, a column chosen per field (with the
    first row's cell as a sample), the preview, and problems next to their fields."""

    job: ImportJob
    headers: tuple[str, ...]
    targets: tuple[Target, ...]
    mapping: dict[str, str]
    samples: dict[str, str]
    preview: list[PreviewRow]
    total: int
    errors: dict[str, str] = field(default_factory=dict)
    started: bool = False


async def import_jobs(actor: CurrentUser) -> list[ImportJob]:
    """The newest imports the actor may see, with who started them."""
    if not can_manage_contacts(actor):
        raise PermissionDenied
    mine = ImportJob.filter(created_by_id=actor.id)
    query = ImportJob.all() if can_see_all_contacts(actor) else mine
    return list(await query.select_related("created_by").order_by("-id").limit(LISTED_JOBS))


async def import_for(actor: CurrentUser, job_id: int) -> ImportJob:
    """The job if the actor may see it: 404 for another's (or another tenant's) job."""
    if not can_manage_contacts(actor):
        raise PermissionDenied
    job = await ImportJob.get_or_none(id=job_id)
    if job is None or not (can_see_all_contacts(actor) or job.created_by_id == actor.id):
        raise NotFound
    return job


def _read_capped(source: BinaryIO, max_bytes: int) -> bytes:
    source.seek(0)
    return source.read(max_bytes + 1)


def _inspect(data: bytes) -> tuple[str, str, tuple[str, ...], int]:
    """Encoding, separator, column names and number of rows; the rows are read, not kept."""
    imports_csv.refuse_binary(data)
    encoding = imports_csv.detect_encoding(data)
    delimiter = imports_csv.detect_delimiter(imports_csv.sniff_text(data, encoding))
    return encoding, delimiter, *imports_csv.scan(data, encoding, delimiter)


async def upload_import(
    actor: CurrentUser,
    store: Storage,
    *,
    kind: str,
    upload: Upload | None,
    max_bytes: int,
    mapping: dict[str, str] | None = None,
    start: bool = False,
) -> ImportJob:
    """Check the file (size, text, encoding, separator, a header and rows), keep it in the
    storage and make its job, with a mapping suggested by the column names. With `mapping`
    (the API) its fields and columns must exist; with `start` the job is queued at once if
    every needed field has a column. Whatever is refused, nothing is kept."""
    if not can_manage_contacts(actor):
        raise PermissionDenied
    data, (encoding, delimiter, headers, total) = await _checked_file(kind, upload, max_bytes)
    if mapping is None:
        chosen = imports_fields.suggest_mapping(kind, headers)
    else:
        chosen = _given_mapping(kind, mapping, headers)
    if start and (missing := missing_fields(kind, chosen)):
        raise ValidationFailed({f"mapping.{name}": text for name, text in missing.items()})
    key = new_key(current_tenant_id())
    await store.save(key, io.BytesIO(data))
    try:
        return await ImportJob.create(
            kind=kind,
            filename=shown_name(upload.filename if upload else "")[:200] or "import.csv",
            storage_key=key,
            encoding=encoding,
            delimiter=delimiter,
            mapping=chosen,
            status=imports_run.QUEUED if start else imports_run.UPLOADED,
            total_rows=total,
            created_by_id=actor.id,
        )
    except BaseException:
        await remove_files(store, [key])
        raise


async def _checked_file(
    kind: str, upload: Upload | None, max_bytes: int
) -> tuple[bytes, tuple[str, str, tuple[str, ...], int]]:
    errors = {}
    if kind not in KINDS:
        errors["kind"] = _("Please choose what the file holds.")
    if upload is None:
        errors["file"] = _("Please choose a CSV file.")
    if errors or upload is None:
        raise ValidationFailed(errors)
    data = await anyio.to_thread.run_sync(_read_capped, upload.file, max_bytes)
    if len(data) > max_bytes:
        message = _("The file is too large (at most %(mb)s MB).", mb=max_bytes // MB)
        raise ValidationFailed({"file": message})
    try:
        return data, await anyio.to_thread.run_sync(_inspect, data)
    except imports_csv.CsvProblem as problem:
        raise ValidationFailed({"file": str(problem)}) from None


def _given_mapping(kind: str, mapping: dict[str, str], headers: tuple[str, ...]) -> dict[str, str]:
    """A mapping sent with the file: every field one of the kind's, every column the file's."""
    names = imports_fields.target_names(kind)
    errors = {
        f"mapping.{field}": _("There is no such field.")
        if field not in names
        else _("The file has no column “%(column)s”.", column=column)
        for field, column in mapping.items()
        if field not in names or column not in headers
    }
    if errors:
        raise ValidationFailed(errors)
    return dict(mapping)


async def mapping_view(actor: CurrentUser, job: ImportJob, store: Storage) -> MappingView:
    """The mapping page of an uploaded job, with the stored choices (only the file's first
    rows are read: its number of rows was counted on upload)."""
    data = await store.read(job.storage_key)
    sheet = await _head(data, job.encoding, job.delimiter)
    return await _view(actor, job, sheet, job.mapping)


async def _head(data: bytes, encoding: str, delimiter: str) -> imports_csv.Sheet:
    return await anyio.to_thread.run_sync(imports_csv.head, data, encoding, delimiter, PREVIEW_ROWS)


async def save_mapping(
    actor: CurrentUser,
    job: ImportJob,
    store: Storage,
    *,
    mapping: dict[str, str],
    encoding: str,
    delimiter: str,
    start: bool = False,
) -> MappingView:
    """Keep the chosen columns (and encoding and separator: a change reads the file again
    and suggests columns anew); with `start`, queue the import if every needed field has
    a column. The view says what was refused."""
    if job.status != imports_run.UPLOADED:
        raise ValidationFailed({"form": _("This import has already been started.")})
    if encoding not in imports_csv.ENCODINGS or delimiter not in imports_csv.DELIMITERS:
        encoding, delimiter = job.encoding, job.delimiter  # not a choice the page offers
    data = await store.read(job.storage_key)
    errors: dict[str, str] = {}
    total = job.total_rows
    if (encoding, delimiter) != (job.encoding, job.delimiter):  # the whole file checked again
        try:
            _headers, total = await anyio.to_thread.run_sync(
                imports_csv.scan, data, encoding, delimiter
            )
        except imports_csv.CsvProblem as problem:
            errors["encoding"] = str(problem)
            encoding, delimiter = job.encoding, job.delimiter
    sheet = await _head(data, encoding, delimiter)
    reread = (encoding, delimiter) != (job.encoding, job.delimiter)
    mapping = imports_fields.clean_mapping(job.kind, mapping, sheet.headers)
    if reread:  # other columns, perhaps: the page is shown again, with suggestions
        mapping = imports_fields.suggest_mapping(job.kind, sheet.headers) | mapping
    job.mapping = mapping
    job.encoding, job.delimiter, job.total_rows = encoding, delimiter, total
    start = start and not reread
    if start and not errors:
        errors = missing_fields(job.kind, job.mapping)
    job.status = imports_run.QUEUED if start and not errors else imports_run.UPLOADED
    saved = await ImportJob.filter(id=job.id, status=imports_run.UPLOADED).update(
        mapping=job.mapping,
        encoding=encoding,
        delimiter=delimiter,
        total_rows=job.total_rows,
        status=job.status,
    )
    if not saved:
        raise ValidationFailed({"form": _("This import has already been started.")})
    view = await _view(actor, job, sheet, job.mapping)
    view.errors, view.started = errors, job.status == imports_run.QUEUED
    return view


def missing_fields(kind: str, mapping: dict[str, str]) -> dict[str, str]:
    """A message next to each needed field without a column."""
    errors = {
        target.name: _("Please choose the column for this field.")
        for target in TARGETS[kind]
        if target.required and target.name not in mapping
    }
    if kind == "contracts" and not any(name in mapping for name in CONTACT_REFERENCES):
        errors["contact_number"] = _(
            "Please choose the column with the contact's external ID or customer number."
        )
    return errors


async def _view(
    actor: CurrentUser, job: ImportJob, sheet: imports_csv.Sheet, mapping: dict[str, str]
) -> MappingView:
    mapping = imports_fields.clean_mapping(job.kind, mapping, sheet.headers)
    first = sheet.rows[0][1] if sheet.rows else ()
    samples = {header: cell for header, cell in zip(sheet.headers, first, strict=False)}
    return MappingView(
        job=job,
        headers=sheet.headers,
        targets=TARGETS[job.kind],
        mapping=mapping,
        samples=samples,
        preview=await _preview(actor, job.kind, mapping, sheet),
        total=job.total_rows,
    )


class _DryRun(Exception):
    """Ends the preview's transaction: nothing it wrote is kept."""


async def _preview(
    actor: CurrentUser, kind: str, mapping: dict[str, str], sheet: imports_csv.Sheet
) -> list[PreviewRow]:
    head = imports_csv.Sheet(sheet.headers, sheet.rows[:PREVIEW_ROWS])
    lines = imports_run.lines_of(kind, mapping, head)
    importer = RowImporter(actor, kind)
    position = {header: index for index, header in enumerate(sheet.headers)}
    shown: list[PreviewRow] = []
    with contextlib.suppress(_DryRun):
        async with in_transaction():
            for line, (_number, cells) in zip(lines, head.rows, strict=True):
                outcome, errors = await imports_run.import_line(importer, line)
                mapped = {
                    name: cells[position[column]] if position[column] < len(cells) else ""
                    for name, column in mapping.items()
                }
                messages = imports_fields.messages_of(kind, errors)
                shown.append(PreviewRow(line.number, mapped, outcome, errors, messages))
            raise _DryRun
    return shown


KEEP_FINISHED = timedelta(days=30)  # the report needs the file: kept as long as the report
KEEP_UNSTARTED = timedelta(days=1)  # uploaded, never started


async def forget_old(settings: Settings, *, now: datetime | None = None) -> int:
    """Housekeeping of the background loop, in every tenant: an uploaded file holds a book of
    customers, so it is not kept longer than its import needs. Finished imports go with
    their file after 30 days, never started ones after a day. How many went."""
    at = now or datetime.now(UTC)
    finished = Q(
        status__in=(imports_run.DONE, imports_run.FAILED), finished_at__lt=at - KEEP_FINISHED
    )
    unstarted = Q(status=imports_run.UPLOADED, created_at__lt=at - KEEP_UNSTARTED)
    old = await ImportJob.unscoped.filter(finished | unstarted)
    if old:
        await ImportJob.unscoped.filter(id__in=[job.id for job in old]).delete()
        await remove_files(storage_for(settings), [job.storage_key for job in old])
    return len(old)
