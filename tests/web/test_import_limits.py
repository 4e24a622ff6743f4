"""What a CSV import keeps in bounds (services/imports_csv.py, imports.py): a file of too many
columns is refused at once and nothing is kept, a cell too long fails its row, and the mapping
page of a large file reads only the rows its preview shows."""

from __future__ import annotations

from typing import Any

from tenant_app.models.integration import ImportJob
from tenant_app.models.scoping import tenant_scope
from tenant_app.services import imports_csv
from tests.web.test_import import BMS_HEADER, BMS_ROWS, bms_file, staff_client, upload


def stored_files(settings: Any) -> list[str]:
    root = settings.storage_dir
    return sorted(str(path) for path in root.rglob("*") if path.is_file()) if root.exists() else []


async def test_a_file_of_too_many_columns_is_refused_and_nothing_is_kept(
    client: Any, tenant: Any, settings: Any
) -> None:
    await staff_client(client, tenant)
    extra = ";".join(f"Feld {n}" for n in range(1, 193))  # 9 + 192 = 201 columns
    data = bms_file(*(row + ";" * 192 for row in BMS_ROWS), header=f"{BMS_HEADER};{extra}")
    before = stored_files(settings)
    refused = await upload(client, data)
    assert refused.status_code == 422
    error = refused.text[refused.text.index('id="import-file-error"') :]  # next to the field
    message = "Die Datei hat 201 Spalten; höchstens 200 können importiert werden."
    assert message in error[: error.index("</p>")]
    assert stored_files(settings) == before
    with tenant_scope(tenant.tenant.id):
        assert await ImportJob.all().count() == 0
    fitting = bms_file(*(row + ";" * 191 for row in BMS_ROWS), header=f"{BMS_HEADER};{extra}")
    fitting = fitting.replace(b";Feld 192", b"")  # 200 columns: taken
    assert (await upload(client, fitting)).status_code == 303


async def test_the_mapping_page_of_a_large_file_reads_only_its_preview(
    client: Any, tenant: Any, monkeypatch: Any
) -> None:
    await staff_client(client, tenant)
    rows = [f"K-{n};Vera;Vogel{n};01.02.1980;v{n}@example.de;;;;" for n in range(5000)]
    uploaded = await upload(client, bms_file(*rows))
    assert uploaded.status_code == 303
    mapping_path = uploaded.headers["location"]
    read: list[int] = []
    filled = imports_csv._filled

    def counted(row: list[str]) -> bool:
        read.append(1)
        return filled(row)

    monkeypatch.setattr(imports_csv, "_filled", counted)
    page = await client.get(mapping_path)
    assert page.status_code == 200
    assert "5000 Zeilen" in page.text or "5.000 Zeilen" in page.text  # counted on upload
    assert 'id="preview-row-11"' in page.text and 'id="preview-row-12"' not in page.text
    assert len(read) <= 12, len(read)  # the header and the ten rows of the preview
    read.clear()
    fields = {"map_first_name": "Vorname", "encoding": "cp1252", "delimiter": ";"}
    saved = await client.submit(mapping_path, {**fields, "action": "preview"})
    assert saved.status_code == 200 and 'id="preview-row-11"' in saved.text
    assert len(read) <= 2 * 12, len(read)  # the page for the form's token, the saved page


async def test_a_cell_longer_than_allowed_fails_its_row(client: Any, tenant: Any) -> None:
    await staff_client(client, tenant)
    long_street = "Hauptstraße " + "x" * imports_csv.MAX_CELL
    rows = (BMS_ROWS[0].replace("Hauptstraße 5", long_street), BMS_ROWS[2])
    uploaded = await upload(client, bms_file(*rows))
    page = await client.get(uploaded.headers["location"])
    assert "Eine Zelle dieser Zeile ist länger als 2000 Zeichen." in page.text
    assert 'id="preview-row-2-errors"' in page.text
    assert 'id="preview-row-3-errors"' not in page.text
