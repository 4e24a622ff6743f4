"""CSV import in the staff area: a broker's export (Windows-1252, semicolons, German dates
and amounts) goes through upload, column mapping with a checked preview, the import and its
report, as a staff member clicks through it."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from tenant_app.models.activity import Notification
from tenant_app.models.contacts import Contact
from tenant_app.models.folders import AuditEntry, Contract
from tenant_app.models.integration import ImportJob
from tenant_app.models.mail import OutboxMail
from tenant_app.models.scoping import tenant_scope
from tenant_app.services.imports_run import ImportWorker
from tests.html_forms import form_fields

BMS_HEADER = "Kundennummer;Vorname;Nachname;Geburtsdatum;E-Mail;Straße;PLZ;Ort;Telefon"
BMS_ROWS = (
    "K-1001;Jürgen;Müller;03.04.1985;juergen.mueller@example.de;Hauptstraße 5;10115;Berlin;"
    "030 1234",
    "K-1002;Anna;Schmidt;31.02.1990;anna.schmidt@example.de;Gartenweg 1;20095;Hamburg;",
    "K-1003;Ömer;Öztürk;15.11.1972;oemer@example.de;Weißdornweg 3;80331;München;",
)


CONTRACT_HEADER = (
    "Externe ID;Kunden-ID;Kundennummer;Sparte;Versicherer;Versicherungsnummer;Beitrag;Zahlweise;"
    "Status"
)


def bms_file(*rows: str, header: str = BMS_HEADER, encoding: str = "cp1252") -> bytes:
    """A CSV as a German broker system exports it: Windows line ends, no BOM."""
    return ("\r\n".join((header, *rows)) + "\r\n").encode(encoding)


async def staff_client(client: Any, tenant: Any) -> Any:
    await client.log_in(tenant.admin.username)
    return client


async def upload(
    client: Any, data: bytes, *, kind: str = "contacts", name: str = "export.csv"
) -> Any:
    """The upload form as a browser sends it: the token first, then the kind, then the file."""
    token = await client.csrf("/staff/imports/new")
    parts = [("csrf_token", (None, token)), ("kind", (None, kind))]
    parts.append(("file", (name, data, "text/csv")))
    return await client.post(
        "/staff/imports", files=parts, headers={"Origin": f"http://{client.host}"}
    )


async def start(client: Any, mapping_path: str, **changes: str) -> Any:
    """Press "Gültige Zeilen importieren" on the mapping page as it stands (or changed)."""
    page = await client.get(mapping_path)
    fields = {**form_fields(page.text, mapping_path), **changes, "action": "start"}
    return await client.submit(mapping_path, fields)


async def run_imports(settings: Any) -> None:
    """What the background loop does: claim the queued jobs and run them to their end."""
    worker = ImportWorker()
    while await worker.run_due(settings):
        assert worker.task is not None
        await worker.task


async def import_file(client: Any, settings: Any, data: bytes, kind: str = "contacts") -> str:
    """Upload, keep the suggested columns, start, run: the job's page."""
    uploaded = await upload(client, data, kind=kind)
    assert uploaded.status_code == 303, uploaded.text[:800]
    mapping_path = uploaded.headers["location"]
    started = await start(client, mapping_path)
    assert started.status_code == 303, started.text[:2000]
    await run_imports(settings)
    return started.headers["location"]


def main_of(html: str) -> str:
    return html[html.index("<main") :]


