"""Staff photos for the portal's advisor card: uploaded on the own account page, re-encoded,
shown to the tenant's staff and to the member's own customers only."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from tenant_app.demo.logo import logo_png
from tenant_app.models.accounts import User
from tenant_app.models.contacts import ContactResponsible
from tenant_app.models.folders import AuditEntry
from tenant_app.models.scoping import tenant_scope
from tests.conftest import CUSTOMER_PASSWORD, make_customer
from tests.web.test_du_tenant import visible_text
from tests.web.test_tickets import make_staff

SECURITY = "/account/security"
UPLOAD = "/account/photo"


def jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (800, 600), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "Kamera GmbH"  # Make
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes())
    return buffer.getvalue()


async def upload(client: Any, data: bytes, name: str = "ich.jpg") -> Any:
    token = await client.csrf(SECURITY)
    return await client.post(
        UPLOAD,
        data={"csrf_token": token},
        files={"photo": (name, data, "image/jpeg")},
        headers={"Origin": f"http://{client.base_url.host}"},
    )


async def photo_key(tenant: Any, username: str) -> str | None:
    with tenant_scope(tenant.tenant.id):
        return (await User.get(username=username)).photo_key


async def test_a_staff_member_uploads_a_photo_and_their_customer_sees_it(
    tenant, passwords, client_for, settings
) -> None:
    anna = await make_staff(tenant, passwords, "anna", "Anna", handles_tickets=True)
    kai = await make_customer(tenant, passwords, communication=True)
    with tenant_scope(tenant.tenant.id):
        await ContactResponsible.create(contact_id=kai.id, user_id=anna.id)
    staff = client_for(tenant.hostname)
    await staff.log_in("anna")
    page = await staff.get(SECURITY)
    assert "Ihr Foto für Kunden" in visible_text(page.text)
    saved = await upload(staff, jpeg_with_exif())
    assert saved.status_code == 303
    assert "Foto gespeichert." in visible_text((await staff.get(saved.headers["location"])).text)
    key = await photo_key(tenant, "anna")
    assert key
    with tenant_scope(tenant.tenant.id):
        assert await AuditEntry.filter(action="staff_photo_saved", subject_id=anna.id).exists()
    customer = client_for(tenant.hostname)
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    home = (await customer.get("/portal")).text
    assert f'src="/photos/staff/{anna.id}?v={key[-12:]}"' in home
    picture = await customer.get(f"/photos/staff/{anna.id}")
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(picture.content)) as image:
        assert image.size == (320, 320)
        assert not image.getexif()  # re-encoded: the camera's data are gone
    assert (await staff.get(f"/photos/staff/{anna.id}")).status_code == 200
    again = await upload(staff, logo_png(), "neu.png")  # the old file goes
    assert again.status_code == 303
    assert not (settings.storage_dir / key).exists()
    removed = await staff.submit("/account/photo/remove", {}, form_page=SECURITY)
    assert removed.status_code == 303
    assert await photo_key(tenant, "anna") is None
    assert (await customer.get(f"/photos/staff/{anna.id}")).status_code == 404


async def test_only_the_members_customers_and_staff_of_the_tenant_see_it(
    tenant, other_tenant, passwords, client_for
) -> None:
    anna = await make_staff(tenant, passwords, "anna", "Anna")
    staff = client_for(tenant.hostname)
    await staff.log_in("anna")
    assert (await upload(staff, jpeg_with_exif())).status_code == 303
    await make_customer(tenant, passwords)  # Anna is not his advisor
    stranger = client_for(tenant.hostname)
    await stranger.log_in("kai", CUSTOMER_PASSWORD)
    assert (await stranger.get(f"/photos/staff/{anna.id}")).status_code == 404
    await make_customer(other_tenant, passwords, email="bea@kunde.example")
    beta_admin, bea = client_for(other_tenant.hostname), client_for(other_tenant.hostname)
    await beta_admin.log_in("beta-admin")
    await bea.log_in("bea", CUSTOMER_PASSWORD)
    for client in (beta_admin, bea):
        assert (await client.get(f"/photos/staff/{anna.id}")).status_code == 404
    anonymous = client_for(tenant.hostname)
    assert (await anonymous.get(f"/photos/staff/{anna.id}")).status_code in (302, 303, 401)


async def test_a_file_that_is_no_picture_is_refused_at_the_field(
    tenant, passwords, client_for
) -> None:
    await make_staff(tenant, passwords, "anna", "Anna")
    staff = client_for(tenant.hostname)
    await staff.log_in("anna")
    refused = await upload(staff, b"%PDF-1.4 kein Bild", "ich.jpg")
    assert refused.status_code == 422
    error = refused.text.split('id="f-photo-error">', 1)[1].split("</p>", 1)[0]
    assert error.strip()
    assert await photo_key(tenant, "anna") is None


async def test_customers_have_no_photo_section_and_cannot_upload(
    tenant, passwords, client_for
) -> None:
    await make_customer(tenant, passwords)
    customer = client_for(tenant.hostname)
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    assert 'id="staff-photo"' not in (await customer.get(SECURITY)).text
    refused = await upload(customer, jpeg_with_exif())
    assert refused.status_code in (403, 404)
