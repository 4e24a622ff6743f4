"""The customer portal shows and allows exactly what the spec's permission table says."""

from __future__ import annotations

import itertools
import re

import pytest

from tenant_app.models.folders import Contract, Document
from tenant_app.models.scoping import tenant_scope
from tests.conftest import CUSTOMER_PASSWORD, make_customer
from tests.folder_helpers import PDF_BYTES, add_contract, add_document
from tests.test_permissions import TABLE

CONTRACT = {
    "product_line": "Kfz",
    "insurer": "Condor Allgemeine Versicherungs-AG",
    "insurance_number": "KFZ-77",
    "gross_premium": "45,90",
    "payment_frequency": "monthly",
}


async def _portal(client_for, tenant, passwords, **flags):
    contact = await make_customer(tenant, passwords, **flags)
    customer = client_for(tenant.hostname)
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    return contact, customer


@pytest.mark.parametrize("flags", list(TABLE))
async def test_folder_shows_and_offers_exactly_what_the_table_allows(
    client_for, tenant, passwords, settings, flags
) -> None:
    unlock, share, readonly = flags
    visible, sees_broker, sees_own, creates, edits_own, edits_broker = TABLE[flags]
    contact, customer = await _portal(
        client_for,
        tenant,
        passwords,
        insurance_unlock=unlock,
        insurance_share=share,
        insurance_readonly=readonly,
    )
    broker = await add_contract(tenant, contact, number="BROKER-1")
    own = await add_contract(tenant, contact, by_customer=True, number="OWN-1")
    broker_doc = await add_document(
        tenant, settings, contact, contract=broker, title="Maklerpolice"
    )
    home = await customer.get("/portal")
    page = await customer.get("/portal/folders/insurance")
    if not visible:
        assert 'id="tile-insurance"' not in home.text
        assert page.status_code == 404
        assert (
            await customer.get(f"/portal/documents/{broker_doc.id}/download")
        ).status_code == 404
        return
    assert 'id="tile-insurance"' in home.text
    assert ("BROKER-1" in page.text) is sees_broker
    assert ("OWN-1" in page.text) is sees_own
    assert ("Vertrag hinzufügen" in page.text) is creates
    assert (f"/portal/contracts/{own.id}/delete" in page.text) is edits_own
    assert (f"/portal/contracts/{broker.id}/delete" in page.text) is edits_broker
    download = await customer.get(f"/portal/documents/{broker_doc.id}/download")
    assert download.status_code == (200 if sees_broker else 404)

    created = await customer.submit(
        "/portal/folders/insurance/contracts", CONTRACT, form_page="/portal/folders/insurance"
    )
    assert created.status_code == (303 if creates else 403)
    deleted = await customer.submit(
        f"/portal/contracts/{broker.id}/delete", form_page="/portal/folders/insurance"
    )
    assert deleted.status_code == (303 if edits_broker else 403 if sees_broker else 404)
    with tenant_scope(tenant.tenant.id):
        assert await Contract.filter(created_by_customer=True).count() == (2 if creates else 1)
        assert (await Contract.get(id=broker.id)).deleted_at is not None if edits_broker else True
        assert await Contract.filter(
            id=broker.id
        ).exists()  # a customer's delete is never a hard delete


async def test_customer_contract_starts_in_status_start(client_for, tenant, passwords) -> None:
    contact, customer = await _portal(client_for, tenant, passwords, insurance_unlock=True)
    response = await customer.submit(
        "/portal/folders/insurance/contracts",
        {**CONTRACT, "status": "active"},
        form_page="/portal/folders/insurance/contracts/new",
    )
    assert response.status_code == 303
    with tenant_scope(tenant.tenant.id):
        contract = await Contract.get()
    assert (contract.status, contract.created_by_customer) == ("start", True)
    page = await customer.get("/portal/folders/insurance?added=1")
    assert "KFZ-77" in page.text and "45,90\xa0€" in page.text