async def test_windows_1252_export_imports_with_one_bad_row_reported(
    client: Any, tenant: Any, settings: Any
) -> None:
    await staff_client(client, tenant)
    uploaded = await upload(client, bms_file(*BMS_ROWS))
    assert uploaded.status_code == 303
    mapping_path = uploaded.headers["location"]
    assert re.fullmatch(r"/staff/imports/\d+/mapping", mapping_path)

    page = await client.get(mapping_path)
    assert page.status_code == 200
    assert "Windows-1252" in page.text and "Semikolon" in page.text
    chosen = form_fields(page.text, mapping_path)  # suggested from the German column names
    assert chosen["map_first_name"] == "Vorname" and chosen["map_street"] == "Straße"
    assert (
        chosen["map_birthdate"] == "Geburtsdatum"
        and chosen["map_customer_number"] == "Kundennummer"
    )
    # the preview: every umlaut read right, the bad date next to its row, nothing saved yet
    assert "Müller" in page.text and "Weißdornweg 3" in page.text and "Öztürk" in page.text
    bad_row = page.text[page.text.index('id="preview-row-3"') :]
    bad_row = bad_row[: bad_row.index("</tr>")]
    assert "Geburtsdatum: Bitte ein gültiges Datum eingeben, z. B. 03.04.1985." in bad_row
    assert 'id="preview-row-2-errors"' not in page.text
    with tenant_scope(tenant.tenant.id):
        assert await Contact.all().count() == 0

    started = await start(client, mapping_path)
    assert started.status_code == 303
    job_path = started.headers["location"]
    waiting = await client.get(job_path)
    assert 'hx-trigger="every 1s"' in waiting.text  # polls while it is not done
    await run_imports(settings)

    done = await client.get(job_path)
    main = main_of(done.text)
    assert 'hx-trigger="every 1s"' not in main  # finished: the polling stops
    assert 'id="count-created">2<' in main and 'id="count-failed">1<' in main
    assert "3 von 3 Zeilen" in main
    failed = main[main.index('id="failed-row-3"') :]
    assert "Bitte ein gültiges Datum eingeben" in failed[: failed.index("</tr>")]
    with tenant_scope(tenant.tenant.id):
        people = {c.last_name: c for c in await Contact.all()}
    assert set(people) == {"Müller", "Öztürk"}
    assert people["Müller"].street == "Hauptstraße 5" and people["Müller"].city == "Berlin"
    assert people["Müller"].birthdate == date(1985, 4, 3)
    assert people["Müller"].customer_number == "K-1001"

    report = await client.get(f"{job_path}/report")
    assert report.status_code == 200
    assert report.headers["content-type"].startswith("text/csv")
    assert report.content.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel reads umlauts
    lines = report.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Zeile;Fehler;" + BMS_HEADER
    assert len(lines) == 2
    assert lines[1].startswith("3;Geburtsdatum: Bitte ein gültiges Datum eingeben")
    assert lines[1].endswith(
        ";K-1002;Anna;Schmidt;31.02.1990;anna.schmidt@example.de;Gartenweg 1;20095;Hamburg;"
    )


async def test_import_tells_nobody_but_leaves_one_summary(
    client: Any, tenant: Any, settings: Any
) -> None:
    await staff_client(client, tenant)
    await import_file(client, settings, bms_file(*BMS_ROWS))
    with tenant_scope(tenant.tenant.id):
        assert await Notification.all().count() == 0
        assert await OutboxMail.all().count() == 0
        audit = await AuditEntry.filter(action="import_contacts")
        job = await ImportJob.get()
    assert len(audit) == 1
    assert audit[0].actor_id == tenant.admin.id and audit[0].subject_id == job.id
    assert audit[0].details == "rows=3 created=2 updated=0 unchanged=0 failed=1"


