"""Previews and thumbnails of documents: the same rights as the download (404 for whoever may not
see the document, also across tenants), inline only for a picture or PDF that its bytes confirm,
sandboxed (an inline PDF: a strict policy without `sandbox`), never sniffed; and the document
rows offer them with labelled actions."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from PIL import Image

from tenant_app.files.storage import LocalStorage, new_key
from tenant_app.models.folders import Document
from tenant_app.models.scoping import tenant_scope
from tests.conftest import CUSTOMER_PASSWORD, make_customer
from tests.folder_helpers import PDF_BYTES, add_contract, add_document
from tests.web.test_staff_users import _make_registered_staff

HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def png(size: tuple[int, int] = (800, 600)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (11, 92, 171)).save(buffer, format="PNG")
    return buffer.getvalue()


async def add_file(
    tenant: Any,
    settings: Any,
    contact: Any,
    data: bytes,
    content_type: str,
    *,
    contract: Any = None,
    title: str = "Foto",
    shared: bool = True,
) -> Document:
    """A document with these bytes and this stored type (as if the row had been tampered with)."""
    key = new_key(tenant.tenant.id)
    await LocalStorage(settings.storage_dir).save(key, io.BytesIO(data))
    with tenant_scope(tenant.tenant.id):
        return await Document.create(
            contact_id=contact.id,
            contract_id=contract.id if contract else None,
            folder=contract.folder if contract else "insurance",
            title=title,
            category="other",
            filename="datei.bin",
            storage_key=key,
            content_type=content_type,
            size=len(data),
            sha256="0" * 64,
            shared_with_customer=shared,
        )


def assert_sandboxed(response: Any) -> None:
    policy = response.headers["content-security-policy"]
    assert policy.startswith("sandbox;") and "default-src 'none'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "no-store" in response.headers["cache-control"]


def assert_strict_pdf_policy(response: Any) -> None:
    """An inline PDF: no `sandbox` (Chrome's viewer refuses to draw under it), all else closed."""
    policy = [part.strip() for part in response.headers["content-security-policy"].split(";")]
    assert "sandbox" not in policy
    assert {"default-src 'none'", "frame-ancestors 'self'", "form-action 'none'"} <= set(policy)
    assert not [part for part in policy if part.startswith("script-src")]  # none: default
    assert response.headers["content-type"] == "application/pdf"  # never HTML
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "SAMEORIGIN"  # as frame-ancestors, once
    assert "no-store" in response.headers["cache-control"]


async def test_a_pdf_and_a_picture_open_inline(client, tenant, passwords, settings) -> None:
    contact = await make_customer(tenant, passwords)
    pdf = await add_document(tenant, settings, contact)
    picture = await add_file(tenant, settings, contact, png(), "image/png")
    await client.log_in("alpha-admin")
    for document, data, content_type in (
        (pdf, PDF_BYTES, "application/pdf"),
        (picture, png(), "image/png"),
    ):
        response = await client.get(f"/staff/documents/{document.id}/preview")
        assert response.status_code == 200 and response.content == data
        assert response.headers["content-type"].startswith(content_type)
        assert response.headers["content-disposition"].startswith("inline;")
        if content_type == "application/pdf":
            assert_strict_pdf_policy(response)
        else:
            assert_sandboxed(response)


async def test_a_pdf_download_stays_sandboxed(client, tenant, passwords, settings) -> None:
    """Only the inline preview of a PDF goes without the sandbox; its download keeps it."""
    contact = await make_customer(tenant, passwords)
    pdf = await add_document(tenant, settings, contact)
    await client.log_in("alpha-admin")
    response = await client.get(f"/staff/documents/{pdf.id}/download")
    assert response.headers["content-disposition"].startswith("attachment;")
    assert_sandboxed(response)


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (HTML, "text/html"),
        (SVG, "image/svg+xml"),
        (HTML, "image/png"),  # a stored type its bytes do not confirm
        (HTML, "application/pdf"),
        (b"%PDF-1.4 but stored as a picture", "image/jpeg"),
    ],
)
async def test_anything_else_is_only_ever_a_download(
    client, tenant, passwords, settings, data, content_type
) -> None:
    contact = await make_customer(tenant, passwords)
    document = await add_file(tenant, settings, contact, data, content_type)
    await client.log_in("alpha-admin")
    response = await client.get(f"/staff/documents/{document.id}/preview")
    assert response.status_code == 200 and response.content == data
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["content-type"] == "application/octet-stream"
    assert_sandboxed(response)
    thumbnail = await client.get(f"/staff/documents/{document.id}/thumbnail")
    assert thumbnail.status_code == 404


async def _customer(client_for: Any, tenant: Any) -> Any:
    customer = client_for(tenant.hostname)
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    return customer


async def test_a_thumbnail_is_a_small_jpeg(client, client_for, tenant, passwords, settings) -> None:
    contact = await make_customer(tenant, passwords, insurance_share=True)
    contract = await add_contract(tenant, contact)
    document = await add_file(
        tenant, settings, contact, png((1200, 600)), "image/png", contract=contract
    )
    await client.log_in("alpha-admin")
    customer = await _customer(client_for, tenant)
    for who, path in ((client, "/staff"), (customer, "/portal")):
        response = await who.get(f"{path}/documents/{document.id}/thumbnail")
        assert response.status_code == 200, path
        assert response.headers["content-type"] == "image/jpeg"
        assert response.headers["content-disposition"] == "inline"
        assert_sandboxed(response)
        with Image.open(io.BytesIO(response.content)) as thumb:
            assert thumb.format == "JPEG" and thumb.size == (160, 80)