async def test_customer_upload_appears_for_staff(client, client_for, tenant, passwords) -> None:
    contact, customer = await _portal(client_for, tenant, passwords, finance_unlock=True)
    token = await customer.csrf("/portal/folders/finance")
    response = await customer.post(
        "/portal/documents",
        files={
            "csrf_token": (None, token),
            "folder": (None, "finance"),
            "contract_id": (None, ""),
            "title": (None, "Kontoauszug"),
            "file": ("IMG_0001.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 64, "image/jpeg"),
        },
        headers={"Origin": "http://alpha.localhost"},
    )
    assert response.status_code == 303, response.text[:300]
    await client.log_in("alpha-admin")
    page = await client.get(f"/staff/contacts/{contact.id}/folders/finance")
    assert "Kontoauszug" in page.text and "vom Kunden" in page.text
    with tenant_scope(tenant.tenant.id):
        document = await Document.get()
    assert (document.uploaded_by_customer, document.shared_with_customer, document.filename) == (
        True,
        True,
        "IMG_0001.jpg",
    )


async def test_upload_form_offers_camera_and_files(client_for, tenant, passwords) -> None:
    """No `capture` on the file input: on phones it opens only the camera, and an existing PDF
    cannot be chosen. The camera is a second, nameless input ("Foto aufnehmen")."""
    contact, customer = await _portal(client_for, tenant, passwords, finance_unlock=True)
    form = await customer.get("/portal/folders/finance/upload", headers={"HX-Request": "true"})
    files = re.findall(r'<input[^>]*name="file"[^>]*>', form.text)
    assert len(files) == 1 and "capture" not in files[0]
    assert 'capture="environment"' in form.text and "Foto aufnehmen" in form.text
    assert 'accept=".pdf' in form.text and "image/*" in form.text and "application/pdf" in form.text


async def test_internal_documents_stay_hidden(client_for, tenant, passwords, settings) -> None:
    contact, customer = await _portal(client_for, tenant, passwords, insurance_share=True)
    contract = await add_contract(tenant, contact)
    internal = await add_document(
        tenant, settings, contact, contract=contract, title="Notiz intern", shared=False
    )
    page = await customer.get("/portal/folders/insurance")
    assert "Notiz intern" not in page.text
    assert (await customer.get(f"/portal/documents/{internal.id}/download")).status_code == 404


async def test_guessed_ids_of_other_customers_and_tenants_are_404(
    client_for, tenant, other_tenant, passwords, settings
) -> None:
    contact, customer = await _portal(client_for, tenant, passwords, insurance_share=True)
    neighbour = await make_customer(
        tenant, passwords, email="nina@nachbar.example", first_name="Nina", insurance_share=True
    )
    foreign = await make_customer(
        other_tenant, passwords, email="fritz@fremd.example", insurance_share=True
    )
    targets = []
    for owner_tenant, owner in ((tenant, neighbour), (other_tenant, foreign)):
        contract = await add_contract(owner_tenant, owner, number="SECRET-9")
        document = await add_document(
            owner_tenant, settings, owner, contract=contract, title="Geheim"
        )
        targets.append((contract, document))
    for contract, document in targets:
        for path in (
            f"/portal/contracts/{contract.id}",
            f"/portal/documents/{document.id}/download",
        ):
            response = await customer.get(path)
            assert response.status_code == 404 and "SECRET-9" not in response.text
        for path in (
            f"/portal/contracts/{contract.id}/delete",
            f"/portal/contracts/{contract.id}",
            f"/portal/documents/{document.id}/delete",
        ):
            response = await customer.submit(path, CONTRACT, form_page="/portal")
            assert response.status_code == 404
    with tenant_scope(tenant.tenant.id):
        assert await Contract.filter(deleted_at=None).count() == 1
    with tenant_scope(other_tenant.tenant.id):
        assert await Document.all().count() == 1


@pytest.mark.parametrize(("visible", "editable"), list(itertools.product((False, True), repeat=2)))
async def test_profile_as_permitted(client_for, tenant, passwords, visible, editable) -> None:
    contact, customer = await _portal(
        client_for, tenant, passwords, profile_visible=visible, profile_editable=editable
    )
    page = await customer.get("/portal/profile")
    assert 'href="/account/password"' in page.text  # the login is always the customer's own
    if not visible:
        assert page.status_code == 200 and 'id="profile-data"' not in page.text
        assert contact.email not in page.text
        saved = await customer.submit("/portal/profile", {"street": "Hauptstr. 1"})
        assert saved.status_code == 404
        return
    assert ('name="street"' in page.text) is editable
    saved = await customer.submit(
        "/portal/profile",
        {
            "street": "Hauptstr. 1",
            "postal_code": "50667",
            "city": "Köln",
            "phone": "+49 221 123",
            "version": "1",  # as the form was loaded
        },
    )
    assert saved.status_code == (303 if editable else 403)
    if editable:
        bad = await customer.submit(
            "/portal/profile", {"street": "", "postal_code": "5066", "city": "", "phone": "abc"}
        )
        assert (
            bad.status_code == 422
            and 'id="f-postal_code-error"' in bad.text
            and 'id="f-phone-error"' in bad.text
        )


async def test_customer_without_any_right_sees_a_friendly_empty_portal(
    client_for, tenant, passwords
) -> None:
    contact, customer = await _portal(client_for, tenant, passwords)
    home = await customer.get("/portal")
    assert 'id="nothing-shared"' in home.text
    for folder in ("insurance", "finance", "other", "emergency"):
        assert (await customer.get(f"/portal/folders/{folder}")).status_code == 404


async def test_document_download_streams_as_attachment(
    client_for, tenant, passwords, settings
) -> None:
    contact, customer = await _portal(client_for, tenant, passwords, insurance_readonly=True)
    contract = await add_contract(tenant, contact)
    document = await add_document(tenant, settings, contact, contract=contract)
    response = await customer.get(f"/portal/documents/{document.id}/download")
    assert response.content == PDF_BYTES
    assert response.headers["content-disposition"].startswith("attachment")
    assert "sandbox" in response.headers["content-security-policy"]


async def test_a_contracts_upload_form_arrives_when_its_button_opens(
    client_for, tenant, passwords, other_tenant
) -> None:
    contact, customer = await _portal(client_for, tenant, passwords, insurance_share=True)
    contract = await add_contract(tenant, contact, number="HR-5")
    page = await customer.get("/portal/folders/insurance")
    form_url = f"/portal/folders/insurance/upload?contract_id={contract.id}"
    # the folder page carries a button that fetches the form, not the form itself
    assert f'hx-get="{form_url}"' in page.text
    assert f'name="contract_id" value="{contract.id}"' not in page.text

    fragment = await customer.get(form_url, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert f'name="contract_id" value="{contract.id}"' in fragment.text
    assert 'name="csrf_token"' in fragment.text and "<html" not in fragment.text
    # without JavaScript the link opens the form as a page of its own
    full = await customer.get(form_url)
    assert "<html" in full.text and "HR-5" in full.text and 'type="file"' in full.text


async def test_upload_form_only_where_the_customer_may_add(client_for, tenant, passwords) -> None:
    contact, customer = await _portal(
        client_for, tenant, passwords, insurance_share=True, insurance_readonly=True
    )
    contract = await add_contract(tenant, contact, folder="finance", number="FIN-1")
    readonly = await customer.get("/portal/folders/insurance/upload")
    assert readonly.status_code == 404
    assert (await customer.get("/portal/folders/nowhere/upload")).status_code == 404
    with tenant_scope(tenant.tenant.id):
        await Contract.filter(id=contract.id).update(folder="insurance")
    # another folder's contract, or a contract id that is not a number: not found
    assert (await customer.get("/portal/folders/finance/upload")).status_code == 404
    for junk in ("abc", "²", "99999999999", "0", "-1"):
        response = await customer.get(f"/portal/folders/insurance/upload?contract_id={junk}")
        assert response.status_code == 404


async def test_upload_form_does_not_reach_another_customers_contract(
    client_for, tenant, passwords
) -> None:
    contact, customer = await _portal(client_for, tenant, passwords, insurance_share=True)
    other = await make_customer(
        tenant, passwords, email="lea@kunde.example", first_name="Lea", insurance_share=True
    )
    foreign = await add_contract(tenant, other, number="LEA-1")
    response = await customer.get(f"/portal/folders/insurance/upload?contract_id={foreign.id}")
    assert response.status_code == 404 and "LEA-1" not in response.text


async def test_customer_deletes_own_upload_but_never_a_brokers_file(
    client_for, tenant, passwords, settings
) -> None:
    contact, customer = await _portal(client_for, tenant, passwords, finance_unlock=True)
    with tenant_scope(tenant.tenant.id):
        own = await add_document(
            tenant, settings, contact, folder="finance", title="Eigener Beleg", by_customer=True
        )
        broker = await add_document(tenant, settings, contact, folder="finance", title="Depot")
    page = await customer.get("/portal/folders/finance")
    assert f"/portal/documents/{own.id}/delete" in page.text
    assert f"/portal/documents/{broker.id}/delete" not in page.text
    token = await customer.csrf("/portal/folders/finance")
    gone = await customer.post(
        f"/portal/documents/{own.id}/delete",
        data={"csrf_token": token},
        headers={"Origin": "http://alpha.localhost"},
    )
    assert gone.status_code == 303
    with tenant_scope(tenant.tenant.id):
        assert await Document.filter(id=own.id).count() == 0
        assert await Document.filter(id=broker.id).count() == 1