async def test_utf8_with_bom_and_contracts_linked_by_external_id_or_customer_number(
    client: Any, tenant: Any, settings: Any
) -> None:
    await staff_client(client, tenant)
    people = bms_file(
        "P-1;" + BMS_ROWS[0],
        "P-2;K-2002;Zoë;Weiß;01.12.1960;zoe@example.de;Lindenallee 2;50667;Köln;",
        header="Externe ID;" + BMS_HEADER,
        encoding="utf-8-sig",
    )
    assert people.startswith(b"\xef\xbb\xbfExterne ID;")
    await import_file(client, settings, people)
    contracts = bms_file(
        "V-1;P-1;;Hausrat;allianz versicherungs-ag;HR 123/45;1.234,56;monatlich;Aktiv",
        "V-2;;;Kfz;HUK-COBURG Allgemeine Versicherung AG;KFZ-9;89,90;jährlich;Angebot",
        "V-3;;K-2002;Unfall;Unbekannte Versicherung AG;U-1;12,00;monatlich;Aktiv",
        "V-4;;K-2002;Kfz;HUK-COBURG Allgemeine Versicherung AG;KFZ-7;89,90;jährlich;Angebot",
        header=CONTRACT_HEADER,
        encoding="utf-8-sig",
    )
    job_path = await import_file(client, settings, contracts, kind="contracts")
    main = main_of((await client.get(job_path)).text)
    assert 'id="count-created">2<' in main and 'id="count-failed">2<' in main
    assert "Bitte die externe ID oder Kundennummer des Kontakts angeben." in main
    assert "Versicherer: Bitte einen Versicherer aus der Liste wählen." in main
    with tenant_scope(tenant.tenant.id):
        household = await Contract.get(external_id="V-1").select_related("contact", "insurer")
        car = await Contract.get(external_id="V-4").select_related("contact")
        assert await Contract.all().count() == 2
    assert household.contact.last_name == "Müller" and car.contact.last_name == "Weiß"
    assert household.insurer is not None
    assert household.insurer_name == "Allianz Versicherungs-AG"  # the catalogue's spelling
    assert household.gross_premium == Decimal("1234.56")
    assert (household.payment_frequency, household.status) == ("monthly", "active")
    assert household.folder == "insurance" and household.insurance_number == "HR 123/45"
    assert (car.payment_frequency, car.status, car.gross_premium) == (
        "yearly",
        "offer",
        Decimal("89.90"),
    )


async def test_importing_again_creates_nothing_and_applies_changes(
    client: Any, tenant: Any, settings: Any
) -> None:
    await staff_client(client, tenant)
    await import_file(client, settings, bms_file(*BMS_ROWS))
    again = await import_file(client, settings, bms_file(*BMS_ROWS))
    main = main_of((await client.get(again)).text)
    assert 'id="count-created">0<' in main and 'id="count-unchanged">2<' in main
    moved = BMS_ROWS[0].replace("Berlin", "Potsdam").replace("10115", "14467")
    third = await import_file(client, settings, bms_file(moved, *BMS_ROWS[1:]))
    main = main_of((await client.get(third)).text)
    assert 'id="count-updated">1<' in main and 'id="count-created">0<' in main
    with tenant_scope(tenant.tenant.id):
        assert await Contact.all().count() == 2
        mueller = await Contact.get(customer_number="K-1001")
    assert (mueller.city, mueller.postal_code, mueller.phone) == ("Potsdam", "14467", "030 1234")


async def test_mapping_page_needs_the_required_columns(client: Any, tenant: Any) -> None:
    await staff_client(client, tenant)
    uploaded = await upload(client, bms_file(*BMS_ROWS))
    mapping_path = uploaded.headers["location"]
    refused = await start(client, mapping_path, map_birthdate="")
    assert refused.status_code == 422
    assert 'id="map-birthdate-error"' in refused.text
    # the preview says the same of every row, next to it, before anything is imported
    assert "Geburtsdatum: Bitte geben Sie das Geburtsdatum ein." in refused.text
    with tenant_scope(tenant.tenant.id):
        assert (await ImportJob.get()).status == "uploaded"


async def test_progress_is_polled_as_a_fragment(client: Any, tenant: Any) -> None:
    await staff_client(client, tenant)
    uploaded = await upload(client, bms_file(*BMS_ROWS))
    started = await start(client, uploaded.headers["location"])
    job_path = started.headers["location"]
    fragment = await client.get(job_path, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<section class="card stack" id="progress"')
    assert "<html" not in fragment.text and "0 von 3 Zeilen" in fragment.text
    assert 'http-equiv="refresh"' in fragment.text  # without JavaScript the page reloads


async def test_contact_list_links_the_import(client: Any, tenant: Any) -> None:
    await staff_client(client, tenant)
    page = await client.get("/staff/contacts")
    assert 'href="/staff/imports"' in page.text
    listing = await client.get("/staff/imports")
    assert listing.status_code == 200 and 'id="no-imports"' in listing.text
