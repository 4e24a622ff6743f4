"""Claims (Schäden): a customer reports a loss with photos and documents in the portal; staff
find it in their list, see the photos as thumbnails and move it on; the customer is told."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import date, timedelta

import pytest

from tenant_app.models.activity import Notification
from tenant_app.models.claims import Claim, ClaimFile
from tenant_app.models.contacts import ContactResponsible
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant
from tenant_app.tenancy import tenant_cache
from tests.case_helpers import staff_member
from tests.claim_helpers import (
    REPORT,
    TAKEN,
    claims_of,
    exif_of,
    files_of,
    photo,
    report,
    stored,
)
from tests.conftest import CUSTOMER_PASSWORD, make_customer
from tests.folder_helpers import PDF_BYTES, add_contract

ORIGIN = {"Origin": "http://alpha.localhost"}


@pytest.fixture
async def contact(tenant, passwords):
    return await make_customer(tenant, passwords, insurance_share=True, communication=True)


@pytest.fixture
async def customer(client_for, tenant, contact):
    browser = client_for(tenant.hostname)
    await browser.log_in("kai", CUSTOMER_PASSWORD)
    return browser


@pytest.fixture
async def admin(client):
    await client.log_in("alpha-admin")
    return client


def _text(page) -> str:
    return html.unescape(page.text)


def _error(page, field: str) -> str:
    found = re.search(rf'id="{re.escape(field)}-error">([^<]*)<', page.text)
    assert found, f"no error next to {field}"
    return html.unescape(found.group(1))


async def test_a_customer_reports_a_claim_with_photos_and_a_document(
    customer, admin, tenant, contact, settings, app
) -> None:
    contract = await add_contract(tenant, contact, number="HR-7")
    form = await customer.get("/portal/claims/new")
    assert form.status_code == 200
    assert 'accept="image/*,application/pdf"' in form.text and "multiple" in form.text
    assert f'value="{contract.id}"' in form.text  # the contracts the customer sees
    assert '<progress class="progress"' in form.text
    files = [
        ("kueche.jpg", photo("red"), "image/jpeg"),
        ("boden.jpg", photo("blue"), "image/jpeg"),
        ("Rechnung.pdf", PDF_BYTES, "application/pdf"),
    ]
    sent = await report(customer, files, contract_id=str(contract.id))
    assert sent.status_code == 303, sent.text[:2000]
    (claim,) = await claims_of(tenant)
    year = date.today().replace(day=1).year
    assert claim.number == f"S-{year}-0001" and claim.status == "reported"
    assert claim.contract_id == contract.id and claim.by_customer
    page = await customer.get(sent.headers["location"])
    text = _text(page)
    assert "Ihr Schaden wurde gemeldet" in text and f"S-{year}-0001" in text
    assert re.search(r'id="claim-status">Gemeldet<', text)
    rows = await files_of(tenant)
    assert [row.kind for row in rows] == ["photo", "photo", "document"]
    for row in rows[:2]:
        thumb = f"/portal/claims/{claim.id}/files/{row.id}/thumbnail"
        assert thumb in page.text
        served = await customer.get(thumb)
        assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
        main, gps = exif_of((await customer.get(thumb.rsplit("/", 1)[0])).content)
        assert gps == {} and 0x010F not in main  # no location, no camera
    assert (await customer.get(f"/portal/claims/{claim.id}/files/{rows[2].id}")).content == (
        PDF_BYTES
    )
    # Two photos, their thumbnails and the PDF: five files stored.
    assert len(stored(settings, tenant)) == 5
    # Staff: told, and the claim first in their list.
    with tenant_scope(tenant.tenant.id):
        told = await Notification.filter(event__kind="claim_reported").count()
    assert told == 1
    listed = await admin.get("/staff/claims")
    assert listed.status_code == 200 and f'id="claim-{claim.id}"' in listed.text
    detail = await admin.get(f"/staff/claims/{claim.id}")
    assert f"/staff/claims/{claim.id}/files/{rows[0].id}/thumbnail" in detail.text
    assert "HR-7" in detail.text and "Wasserschaden" in detail.text
    served = await admin.get(f"/staff/claims/{claim.id}/files/{rows[0].id}/thumbnail")
    assert served.status_code == 200


async def test_location_data_stay_when_the_customer_asks(customer, tenant) -> None:
    sent = await report(customer, [("ort.jpg", photo(), "image/jpeg")], keep_location=True)
    assert sent.status_code == 303
    (claim,) = await claims_of(tenant)
    (row,) = await files_of(tenant)
    main, gps = exif_of((await customer.get(f"/portal/claims/{claim.id}/files/{row.id}")).content)
    assert gps[1] == "N" and gps[3] == "E" and main[0x0132] == TAKEN
    assert 0x010F not in main  # the camera's make still goes


@pytest.mark.parametrize(
    ("fields", "files", "field", "message"),
    [
        (
            {"loss_date": (date.today() + timedelta(days=2)).isoformat()},
            [],
            "f-loss_date",
            "Zukunft",
        ),
        ({"description": "  "}, [], "f-description", "beschreiben"),
        ({"kind": "meteor"}, [], "f-kind", "Bitte wählen"),
        (
            {},
            [("ok.jpg", photo(), "image/jpeg"), ("fake.jpg", b"MZ\x90\x00" * 50, "image/jpeg")],
            "claim-files",
            "fake.jpg",
        ),
        (
            {},
            [("kaputt.jpg", b"\xff\xd8\xff" + b"\x00" * 200, "image/jpeg")],
            "claim-files",
            "kaputt",
        ),
    ],
)
async def test_a_bad_report_is_refused_next_to_the_field_and_stores_nothing(
    customer, tenant, settings, fields, files, field, message
) -> None:
    sent = await report(customer, files, **fields)
    assert sent.status_code == 422
    assert message in _error(sent, field)
    assert "Wasserschaden" in sent.text or fields.get("description") == "  "
    assert await claims_of(tenant) == [] and await files_of(tenant) == []
    assert stored(settings, tenant) == []


async def test_a_too_large_file_is_refused(customer, tenant, settings, app) -> None:
    before = app.state.settings
    app.state.settings = replace(before, max_upload_bytes=3000)
    try:
        big = ("gross.pdf", PDF_BYTES + b"%" * 5000, "application/pdf")
        sent = await report(customer, [("ok.jpg", photo(size=(40, 30)), "image/jpeg"), big])
    finally:
        app.state.settings = before
    assert sent.status_code == 422 and "zu groß" in _error(sent, "claim-files")
    assert await claims_of(tenant) == [] and stored(settings, tenant) == []


async def test_a_contract_the_customer_does_not_see_is_refused(
    customer, tenant, contact, passwords
) -> None:
    other = await make_customer(tenant, passwords, email="olga@kunde.example", first_name="Olga")
    foreign = await add_contract(tenant, other, number="X-1")
    sent = await report(customer, [], contract_id=str(foreign.id))
    assert sent.status_code == 422 and "Verträge" in _error(sent, "f-contract_id")


async def test_claims_are_the_customers_own_and_the_tenants_own(
    customer, admin, client_for, tenant, other_tenant, passwords
) -> None:
    assert (await report(customer, [("a.jpg", photo(), "image/jpeg")])).status_code == 303
    (claim,) = await claims_of(tenant)
    (row,) = await files_of(tenant)
    paths = [
        f"/portal/claims/{claim.id}",
        f"/portal/claims/{claim.id}/files/{row.id}",
        f"/portal/claims/{claim.id}/files/{row.id}/thumbnail",
    ]
    await make_customer(tenant, passwords, email="olga@kunde.example", first_name="Olga")
    olga = client_for(tenant.hostname)
    await olga.log_in("olga", CUSTOMER_PASSWORD)
    for path in paths:
        assert (await olga.get(path)).status_code == 404, path
    assert claim.number not in (await olga.get("/portal/claims")).text
    beta = client_for(other_tenant.hostname)
    await beta.log_in("beta-admin")
    staff_paths = [path.replace("/portal/", "/staff/") for path in paths]
    for path in staff_paths:
        assert (await beta.get(path)).status_code == 404, path
        assert (await admin.get(path)).status_code == 200, path
    # A staff member who does not see the contact: as if there were no claim.
    await staff_member(tenant, passwords, "sina")
    sina = client_for(tenant.hostname)
    await sina.log_in("sina")
    for path in staff_paths:
        assert (await sina.get(path)).status_code == 404, path
    assert claim.number not in (await sina.get("/staff/claims")).text
    # The customer cannot use staff URLs.
    assert (await customer.get(staff_paths[0])).status_code == 404


async def test_switched_off_claims_are_not_there(customer, admin, tenant) -> None:
    await Tenant.filter(id=tenant.tenant.id).update(modules="offers")
    tenant_cache.invalidate()
    for path in ("/portal/claims", "/portal/claims/new"):
        assert (await customer.get(path)).status_code == 404
    assert (await admin.get("/staff/claims")).status_code == 404
    assert 'href="/portal/claims"' not in (await customer.get("/portal")).text


async def test_a_status_change_and_a_note_are_told_to_the_customer(customer, admin, tenant) -> None:
    assert (await report(customer, [])).status_code == 303
    (claim,) = await claims_of(tenant)
    path = f"/staff/claims/{claim.id}"
    data = {"status": "at_insurer", "note_to_customer": "Liegt beim Versicherer.", "version": "1"}
    saved = await admin.submit(path, data)
    assert saved.status_code == 303
    with tenant_scope(tenant.tenant.id):
        after = await Claim.get(id=claim.id)
        told = await Notification.filter(event__kind="claim_updated", user__kind="customer").count()
    assert (after.status, after.version) == ("at_insurer", 2) and told == 1
    page = _text(await customer.get(path.replace("/staff/", "/portal/")))
    assert "Beim Versicherer" in page and "Liegt beim Versicherer." in page
    history = _text(await admin.get(path))
    assert "Beim Versicherer" in history
    # A form loaded before that save: refused, nothing changed.
    stale = await admin.submit(path, {**data, "status": "settled"})
    assert stale.status_code == 409
    with tenant_scope(tenant.tenant.id):
        assert (await Claim.get(id=claim.id)).status == "at_insurer"


async def test_staff_write_to_the_customer_about_a_claim(customer, admin, tenant) -> None:
    from tenant_app.models.conversations import Conversation

    assert (await report(customer, [])).status_code == 303
    (claim,) = await claims_of(tenant)
    path = f"/staff/claims/{claim.id}"
    sent = await admin.submit(
        f"{path}/ticket",
        {"subject": claim.number, "body": "Bitte Rechnung schicken."},
        form_page=path,
    )
    assert sent.status_code == 303
    with tenant_scope(tenant.tenant.id):
        ticket = await Conversation.get(claim_id=claim.id)
    assert ticket.subject == claim.number
    assert f"/staff/tickets/{ticket.id}" in (await admin.get(path)).text


async def test_the_responsible_staff_member_is_told_of_a_new_claim(
    customer, tenant, contact, passwords
) -> None:
    sina = await staff_member(tenant, passwords, "sina")
    with tenant_scope(tenant.tenant.id):
        await ContactResponsible.create(contact_id=contact.id, user_id=sina.id)
    assert (await report(customer, [])).status_code == 303
    (claim,) = await claims_of(tenant)
    with tenant_scope(tenant.tenant.id):
        told = await Notification.filter(event__kind="claim_reported").values_list(
            "user_id", flat=True
        )
    assert list(told) == [sina.id] and claim.responsible_id == sina.id


async def test_numbers_count_up_per_tenant(customer, tenant) -> None:
    for _ in range(3):
        assert (await report(customer, [])).status_code == 303
    numbers = [claim.number for claim in await claims_of(tenant)]
    assert [number[-4:] for number in numbers] == ["0001", "0002", "0003"]
    listed = (await customer.get("/portal/claims")).text
    assert listed.index(numbers[2]) < listed.index(numbers[0])  # newest first


async def du_walk(walk, kai) -> None:
    """For the Du tenant's walk (test_du_tenant.py): the claim pages and the report form with
    its errors and confirmation (the module switched on for it)."""
    tenant = await Tenant.get(id=walk.tenant_id)
    modules = [name for name in tenant.modules.split(",") if name]
    await Tenant.filter(id=walk.tenant_id).update(modules=",".join([*modules, "claims"]))
    tenant_cache.invalidate()
    await walk.get(kai, "/portal/claims")
    await walk.get(kai, "/portal/claims/new")
    bad = {**REPORT, "description": "", "loss_date": ""}
    await walk.post(kai, "/portal/claims", 422, bad, files={}, form_page="/portal/claims/new")
    picture = {"file": ("foto.jpg", photo(), "image/jpeg")}
    sent = await walk.post(
        kai, "/portal/claims", 303, REPORT, files=picture, form_page="/portal/claims/new"
    )
    with tenant_scope(walk.tenant_id):
        claim = await Claim.filter(number__startswith="S-").order_by("-id").first()
        (row,) = await ClaimFile.filter(claim_id=claim.id)
        await Claim.filter(id=claim.id).update(note_to_customer="Wir melden uns.")
    assert sent is not None
    await walk.get(kai, f"/portal/claims/{claim.id}")
    await walk.get(kai, f"/portal/claims/{claim.id}/files/{row.id}")
    await walk.get(kai, f"/portal/claims/{claim.id}/files/{row.id}/thumbnail")


async def test_webhooks_hear_of_reported_and_updated_claims(customer, admin, tenant) -> None:
    from tenant_app.models.integration import WebhookDelivery, WebhookEndpoint

    with tenant_scope(tenant.tenant.id):
        await WebhookEndpoint.create(
            url="https://crm.example.com/hooks",
            event_types=["claim.reported", "claim.updated"],
            secret="whsec_" + "a" * 44,
        )
    assert (await report(customer, [])).status_code == 303
    (claim,) = await claims_of(tenant)
    data = {"status": "in_progress", "note_to_customer": "", "version": "1"}
    assert (await admin.submit(f"/staff/claims/{claim.id}", data)).status_code == 303
    with tenant_scope(tenant.tenant.id):
        sent = await WebhookDelivery.all().order_by("id").values_list("event_type", flat=True)
    assert list(sent) == ["claim.reported", "claim.updated"]