async def test_a_decompression_bomb_gets_no_thumbnail(client, tenant, passwords, settings) -> None:
    from tests.test_images import png_header_only

    contact = await make_customer(tenant, passwords)
    bomb = await add_file(tenant, settings, contact, png_header_only(40_000, 40_000), "image/png")
    await client.log_in("alpha-admin")
    assert (await client.get(f"/staff/documents/{bomb.id}/thumbnail")).status_code == 404


ROUTES = ("download", "preview", "thumbnail")


async def _codes(who: Any, side: str, document_id: int) -> list[int]:
    return [(await who.get(f"/{side}/documents/{document_id}/{r}")).status_code for r in ROUTES]


async def test_customers_without_the_right_and_other_tenants_get_404(
    client_for, tenant, other_tenant, passwords, settings
) -> None:
    contact = await make_customer(tenant, passwords, insurance_share=True)
    contract = await add_contract(tenant, contact)
    shared = await add_file(tenant, settings, contact, png(), "image/png", contract=contract)
    internal = await add_file(
        tenant, settings, contact, png(), "image/png", contract=contract, shared=False
    )
    neighbour = await make_customer(
        tenant, passwords, email="nina@nachbar.example", first_name="Nina", insurance_share=True
    )
    theirs = await add_file(
        tenant,
        settings,
        neighbour,
        png(),
        "image/png",
        contract=await add_contract(tenant, neighbour),
    )
    foreign_contact = await make_customer(
        other_tenant, passwords, email="fritz@fremd.example", insurance_share=True
    )
    foreign = await add_file(
        other_tenant,
        settings,
        foreign_contact,
        png(),
        "image/png",
        contract=await add_contract(other_tenant, foreign_contact),
    )
    customer = client_for(tenant.hostname)
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    assert await _codes(customer, "portal", shared.id) == [200, 200, 200]
    for hidden in (internal, theirs, foreign):
        assert await _codes(customer, "portal", hidden.id) == [404, 404, 404]
    assert await _codes(customer, "staff", shared.id) == [403, 403, 403]

    staff = client_for(tenant.hostname)
    await staff.log_in("alpha-admin")
    assert await _codes(staff, "staff", internal.id) == [200, 200, 200]
    assert await _codes(staff, "staff", foreign.id) == [404, 404, 404]
    beta = client_for(other_tenant.hostname)
    await beta.log_in("beta-admin")
    assert await _codes(beta, "staff", shared.id) == [404, 404, 404]
    assert await _codes(beta, "staff", foreign.id) == [200, 200, 200]


async def test_staff_without_the_contact_or_the_folder_get_404(
    client_for, tenant, passwords, settings
) -> None:
    contact = await make_customer(tenant, passwords)
    document = await add_file(tenant, settings, contact, png(), "image/png")
    await _make_registered_staff(tenant, passwords, access_insurance="write")  # not responsible
    staff = client_for(tenant.hostname)
    await staff.log_in("sina.staff")
    assert await _codes(staff, "staff", document.id) == [404, 404, 404]
    logged_out = client_for(tenant.hostname)
    for route in ROUTES:
        response = await logged_out.get(f"/staff/documents/{document.id}/{route}")
        assert response.status_code == 303 and "/login" in response.headers["location"]


async def test_rows_show_the_shared_state_and_labelled_actions(
    client, client_for, tenant, passwords, settings
) -> None:
    contact = await make_customer(tenant, passwords, insurance_share=True)
    contract = await add_contract(tenant, contact)
    picture = await add_file(tenant, settings, contact, png(), "image/png", contract=contract)
    internal = await add_document(
        tenant, settings, contact, contract=contract, title="Notiz", shared=False
    )
    await client.log_in("alpha-admin")
    page = (await client.get(f"/staff/contacts/{contact.id}/folders/insurance")).text
    row = page[page.index(f'id="document-{picture.id}"') :]
    row = row[: row.index("</li>")]
    assert "Für Kunden sichtbar" in row and "Nicht mehr freigeben" in row
    assert f'src="/staff/documents/{picture.id}/thumbnail"' in row
    assert f'href="/staff/documents/{picture.id}/preview"' in row
    assert f'href="/staff/documents/{picture.id}/download"' in row and "Herunterladen" in row
    assert re.search(r">\s*Löschen<span", row)
    row = page[page.index(f'id="document-{internal.id}"') :]
    row = row[: row.index("</li>")]
    assert ">Intern<" in row and "Für Kunden freigeben" in row
    assert "/thumbnail" not in row and f'href="/staff/documents/{internal.id}/preview"' in row

    customer = await _customer(client_for, tenant)
    portal = (await customer.get("/portal/folders/insurance")).text
    assert f'src="/portal/documents/{picture.id}/thumbnail"' in portal
    assert "Für Kunden sichtbar" not in portal and "Notiz" not in portal
