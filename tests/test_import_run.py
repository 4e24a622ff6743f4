"""Running an import (services/imports_run.py): rows in chunks with their progress committed
between them while others keep running, a failing row that leaves nothing behind, a job
taken over after its worker stopped, the tenant scope of a job claimed across tenants."""

from __future__ import annotations

import asyncio
import io
from typing import Any

from tenant_app.actors import actor_from
from tenant_app.errors import ValidationFailed
from tenant_app.files.storage import LocalStorage
from tenant_app.models.accounts import User
from tenant_app.models.contacts import Contact
from tenant_app.models.integration import ImportJob
from tenant_app.models.scoping import tenant_scope
from tenant_app.services import imports, imports_report, imports_run
from tenant_app.services.imports_rows import RowImporter
from tenant_app.services.imports_run import ImportWorker, Line, LostClaim
from tenant_app.services.upload_checks import Upload
from tests.conftest import ADMIN_PASSWORD

HEADER = "Externe ID;Vorname;Nachname;Geburtsdatum;E-Mail"


def people(count: int, *, start: int = 1) -> bytes:
    rows = [
        f"P-{n};Vera{n};Vogel;01.02.1980;vera{n}@example.de" for n in range(start, start + count)
    ]
    return ("\r\n".join([HEADER, *rows]) + "\r\n").encode("cp1252")


async def new_job(tenant: Any, settings: Any, data: bytes, *, queued: bool = True) -> ImportJob:
    """An uploaded contacts file with its suggested columns, queued as "start" does."""
    with tenant_scope(tenant.tenant.id):
        actor = actor_from(await User.get(id=tenant.admin.id))
        job = await imports.upload_import(
            actor,
            LocalStorage(settings.storage_dir),
            kind="contacts",
            upload=Upload(io.BytesIO(data), "export.csv", len(data)),
            max_bytes=settings.max_upload_bytes,
            start=queued,
        )
        return job


