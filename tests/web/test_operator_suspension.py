"""Suspending a broker firm: its users see the operator's notice in the firm's branding on every
page (503), the API answers 503, sessions survive; reactivated, everything works again.
Deleting a firm: its export first, then every row and stored file; the audit keeps it all."""

from __future__ import annotations

import html
import io
import zipfile
from pathlib import Path

import pytest

from tenant_app.edge.suspension import DEFAULT_NOTICE
from tenant_app.files.storage import LocalStorage, new_key
from tenant_app.models.accounts import Session, User
from tenant_app.models.folders import Document
from tenant_app.models.operations import OperatorAction
from tenant_app.models.tenancy import Tenant, TenantHost
from tenant_app.text.i18n import addressed, gettext
from tests.api_helpers import bearer, make_token, problem_of
from tests.conftest import ADMIN_PASSWORD, make_customer
from tests.folder_helpers import add_document
from tests.operator_helpers import operator_client

NOTICE = "Wegen einer Umstellung ist das Portal bis Montag geschlossen.\nIhr Team"


@pytest.fixture
async def operator(client_for, passwords):
    return await operator_client(client_for, passwords)


async def _suspend(operator, tenant_id: int, notice: str = NOTICE):
    page = f"/operator/tenants/{tenant_id}"
    return await operator.submit(f"{page}/suspend", {"notice": notice}, form_page=page)


async def test_a_suspended_firms_users_see_the_notice_and_come_back(
    operator, client_for, tenant, other_tenant
) -> None:
    admin = client_for(tenant.hostname)
    await admin.log_in("alpha-admin", ADMIN_PASSWORD)
    assert (await admin.get("/staff")).status_code == 200
    secret = await make_token(tenant)

    answer = await _suspend(operator, tenant.tenant.id)
    assert answer.status_code == 303
    shown = await operator.get(answer.headers["location"])
    assert 'id="tenant-suspended"' in shown.text and 'id="tenant-status"' in shown.text

    for path in ("/staff", "/login", "/", "/portal", "/staff/contacts"):
        page = await admin.get(path)
        assert page.status_code == 503, path
        assert "Wegen einer Umstellung ist das Portal bis Montag geschlossen." in page.text
        assert "Alpha Versicherungsmakler GmbH" in page.text  # in the firm's branding
        assert page.headers["cache-control"] == "no-store"
    posted = await admin.post("/logout", headers={"Origin": f"http://{tenant.hostname}"})
    assert posted.status_code == 503
    htmx = await admin.get("/staff", headers={"HX-Request": "true"})
    assert htmx.status_code == 503 and htmx.headers["hx-refresh"] == "true"
    assert (await admin.get("/brand.css")).status_code == 200  # the notice's branding
    assert (await admin.get("/branding/logo")).status_code != 503
    api = await admin.get("/api/v1/token", headers=bearer(secret))
    assert problem_of(api, 503)["detail"].startswith("Wegen einer Umstellung")

    other = client_for(other_tenant.hostname)
    assert (await other.get("/login")).status_code == 200  # another firm is untouched
    assert await Session.unscoped.filter(tenant_id=tenant.tenant.id).exists()

    page = f"/operator/tenants/{tenant.tenant.id}"
    back = await operator.submit(f"{page}/reactivate", {}, form_page=page)
    assert back.status_code == 303
    assert (await admin.get("/staff")).status_code == 200  # the same session goes on
    assert (await admin.get("/api/v1/token", headers=bearer(secret))).status_code == 200
    actions = await OperatorAction.filter(tenant_id=tenant.tenant.id).order_by("id")
    assert [a.action for a in actions] == ["tenant_suspended", "tenant_reactivated"]
    assert actions[0].detail == NOTICE
    audit = await operator.get("/operator/audit")
    assert audit.text.index(f'id="action-{actions[1].id}"') < audit.text.index(
        f'id="action-{actions[0].id}"'
    )  # newest first
    assert gettext("Tenant suspended") in audit.text


async def test_without_a_notice_the_standard_one_is_shown(operator, client_for, tenant):
    await _suspend(operator, tenant.tenant.id, notice="  ")
    page = await client_for(tenant.hostname).get("/login")
    assert page.status_code == 503
    assert (await Tenant.get(id=tenant.tenant.id)).suspension_notice == ""
    assert '<html lang="de">' in page.text
    assert html.escape(addressed(DEFAULT_NOTICE), quote=False) in page.text


