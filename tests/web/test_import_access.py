"""Who may import, and what the upload refuses: another tenant's import jobs are not found,
staff without the contacts right are refused like on the other contact-management pages,
and files that are no CSV (or too large) are refused with a message, storing nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tenant_app import create_app
from tenant_app.models.accounts import User
from tenant_app.models.integration import ImportJob
from tenant_app.models.scoping import tenant_scope
from tests.conftest import ADMIN_PASSWORD, Client
from tests.web.test_import import BMS_ROWS, bms_file, start, upload


async def make_staff(tenant: Any, passwords: Any, username: str, **rights: Any) -> User:
    with tenant_scope(tenant.tenant.id):
        return await User.create(
            kind="staff",
            role="mitarbeiter",
            username=username,
            email=f"{username}@{tenant.tenant.slug}.example",
            first_name=username.capitalize(),
            last_name="Staff",
            password_hash=await passwords.hash(ADMIN_PASSWORD),
            **rights,
        )


def job_paths(job_id: int) -> list[str]:
    base = f"/staff/imports/{job_id}"
    return [base, f"{base}/mapping", f"{base}/report"]


async def uploaded_job(client: Any) -> int:
    response = await upload(client, bms_file(*BMS_ROWS))
    assert response.status_code == 303
    return int(response.headers["location"].split("/")[3])


async def test_another_tenants_import_jobs_are_not_found(
    client: Any, client_for: Any, tenant: Any, other_tenant: Any
) -> None:
    theirs = client_for(other_tenant.hostname)
    await theirs.log_in(other_tenant.admin.username)
    job_id = await uploaded_job(theirs)
    await client.log_in(tenant.admin.username)
    for path in job_paths(job_id):
        assert (await client.get(path)).status_code == 404, path
    token = await client.csrf("/staff/imports/new")
    posted = await client.post(
        f"/staff/imports/{job_id}/mapping",
        data={"csrf_token": token, "action": "start"},
        headers={"Origin": f"http://{client.host}"},
    )
    assert posted.status_code == 404
    assert f"/staff/imports/{job_id}" not in (await client.get("/staff/imports")).text
    with tenant_scope(other_tenant.tenant.id):
        assert (await ImportJob.get(id=job_id)).status == "uploaded"


async def test_staff_without_the_contacts_right_are_refused(
    client: Any, client_for: Any, tenant: Any, passwords: Any
) -> None:
    await client.log_in(tenant.admin.username)
    job_id = await uploaded_job(client)
    await make_staff(tenant, passwords, "lisa", sees_all_contacts=True, access_insurance="write")
    lisa = client_for(tenant.hostname)
    await lisa.log_in("lisa")
    refused_like_contacts = (await lisa.get("/staff/contacts/new")).status_code
    assert refused_like_contacts == 403
    for path in ["/staff/imports", "/staff/imports/new", *job_paths(job_id)]:
        assert (await lisa.get(path)).status_code == refused_like_contacts, path
    token = await lisa.csrf("/staff/contacts")
    parts = [("csrf_token", (None, token)), ("kind", (None, "contacts"))]
    parts.append(("file", ("x.csv", bms_file(*BMS_ROWS), "text/csv")))
    headers = {"Origin": f"http://{lisa.host}"}
    assert (await lisa.post("/staff/imports", files=parts, headers=headers)).status_code == 403
    assert 'href="/staff/imports"' not in (await lisa.get("/staff/contacts")).text


async def test_staff_who_see_only_their_contacts_see_only_their_imports(
    client: Any, client_for: Any, tenant: Any, passwords: Any
) -> None:
    await client.log_in(tenant.admin.username)
    admins_job = await uploaded_job(client)
    await make_staff(tenant, passwords, "mara", manages_contacts=True)
    mara = client_for(tenant.hostname)
    await mara.log_in("mara")
    for path in job_paths(admins_job):
        assert (await mara.get(path)).status_code == 404, path
    own = await uploaded_job(mara)
    listing = (await mara.get("/staff/imports")).text
    assert f"/staff/imports/{own}" in listing and f"/staff/imports/{admins_job}" not in listing
    assert f"/staff/imports/{own}" in (await client.get("/staff/imports")).text  # admin sees all


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("police.csv", b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n", "sondern eine PDF-Datei"),
        ("leer.csv", b"", "Die Datei ist leer."),
        ("liste.csv", "Name\r\nMüller\r\n".encode(), "nur eine Spalte"),
        ("kaputt.csv", b"Name;Ort\r\nM\x81ller;K\x9dln\r\n", "weder UTF-8 noch Windows-1252"),
        ("kopf.csv", b"Vorname;Nachname\r\n", "keine Datenzeilen"),
    ],
)
async def test_files_that_are_no_csv_table_are_refused_with_a_message(
    client: Any, tenant: Any, settings: Any, name: str, data: bytes, message: str
) -> None:
    await client.log_in(tenant.admin.username)
    refused = await upload(client, data, name=name)
    assert refused.status_code == 422
    error = refused.text[refused.text.index('id="import-file-error"') :]
    assert message in error[: error.index("</p>")]
    assert 'value="contacts" id="f-kind-contacts" checked' in refused.text  # the choice stays
    with tenant_scope(tenant.tenant.id):
        assert await ImportJob.all().count() == 0
    assert not (settings.storage_dir / str(tenant.tenant.id)).exists()


async def test_the_upload_needs_a_file_and_a_kind(client: Any, tenant: Any) -> None:
    await client.log_in(tenant.admin.username)
    token = await client.csrf("/staff/imports/new")
    parts = [("csrf_token", (None, token)), ("kind", (None, "invoices"))]
    headers = {"Origin": f"http://{client.host}"}
    refused = await client.post("/staff/imports", files=parts, headers=headers)
    assert refused.status_code == 422
    assert "Bitte wählen Sie eine CSV-Datei." in refused.text
    assert "Bitte wählen Sie, was die Datei enthält." in refused.text


async def test_a_file_over_the_upload_limit_is_refused(settings: Any, tenant: Any) -> None:
    small = settings.with_overrides(max_upload_bytes=300)
    app = create_app(small, manage_db=False)
    async with Client(app, tenant.hostname) as client:
        await client.log_in(tenant.admin.username)
        big = bms_file(*BMS_ROWS * 3)
        assert len(big) > 300
        refused = await upload(client, big)
        assert refused.status_code == 422
        assert "Die Datei ist zu groß" in refused.text
        fits = await upload(client, bms_file(BMS_ROWS[0]))
        assert fits.status_code == 303


async def test_a_started_import_cannot_be_started_again(client: Any, tenant: Any) -> None:
    await client.log_in(tenant.admin.username)
    job_id = await uploaded_job(client)
    mapping = f"/staff/imports/{job_id}/mapping"
    first = await start(client, mapping)
    assert first.status_code == 303
    assert (await client.get(mapping)).status_code == 303  # the mapping leads to the progress
    again = await client.submit(mapping, {"action": "start"}, form_page="/staff/imports/new")
    assert again.status_code == 303 and again.headers["location"] == f"/staff/imports/{job_id}"
    with tenant_scope(tenant.tenant.id):
        assert (await ImportJob.get(id=job_id)).status == "queued"
