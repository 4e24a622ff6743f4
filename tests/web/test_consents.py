"""Consent to processing health data (Art. 9 GDPR): the customer gives and withdraws it in the
portal; without it, documents of health contracts are neither shared with the customer nor
uploaded by the customer into such a contract; staff see the state."""

from __future__ import annotations

import re

from tenant_app.models.activity import Event
from tenant_app.models.folders import Contract, Document
from tenant_app.models.legal import ConsentRecord
from tenant_app.models.scoping import tenant_scope
from tenant_app.services import consents
from tests.api_helpers import bearer, field_messages, make_token
from tests.case_helpers import staff_member
from tests.conftest import CUSTOMER_PASSWORD, make_customer
from tests.folder_helpers import PDF_BYTES, add_contract, add_document

PORTAL = "/portal/consents"


async def _customer(client_for, tenant, passwords):
    contact = await make_customer(tenant, passwords, insurance_unlock=True, insurance_share=True)
    customer = client_for(tenant.hostname)
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    return contact, customer


async def _health_contract(tenant, contact) -> Contract:
    contract = await add_contract(tenant, contact, number="KV-1")
    with tenant_scope(tenant.tenant.id):
        await Contract.filter(id=contract.id).update(product_line="Private Krankenversicherung")
        return await Contract.get(id=contract.id)


async def _give(customer) -> None:
    given = await customer.submit(
        PORTAL, {"agree": "on", "text_version": consents.TEXT_VERSION}, form_page=PORTAL
    )
    assert given.status_code == 303, given.text[:300]


def _upload_fields(token: str, contract: Contract, **extra: str) -> dict:
    return {
        "csrf_token": (None, token),
        "folder": (None, "insurance"),
        "contract_id": (None, str(contract.id)),
        "title": (None, "Arztbericht"),
        **{name: (None, value) for name, value in extra.items()},
        "file": ("bericht.pdf", PDF_BYTES, "application/pdf"),
    }


async def test_the_customer_gives_and_withdraws_consent(client_for, tenant, passwords) -> None:
    contact, customer = await _customer(client_for, tenant, passwords)
    page = await customer.get(PORTAL)
    assert page.status_code == 200 and 'id="consent-none"' in page.text
    assert consents.TEXT_VERSION in page.text and "Art. 9 DSGVO" in page.text
    refused = await customer.submit(
        PORTAL, {"text_version": consents.TEXT_VERSION}, form_page=PORTAL
    )
    assert refused.status_code == 422
    assert 'id="consent-agree-error"' in refused.text and "Häkchen" in refused.text
    with tenant_scope(tenant.tenant.id):
        assert not await ConsentRecord.exists()
    await _give(customer)
    await _give(customer)  # a second tab: still one record
    page = await customer.get(PORTAL + "?given=1")
    assert 'id="consent-current"' in page.text and "Einwilligung wurde gespeichert" in page.text
    with tenant_scope(tenant.tenant.id):
        record = await ConsentRecord.get()
        account = await record.given_by
    assert (record.contact_id, record.kind, record.text_version) == (
        contact.id,
        "health_data",
        consents.TEXT_VERSION,
    )
    assert account is not None and account.username == "kai" and record.withdrawn_at is None
    withdrawn = await customer.submit(PORTAL + "/withdraw", form_page=PORTAL)
    assert withdrawn.status_code == 303
    page = await customer.get(withdrawn.headers["location"])
    assert 'id="consent-none"' in page.text and "widerrufen" in page.text
    with tenant_scope(tenant.tenant.id):
        record = await ConsentRecord.get()
        kinds = await Event.filter(kind="consent_changed").values_list("title", flat=True)
    assert record.withdrawn_at is not None and record.withdrawn_by_id == account.id
    assert kinds == [
        "Einwilligung in die Verarbeitung von Gesundheitsdaten erteilt",
        "Einwilligung in die Verarbeitung von Gesundheitsdaten widerrufen",
    ]
    assert f'id="consent-record-{record.id}"' in page.text