async def test_a_too_long_notice_is_refused_next_to_its_field(operator, tenant) -> None:
    answer = await _suspend(operator, tenant.tenant.id, notice="x" * 2001)
    assert answer.status_code == 422 and 'id="f-notice-error"' in answer.text
    assert (await Tenant.get(id=tenant.tenant.id)).suspended_at is None
    assert not await OperatorAction.exists()


async def test_the_platform_can_be_neither_suspended_nor_deleted(operator) -> None:
    space = await Tenant.get(is_platform=True)
    token = await operator.csrf("/operator/tenants")
    for action in ("suspend", "delete"):
        answer = await operator.post(
            f"/operator/tenants/{space.id}/{action}",
            data={"csrf_token": token, "notice": "x", "confirm_slug": space.slug},
            headers={"Origin": f"http://{operator.host}"},
        )
        assert answer.status_code == 404
    assert (await Tenant.get(id=space.id)).suspended_at is None
    assert (await operator.get("/operator/tenants")).status_code == 200


def _stored(settings, tenant_id: int) -> list[Path]:
    folder = Path(settings.storage_dir) / str(tenant_id)
    return [path for path in folder.glob("*") if path.is_file()] if folder.exists() else []


async def test_deleting_writes_the_export_then_removes_every_row_and_file(
    operator, client_for, tenant, other_tenant, passwords, settings
) -> None:
    contact = await make_customer(tenant, passwords)
    document = await add_document(tenant, settings, contact)
    kept = await add_document(other_tenant, settings, await make_customer(other_tenant, passwords))
    assert len(_stored(settings, tenant.tenant.id)) == 1
    page = f"/operator/tenants/{tenant.tenant.id}"

    early = await operator.submit(f"{page}/delete", {"confirm_slug": "alpha"}, form_page=page)
    assert early.status_code == 422 and 'id="delete-needs-suspension"' in early.text
    await _suspend(operator, tenant.tenant.id)
    wrong = await operator.submit(f"{page}/delete", {"confirm_slug": "alpha2"}, form_page=page)
    assert wrong.status_code == 422 and 'id="f-confirm_slug-error"' in wrong.text
    assert await Tenant.exists(id=tenant.tenant.id)

    # A file no row names (an upload whose row never came) goes with the firm as well.
    await LocalStorage(settings.storage_dir).save(new_key(tenant.tenant.id), io.BytesIO(b"x"))
    assert len(_stored(settings, tenant.tenant.id)) == 2
    done = await operator.submit(f"{page}/delete", {"confirm_slug": "alpha"}, form_page=page)
    assert done.status_code == 200 and 'id="tenant-deleted"' in done.text
    action = await OperatorAction.get(action="tenant_deleted")
    assert action.tenant_name == "Alpha Versicherungsmakler GmbH" and action.tenant_id is None
    archive = Path(settings.storage_dir).parent / "exports" / action.detail
    with zipfile.ZipFile(archive) as opened:
        assert f"files/{document.storage_key}" in opened.namelist()
    assert action.detail in done.text

    assert not await Tenant.exists(id=tenant.tenant.id)
    assert not await TenantHost.exists(tenant_id=tenant.tenant.id)
    assert not await User.unscoped.filter(tenant_id=tenant.tenant.id).exists()
    assert not await Document.unscoped.filter(tenant_id=tenant.tenant.id).exists()
    assert _stored(settings, tenant.tenant.id) == []
    assert await Document.unscoped.filter(id=kept.id).exists()
    assert len(_stored(settings, other_tenant.tenant.id)) == 1
    assert (await client_for(tenant.hostname).get("/login")).status_code == 404

    download = await operator.get(f"/operator/exports/{action.detail}")
    assert download.status_code == 200 and download.content == archive.read_bytes()
    assert download.headers["content-type"] == "application/zip"
    assert (await operator.get("/operator/exports/..%2Fsecret.zip")).status_code == 404
    assert (await operator.get("/operator/exports/nope-20260101-000000.zip")).status_code == 404
    audit = await operator.get("/operator/audit")
    assert f'href="/operator/exports/{action.detail}"' in audit.text
