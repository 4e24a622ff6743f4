"""What an import must never do (services/imports_rows.py, imports_run.py): overwrite a record
a staff member saved after the import read it (a compare-and-set on the version read), or
retry a job whose run keeps failing for ever."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

import pytest
from tortoise.expressions import F

from tenant_app.actors import actor_from
from tenant_app.models.accounts import User
from tenant_app.models.contacts import Contact
from tenant_app.models.folders import Contract
from tenant_app.models.integration import ImportJob
from tenant_app.models.scoping import tenant_scope
from tenant_app.services import imports_csv, imports_fields, imports_report, imports_run
from tenant_app.services.imports_rows import RowImporter
from tenant_app.services.imports_run import ImportWorker, Line
from tests.test_import_run import Clock, new_job, people

CHANGED = "Der Datensatz wurde inzwischen geändert; bitte erneut importieren."
PERSON = "Externe ID;Vorname;Nachname;Geburtsdatum;E-Mail;Ort;Telefon\r\n"
CONTRACT = "Externe ID;Kunden-ID;Sparte;Versicherer;Versicherungsnummer;Beitrag;Zahlweise\r\n"


def lines(kind: str, text: str) -> list[Line]:
    sheet = imports_csv.parse(text, ";")
    return imports_run.lines_of(kind, imports_fields.suggest_mapping(kind, sheet.headers), sheet)


async def imported(importer: RowImporter, text: str) -> tuple[str, dict[str, str]]:
    [line] = lines(importer.kind, text)
    return await imports_run.import_line(importer, line)


async def edited_after_the_read(
    monkeypatch: Any, method: str, model: Any, key: str, **staff_edit: Any
) -> None:
    """The import has read the record (as it is now); a staff member saves it before the
    import writes: the read is made to return what it read before that save."""
    read = await model.get(external_id=key)
    await model.filter(id=read.id).update(**staff_edit, version=F("version") + 1)

    async def stale_read(self: RowImporter, *args: Any) -> Any:
        return read

    monkeypatch.setattr(RowImporter, method, stale_read)


async def test_a_contract_saved_meanwhile_is_not_overwritten_and_the_row_fails(
    tenant: Any, monkeypatch: Any
) -> None:
    with tenant_scope(tenant.tenant.id):
        actor = actor_from(await User.get(id=tenant.admin.id))
        person = PERSON + "P-1;Vera;Vogel;01.02.1980;vera@example.de;Bonn;\r\n"
        assert await imported(RowImporter(actor, "contacts"), person) == ("created", {})
        contracts = RowImporter(actor, "contracts")
        row = "V-1;P-1;Hausrat;Allianz Versicherungs-AG;HR 1;10,00;monatlich\r\n"
        assert await imported(contracts, CONTRACT + row) == ("created", {})
        await edited_after_the_read(monkeypatch, "_find_contract", Contract, "V-1", note="Vom Team")
        outcome = await imported(contracts, CONTRACT + row.replace("10,00", "99,00"))
        stored = await Contract.get(external_id="V-1")
    assert outcome == ("failed", {"form": CHANGED})
    assert (stored.note, stored.gross_premium, stored.version) == ("Vom Team", Decimal("10"), 2)


async def test_a_contract_not_saved_meanwhile_is_updated_with_its_version(tenant: Any) -> None:
    with tenant_scope(tenant.tenant.id):
        actor = actor_from(await User.get(id=tenant.admin.id))
        person = PERSON + "P-1;Vera;Vogel;01.02.1980;vera@example.de;Bonn;\r\n"
        await imported(RowImporter(actor, "contacts"), person)
        contracts = RowImporter(actor, "contracts")
        row = "V-1;P-1;Hausrat;Allianz Versicherungs-AG;HR 1;10,00;monatlich\r\n"
        await imported(contracts, CONTRACT + row)
        before = await Contract.get(external_id="V-1")
        outcome = await imported(contracts, CONTRACT + row.replace("10,00", "99,00"))
        stored = await Contract.get(external_id="V-1")
    assert outcome == ("updated", {})
    assert (stored.gross_premium, stored.version) == (Decimal("99"), 2)
    assert stored.updated_at > before.updated_at  # the API's incremental sync sees it


async def test_a_contact_saved_meanwhile_is_not_overwritten_and_the_row_fails(
    tenant: Any, monkeypatch: Any
) -> None:
    with tenant_scope(tenant.tenant.id):
        actor = actor_from(await User.get(id=tenant.admin.id))
        importer = RowImporter(actor, "contacts")
        row = "P-1;Vera;Vogel;01.02.1980;vera@example.de;Bonn;\r\n"
        assert await imported(importer, PERSON + row) == ("created", {})
        await edited_after_the_read(monkeypatch, "_find_contact", Contact, "P-1", city="Köln")
        outcome = await imported(importer, PERSON + row.replace(";\r\n", ";0228 1\r\n"))
        stored = await Contact.get(external_id="P-1")
    assert outcome == ("failed", {"form": CHANGED})
    assert (stored.city, stored.phone, stored.version) == ("Köln", "", 2)


async def test_a_job_whose_run_keeps_failing_is_stopped_after_three_attempts(
    tenant: Any, settings: Any, monkeypatch: Any, caplog: Any, client: Any
) -> None:
    job = await new_job(tenant, settings, people(3))

    async def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(imports_run, "run_rows", broken)
    clock = Clock()
    worker = ImportWorker(stale_seconds=90, clock=clock)
    caplog.set_level(logging.ERROR, logger="tenant_app.imports")
    for attempt in (1, 2, 3):
        assert await worker.run_due(settings) == 1  # claimed (again, once taken over)
        assert worker.task is not None
        await worker.task
        with tenant_scope(tenant.tenant.id):
            stored = await ImportJob.get(id=job.id)
        if attempt < 3:  # tried again once the job is seen standing still
            assert stored.status == "running"
            assert imports_report.summary(stored).problem == ""
        assert await worker.run_due(settings) == 0
        clock.now += 91
    assert stored.status == "failed" and stored.finished_at is not None
    reason = (
        "Der Import ist 3-mal wegen eines unerwarteten Fehlers fehlgeschlagen und wurde"
        " angehalten. Bitte starten Sie ihn später erneut; schlägt er wieder fehl, wenden Sie"
        " sich an den Support."
    )
    assert imports_report.summary(stored).problem == reason
    await client.log_in(tenant.admin.username)
    page = (await client.get(f"/staff/imports/{job.id}")).text
    assert reason in page[page.index('id="import-problem"') :] and "Abgebrochen" in page
    report = (await client.get(f"/staff/imports/{job.id}/report")).content.decode("utf-8-sig")
    lines_read = imports_csv.parse(report, ";").rows
    assert [cells[:2] for _n, cells in lines_read] == [("", reason)]  # no line for the attempts
    failures = [record for record in caplog.records if record.getMessage() == "import failed"]
    assert len(failures) == 3  # each failed run logged once
    assert await worker.run_due(settings) == 0  # never tried again


@pytest.mark.parametrize("attempts", [0, 2])
async def test_a_run_that_succeeds_keeps_no_problem_on_its_page(
    tenant: Any, settings: Any, attempts: int
) -> None:
    job = await new_job(tenant, settings, people(2))
    if attempts:  # failed twice before, then ran through
        with tenant_scope(tenant.tenant.id):
            report = [{"row": 0, "key": "", "attempts": attempts}]
            await ImportJob.filter(id=job.id).update(report=report)
    await imports_run.claim_next()
    await imports_run.run_claimed(settings, tenant.tenant.id, job.id)
    with tenant_scope(tenant.tenant.id):
        done = await ImportJob.get(id=job.id)
    assert done.status == "done" and imports_report.summary(done).problem == ""
    assert imports_report.failures(done) == []