async def test_a_changed_text_asks_to_read_it_again(client_for, tenant, passwords) -> None:
    _contact, customer = await _customer(client_for, tenant, passwords)
    stale = await customer.submit(
        PORTAL, {"agree": "on", "text_version": "1999-1"}, form_page=PORTAL
    )
    assert stale.status_code == 422 and "geändert" in stale.text
    assert 'name="agree" value="on" id="consent-agree" checked' in stale.text  # input kept
    with tenant_scope(tenant.tenant.id):
        assert not await ConsentRecord.exists()


async def test_staff_share_a_health_document_only_after_consent(
    client, client_for, tenant, passwords, settings
) -> None:
    contact, customer = await _customer(client_for, tenant, passwords)
    contract = await _health_contract(tenant, contact)
    document = await add_document(tenant, settings, contact, contract=contract, shared=False)
    await client.log_in("alpha-admin")
    folder = f"/staff/contacts/{contact.id}/folders/insurance"
    share = f"/staff/documents/{document.id}/share"
    refused = await client.submit(share, {"shared": "on"}, form_page=folder)
    assert refused.status_code == 303 and "consent_missing=1" in refused.headers["location"]
    page = await client.get(refused.headers["location"])
    assert 'id="consent-missing"' in page.text and "Gesundheitsdaten" in page.text
    with tenant_scope(tenant.tenant.id):
        assert not (await Document.get(id=document.id)).shared_with_customer
    section = await client.get(f"/staff/contacts/{contact.id}/consents")
    assert section.status_code == 200 and "Nicht erteilt" in section.text
    await _give(customer)
    assert (await client.submit(share, {"shared": "on"}, form_page=folder)).status_code == 303
    with tenant_scope(tenant.tenant.id):
        assert (await Document.get(id=document.id)).shared_with_customer
    section = await client.get(f"/staff/contacts/{contact.id}/consents")
    assert "Erteilt" in section.text and consents.TEXT_VERSION in section.text


async def test_staff_upload_into_a_health_contract_shared_needs_consent(
    client, client_for, tenant, passwords
) -> None:
    contact, _customer_client = await _customer(client_for, tenant, passwords)
    contract = await _health_contract(tenant, contact)
    await client.log_in("alpha-admin")
    folder = f"/staff/contacts/{contact.id}/folders/insurance"
    headers = {"Origin": "http://alpha.localhost"}
    token = await client.csrf(folder)
    shared = _upload_fields(token, contract, shared_present="1", shared="on")
    refused = await client.post(
        f"/staff/contacts/{contact.id}/documents", files=shared, headers=headers
    )
    assert refused.status_code == 422 and "Gesundheitsdaten" in refused.text
    assert 'id="shared-' in refused.text and 'value="Arztbericht"' in refused.text
    with tenant_scope(tenant.tenant.id):
        assert not await Document.exists()
    hidden = _upload_fields(token, contract, shared_present="1")
    stored = await client.post(
        f"/staff/contacts/{contact.id}/documents", files=hidden, headers=headers
    )
    assert stored.status_code == 303
    with tenant_scope(tenant.tenant.id):
        assert not (await Document.get()).shared_with_customer


async def test_the_customer_uploads_into_a_health_contract_after_consent(
    client_for, tenant, passwords
) -> None:
    contact, customer = await _customer(client_for, tenant, passwords)
    contract = await _health_contract(tenant, contact)
    headers = {"Origin": "http://alpha.localhost"}
    token = await customer.csrf("/portal/folders/insurance")
    refused = await customer.post(
        "/portal/documents", files=_upload_fields(token, contract), headers=headers
    )
    assert refused.status_code == 422
    assert "Einwilligungen" in refused.text and "Gesundheitsdaten" in refused.text
    with tenant_scope(tenant.tenant.id):
        assert not await Document.exists()
    await _give(customer)
    token = await customer.csrf("/portal/folders/insurance")
    stored = await customer.post(
        "/portal/documents", files=_upload_fields(token, contract), headers=headers
    )
    assert stored.status_code == 303, stored.text[:300]
    with tenant_scope(tenant.tenant.id):
        assert (await Document.get()).uploaded_by_customer


