"""CSV imports through the API: a broker system sends its export with a token, the import runs
in the background like one started in the staff area, and the system reads the import's
status and the rows it refused. Mappings and files are checked at once; nothing refused is
kept; tokens need the imports permission and that of what they import."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tenant_app.models.accounts import User
from tenant_app.models.contacts import Contact
from tenant_app.models.folders import AuditEntry, Contract
from tenant_app.models.integration import ApiToken, ImportJob
from tenant_app.models.scoping import tenant_scope
from tenant_app.services import imports_report, imports_run
from tenant_app.services.imports_rows import RowImporter
from tests.api_helpers import bearer, field_messages, make_token, problem_of
from tests.web.test_import import BMS_ROWS, bms_file, run_imports

IMPORTS = "/api/v1/imports"
WRITER = ["imports:write", "contacts:write", "contracts:write"]
GERMAN = {"Accept-Language": "de"}


async def send(
    client: Any,
    secret: str,
    data: bytes | None,
    *,
    kind: str = "contacts",
    headers: dict[str, str] | None = None,
    **fields: str,
) -> Any:
    files = {"file": ("bestand.csv", data, "text/csv")} if data is not None else {"x": (None, "")}
    return await client.post(
        IMPORTS,
        data={"kind": kind, **fields},
        files=files,
        headers=bearer(secret, **{**GERMAN, **(headers or {})}),
    )


async def test_an_export_is_imported_and_its_refused_row_reported(
    client: Any, tenant: Any, settings: Any
) -> None:
    secret = await make_token(tenant, WRITER)
    made = await send(client, secret, bms_file(*BMS_ROWS))
    assert made.status_code == 201, made.text
    job = made.json()
    assert made.headers["location"] == f"{IMPORTS}/{job['id']}"
    assert (job["status"], job["encoding"], job["delimiter"], job["total_rows"]) == (
        "queued",
        "cp1252",
        ";",
        3,
    )
    assert job["mapping"]["birthdate"] == "Geburtsdatum" and job["done_rows"] == 0

    await run_imports(settings)
    read = await client.get(made.headers["location"], headers=bearer(secret))
    done = read.json()
    assert (done["status"], done["done_rows"], done["created_count"], done["failed_count"]) == (
        "done",
        3,
        2,
        1,
    )
    assert done["unchanged_count"] == 0 and done["problem"] == "" and done["finished_at"]
    report = await client.get(f"{made.headers['location']}/report", headers=bearer(secret))
    assert report.json() == {
        "import_id": job["id"],
        "failed_count": 1,
        "rows": [
            {
                "row": 3,
                "key": "K-1002",
                "errors": [
                    {
                        "field": "birthdate",
                        "message": "Bitte ein gültiges Datum eingeben, z. B. 03.04.1985.",
                        "type": "invalid",
                    }
                ],
            }
        ],
    }
    with tenant_scope(tenant.tenant.id):
        assert await Contact.filter(customer_number__in=["K-1001", "K-1003"]).count() == 2
        token_account = await User.get(kind="api")
        audit = await AuditEntry.get(action="import_contacts")
    assert audit.actor_id == token_account.id  # the trail names the token's account

    again = await send(client, secret, bms_file(*BMS_ROWS))
    await run_imports(settings)
    second = (await client.get(again.headers["location"], headers=bearer(secret))).json()
    assert (second["created_count"], second["unchanged_count"]) == (0, 2)


async def test_columns_can_be_named_and_are_checked_before_anything_is_kept(
    client: Any, tenant: Any, settings: Any
) -> None:
    secret = await make_token(tenant, WRITER)
    data = bms_file(
        "A-7;Ida;Igel;07.07.1977;ida@example.de", header="nr;vn;nn;geb;mail", encoding="utf-8"
    )
    mapping = '{"external_id": "nr", "first_name": "vn", "last_name": "nn", "birthdate": "geb"}'
    refused = await send(client, secret, data, mapping=mapping)
    assert field_messages(refused) == {
        "mapping.email": "Bitte wählen Sie die Spalte für dieses Feld."
    }
    wrong = '{"email": "E-Mail", "shoe_size": "nn"}'
    assert set(field_messages(await send(client, secret, data, mapping=wrong))) == {
        "mapping.email",
        "mapping.shoe_size",
    }
    for malformed in ("[1, 2]", "{not json", '{"email": 5}'):
        messages = field_messages(await send(client, secret, data, mapping=malformed))
        assert set(messages) == {"mapping"}, malformed
    with tenant_scope(tenant.tenant.id):
        assert await ImportJob.all().count() == 0
    assert not (settings.storage_dir / str(tenant.tenant.id)).exists()

    full = mapping.replace('"geb"}', '"geb", "email": "mail"}')
    made = await send(client, secret, data, mapping=full)
    assert made.status_code == 201, made.text
    await run_imports(settings)
    with tenant_scope(tenant.tenant.id):
        ida = await Contact.get(external_id="A-7")
    assert (ida.first_name, ida.email) == ("Ida", "ida@example.de")


async def test_the_file_is_checked_as_in_the_staff_area(client: Any, tenant: Any) -> None:
    secret = await make_token(tenant, WRITER)
    pdf = await send(client, secret, b"%PDF-1.4\n%%EOF\n")
    assert "sondern eine PDF-Datei" in field_messages(pdf)["file"]
    assert set(field_messages(await send(client, secret, None))) == {"file"}
    assert set(field_messages(await send(client, secret, bms_file(), kind="invoices"))) == {"kind"}


async def test_contracts_by_api_are_linked_to_their_contacts(
    client: Any, tenant: Any, settings: Any
) -> None:
    secret = await make_token(tenant, WRITER)
    await send(client, secret, bms_file(*BMS_ROWS))
    contracts = bms_file(
        "K-1001;Hausrat;Allianz Versicherungs-AG;HR-1;12,50;vierteljährlich",
        header="Kundennummer;Sparte;Versicherer;Versicherungsnummer;Beitrag;Zahlweise",
    )
    made = await send(client, secret, contracts, kind="contracts")
    assert made.status_code == 201, made.text
    await run_imports(settings)
    with tenant_scope(tenant.tenant.id):
        contract = await Contract.get(insurance_number="HR-1").select_related("contact")
    assert contract.contact.customer_number == "K-1001"
    assert (contract.payment_frequency, str(contract.gross_premium)) == ("quarterly", "12.50")


async def test_tokens_need_the_permission_of_what_they_import(client: Any, tenant: Any) -> None:
    contacts_only = await make_token(tenant, ["contacts:write"], name="Kontakte")
    problem_of(await send(client, contacts_only, bms_file(*BMS_ROWS)), 403)
    imports_only = await make_token(tenant, ["imports:write"], name="Importe")
    refused = problem_of(await send(client, imports_only, bms_file(*BMS_ROWS)), 403)
    assert "contacts:write" in refused["detail"]
    reader = await make_token(tenant, ["imports:read"], name="Leser")
    problem_of(await send(client, reader, bms_file(*BMS_ROWS)), 403)
    with tenant_scope(tenant.tenant.id):
        assert await ImportJob.all().count() == 0


async def test_another_tenants_imports_are_not_found(
    client: Any, client_for: Any, tenant: Any, other_tenant: Any
) -> None:
    theirs = await make_token(other_tenant, WRITER)
    made = await send(client_for(other_tenant.hostname), theirs, bms_file(*BMS_ROWS))
    assert made.status_code == 201
    ours = await make_token(tenant, ["imports:read"])
    for path in (made.headers["location"], f"{made.headers['location']}/report"):
        problem_of(await client.get(path, headers=bearer(ours)), 404)
    problem_of(await client.get(f"{IMPORTS}/999999", headers=bearer(ours)), 404)


async def test_a_retried_import_is_one_import(client: Any, tenant: Any) -> None:
    secret = await make_token(tenant, WRITER)
    key = {"Idempotency-Key": "import-2024-05"}
    first = await send(client, secret, bms_file(*BMS_ROWS), headers=key)
    retry = await send(client, secret, bms_file(*BMS_ROWS), headers=key)
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json() and retry.headers["idempotent-replayed"] == "true"
    with tenant_scope(tenant.tenant.id):
        assert await ImportJob.all().count() == 1


async def test_an_import_of_a_revoked_token_stops(client: Any, tenant: Any, settings: Any) -> None:
    secret = await make_token(tenant, WRITER)
    made = await send(client, secret, bms_file(*BMS_ROWS))
    with tenant_scope(tenant.tenant.id):
        await ApiToken.all().update(revoked_at=datetime.now(UTC))
    await run_imports(settings)
    with tenant_scope(tenant.tenant.id):
        job = await ImportJob.get(id=made.json()["id"])
        assert await Contact.all().count() == 0
    assert job.status == "failed"
    assert imports_report.summary(job).problem == "Das API-Token wurde widerrufen."


async def test_a_running_import_stops_at_its_next_chunk_once_its_token_is_revoked(
    client: Any, tenant: Any, settings: Any, monkeypatch: Any
) -> None:
    secret = await make_token(tenant, WRITER)
    rows = [f"K-{n};Vera;Vogel{n};01.02.1980;v{n}@example.de;;;;" for n in range(1, 7)]
    made = await send(client, secret, bms_file(*rows))
    import_row = RowImporter.row

    async def revoked_meanwhile(self: RowImporter, values: dict[str, str]) -> str:
        outcome = await import_row(self, values)
        await ApiToken.all().update(revoked_at=datetime.now(UTC))  # while the import runs
        return outcome

    monkeypatch.setattr(RowImporter, "row", revoked_meanwhile)
    assert await imports_run.claim_next() == (tenant.tenant.id, made.json()["id"])
    await imports_run.run_claimed(settings, tenant.tenant.id, made.json()["id"], chunk_rows=2)
    with tenant_scope(tenant.tenant.id):
        job = await ImportJob.get(id=made.json()["id"])
        assert await Contact.all().count() == 2  # the first chunk, before the check
    assert (job.status, job.done_rows) == ("failed", 2)
    assert imports_report.summary(job).problem == "Das API-Token wurde widerrufen."
    read = await client.get(f"{IMPORTS}/{job.id}", headers=bearer(secret))
    assert read.status_code == 401  # the token itself is refused too