class Counting:
    """Rows that only count (the chunk loop is under test, not the contact rules)."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    async def row(self, values: dict[str, str]) -> str:
        self.seen.append(values["n"])
        return "created"


async def test_the_chunk_loop_commits_progress_between_chunks_and_lets_others_run(
    tenant: Any,
) -> None:
    lines = [Line(n, {"n": str(n)}, f"K-{n}") for n in range(2, 2002)]
    with tenant_scope(tenant.tenant.id):
        job = await ImportJob.create(
            kind="contacts", filename="big.csv", storage_key="x", status="running"
        )
        job.total_rows = len(lines)
        seen: list[int] = []
        running = True

        async def watch() -> None:  # another request of this process, reading the progress
            while running:
                seen.append((await ImportJob.get(id=job.id)).done_rows)
                await asyncio.sleep(0)

        watcher = asyncio.create_task(watch())
        rows = Counting()
        await imports_run.run_rows(job, rows, lines, chunk_rows=200, chunk_seconds=60)
        running = False
        await watcher
        stored = await ImportJob.get(id=job.id)
    assert stored.done_rows == 2000 and stored.created_count == 2000
    assert rows.seen == [str(n) for n in range(2, 2002)]  # each row once, in order
    between = sorted({done for done in seen if 0 < done < 2000})
    assert len(between) >= 3, seen  # progress was visible while the import ran
    assert all(done % 200 == 0 for done in seen)  # committed per chunk, never half a chunk


class FailingSecond:
    """Writes a contact for every row, then refuses the second: as a form rule would."""

    async def row(self, values: dict[str, str]) -> str:
        await Contact.create(
            first_name="Half",
            last_name=values["n"],
            email=f"{values['n']}@x.de",
            birthdate="1980-01-01",
        )
        if values["n"] == "2":
            raise ValidationFailed({"email": "refused"})
        return "created"


async def test_a_failing_row_leaves_nothing_behind_and_the_others_go_on(tenant: Any) -> None:
    lines = [Line(n, {"n": str(n)}, f"K-{n}") for n in (1, 2, 3)]
    with tenant_scope(tenant.tenant.id):
        job = await ImportJob.create(
            kind="contacts", filename="f.csv", storage_key="x", status="running"
        )
        await imports_run.run_rows(job, FailingSecond(), lines)
        names = sorted(await Contact.all().values_list("last_name", flat=True))
        stored = await ImportJob.get(id=job.id)
    assert names == ["1", "3"]
    assert (stored.created_count, stored.failed_count) == (2, 1)
    assert stored.report == [{"row": 2, "key": "K-2", "errors": {"email": "refused"}}]


async def test_a_worker_that_lost_its_job_undoes_its_chunk(tenant: Any) -> None:
    lines = [Line(n, {"n": str(n)}, "") for n in (1, 2)]
    with tenant_scope(tenant.tenant.id):
        job = await ImportJob.create(
            kind="contacts", filename="f.csv", storage_key="x", status="running"
        )
        job.done_rows = 0
        await ImportJob.filter(id=job.id).update(status="queued")  # taken over meanwhile
        try:
            await imports_run.run_rows(job, FailingSecond(), lines)
        except LostClaim:
            pass
        else:
            raise AssertionError("the chunk was kept")
        assert await Contact.all().count() == 0
        assert (await ImportJob.get(id=job.id)).done_rows == 0


async def test_a_stalled_job_is_taken_over_and_continues_where_it_stopped(
    tenant: Any, settings: Any
) -> None:
    job = await new_job(tenant, settings, people(30))
    with tenant_scope(tenant.tenant.id):
        # a worker claimed it, committed its first chunk of 10 rows, and its process died
        await ImportJob.filter(id=job.id).update(status="running")
        job = await ImportJob.get(id=job.id)
        lines = imports_run.lines_of("contacts", job.mapping, await load(settings, job))
        actor = actor_from(await User.get(id=tenant.admin.id))
        await imports_run.run_rows(job, RowImporter(actor, "contacts"), lines[:10])
    clock = Clock()
    worker = ImportWorker(stale_seconds=90, clock=clock)
    assert await worker.run_due(settings) == 0  # running, as far as anyone can tell
    clock.now += 60
    assert await worker.run_due(settings) == 0
    clock.now += 31  # no progress for 91 s: taken over
    assert await worker.run_due(settings) == 1
    assert worker.task is not None
    await worker.task
    with tenant_scope(tenant.tenant.id):
        done = await ImportJob.get(id=job.id)
        assert await Contact.all().count() == 30
    assert (done.status, done.done_rows, done.created_count, done.failed_count) == (
        "done",
        30,
        30,
        0,
    )
    assert imports_report.summary(done).unchanged == 0  # rows 1-10 were not run again


async def test_a_stopping_process_hands_its_import_on(tenant: Any, settings: Any) -> None:
    job = await new_job(tenant, settings, people(400))
    worker = ImportWorker()
    assert await worker.run_due(settings) == 1
    with tenant_scope(tenant.tenant.id):
        for _ in range(500):  # until its first chunk is in
            if (await ImportJob.get(id=job.id)).done_rows:
                break
            await asyncio.sleep(0.02)
    await worker.stop()  # the app shuts down mid-import
    with tenant_scope(tenant.tenant.id):
        stopped = await ImportJob.get(id=job.id)
    assert stopped.status == "queued" and 0 < stopped.done_rows < 400
    next_process = ImportWorker()
    assert await next_process.run_due(settings) == 1
    assert next_process.task is not None
    await next_process.task
    with tenant_scope(tenant.tenant.id):
        done = await ImportJob.get(id=job.id)
        assert await Contact.all().count() == 400
    assert (done.status, done.created_count, done.failed_count) == ("done", 400, 0)


async def test_jobs_are_claimed_across_tenants_and_run_in_their_own(
    tenant: Any, other_tenant: Any, settings: Any
) -> None:
    first = await new_job(tenant, settings, people(2))
    second = await new_job(other_tenant, settings, people(3, start=10))
    assert await imports_run.claim_next() == (tenant.tenant.id, first.id)
    assert await imports_run.claim_next() == (other_tenant.tenant.id, second.id)
    assert await imports_run.claim_next() is None  # each is claimed once
    await imports_run.run_claimed(settings, tenant.tenant.id, first.id)
    await imports_run.run_claimed(settings, other_tenant.tenant.id, second.id)
    with tenant_scope(tenant.tenant.id):
        assert sorted(await Contact.all().values_list("external_id", flat=True)) == ["P-1", "P-2"]
    with tenant_scope(other_tenant.tenant.id):
        assert await Contact.all().count() == 3


async def test_a_starter_who_may_no_longer_manage_contacts_stops_the_job(
    tenant: Any, settings: Any, passwords: Any
) -> None:
    job = await new_job(tenant, settings, people(2))
    with tenant_scope(tenant.tenant.id):
        clerk = await User.create(
            kind="staff",
            username="clerk",
            email="clerk@alpha.example",
            first_name="Carl",
            last_name="Clerk",
            password_hash=await passwords.hash(ADMIN_PASSWORD),
        )
        await ImportJob.filter(id=job.id).update(created_by_id=clerk.id)
    await run_all(settings)
    with tenant_scope(tenant.tenant.id):
        stopped = await ImportJob.get(id=job.id)
        assert await Contact.all().count() == 0
    assert stopped.status == "failed"
    assert imports_report.summary(stopped).problem == (
        "Wer den Import gestartet hat, darf keine Kontakte mehr verwalten."
    )


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def load(settings: Any, job: ImportJob) -> Any:
    return await imports_run.load_sheet(LocalStorage(settings.storage_dir), job)


async def run_all(settings: Any) -> None:
    worker = ImportWorker()
    while await worker.run_due(settings):
        assert worker.task is not None
        await worker.task


async def test_uploaded_books_are_not_kept_longer_than_their_import_needs(
    tenant: Any, settings: Any
) -> None:
    from datetime import UTC, datetime, timedelta

    store = LocalStorage(settings.storage_dir)
    recent, old, forgotten = [await new_job(tenant, settings, people(2)) for _ in range(3)]
    now = datetime.now(UTC)
    with tenant_scope(tenant.tenant.id):
        for job, finished in ((recent, now - timedelta(days=29)), (old, now - timedelta(days=31))):
            await ImportJob.filter(id=job.id).update(status="done", finished_at=finished)
        await ImportJob.filter(id=forgotten.id).update(status="uploaded")
        await ImportJob.filter(id=forgotten.id).update(created_at=now - timedelta(days=2))
    assert await imports.forget_old(settings, now=now) == 2
    with tenant_scope(tenant.tenant.id):
        assert [job.id for job in await ImportJob.all()] == [recent.id]
    assert await store.read(recent.storage_key) == people(2)
    for gone in (old, forgotten):
        try:
            await store.read(gone.storage_key)
        except OSError:
            continue
        raise AssertionError(f"the file of import {gone.id} is still there")