async def test_consents_stay_with_their_tenant_and_contact(
    client, client_for, tenant, other_tenant, passwords
) -> None:
    contact, customer = await _customer(client_for, tenant, passwords)
    await _give(customer)
    other = client_for(other_tenant.hostname)
    await other.log_in("beta-admin")
    assert (await other.get(f"/staff/contacts/{contact.id}/consents")).status_code == 404
    assert (await customer.get(f"/staff/contacts/{contact.id}/consents")).status_code == 403
    await staff_member(tenant, passwords, "mia")  # sees only the contacts she is responsible for
    mia = client_for(tenant.hostname)
    await mia.log_in("mia")
    assert (await mia.get(f"/staff/contacts/{contact.id}/consents")).status_code == 404
    await client.log_in("alpha-admin")
    page = await client.get(f"/staff/contacts/{contact.id}")
    assert f'hx-get="/staff/contacts/{contact.id}/consents"' in page.text
    await make_customer(tenant, passwords, email="lea@kunde.example", first_name="Lea")
    lea = client_for(tenant.hostname)
    await lea.log_in("lea", CUSTOMER_PASSWORD)
    page = await lea.get(PORTAL)
    assert 'id="consent-none"' in page.text  # Kai's consent is his own
    withdrawn = await lea.submit(PORTAL + "/withdraw", form_page=PORTAL)
    assert withdrawn.status_code == 303
    with tenant_scope(tenant.tenant.id):
        assert await ConsentRecord.filter(withdrawn_at=None).count() == 1
    assert re.search(r'id="consent-current"', (await customer.get(PORTAL)).text)


async def test_the_api_shares_a_health_document_only_after_consent(
    client, client_for, tenant, passwords, settings
) -> None:
    contact, customer = await _customer(client_for, tenant, passwords)
    contract = await _health_contract(tenant, contact)
    document = await add_document(tenant, settings, contact, contract=contract, shared=False)
    secret = await make_token(tenant, ["documents:write"])
    path = f"/api/v1/documents/{document.id}"
    change = {"shared_with_customer": True}
    headers = bearer(secret, **{"If-Match": '"1"', "Accept-Language": "de"})
    refused = await client.patch(path, json=change, headers=headers)
    assert "shared_with_customer" in field_messages(refused)
    with tenant_scope(tenant.tenant.id):
        assert not (await Document.get(id=document.id)).shared_with_customer
    await _give(customer)
    saved = await client.patch(path, json=change, headers=headers)
    assert saved.status_code == 200 and saved.json()["shared_with_customer"]


async def test_the_upload_form_of_a_health_contract_asks_for_consent_first(
    client_for, tenant, passwords
) -> None:
    contact, customer = await _customer(client_for, tenant, passwords)
    contract = await _health_contract(tenant, contact)
    other = await add_contract(tenant, contact, number="HR-1")
    form = "/portal/folders/insurance/upload?contract_id={}"
    waiting = await customer.get(form.format(contract.id), headers={"HX-Request": "true"})
    assert 'id="upload-needs-consent"' in waiting.text and 'type="file"' not in waiting.text
    assert 'href="/portal/consents"' in waiting.text
    household = await customer.get(form.format(other.id), headers={"HX-Request": "true"})
    assert 'type="file"' in household.text and "upload-needs-consent" not in household.text
    await _give(customer)
    ready = await customer.get(form.format(contract.id), headers={"HX-Request": "true"})
    assert 'type="file"' in ready.text and "upload-needs-consent" not in ready.text


async def du_walk(walk, kai) -> None:
    """The consent pages for test_du_tenant's walk: read, refused without the tick, given,
    withdrawn."""
    await walk.get(kai, PORTAL)
    await walk.post(kai, PORTAL, 422, {"text_version": consents.TEXT_VERSION})
    await walk.post(kai, PORTAL, 303, {"agree": "on", "text_version": consents.TEXT_VERSION})
    await walk.get(kai, PORTAL + "?given=1")
    await walk.post(kai, PORTAL + "/withdraw", 303, form_page=PORTAL)
    await walk.get(kai, PORTAL + "?withdrawn=1")
