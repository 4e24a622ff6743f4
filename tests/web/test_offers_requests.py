"""Offers customers ask for: the request with an attachment, its ticket, staff's list and
answering it with an offer; validation, isolation and constant query counts."""

from __future__ import annotations

from typing import Any

import pytest

from tenant_app.models.contacts import ContactResponsible
from tenant_app.models.conversations import Conversation, ConversationEntry
from tenant_app.models.engagement import OfferRequest
from tenant_app.models.folders import Contract, Insurer
from tenant_app.models.scoping import tenant_scope
from tests.conftest import CUSTOMER_PASSWORD, make_customer, page_queries
from tests.folder_helpers import PDF_BYTES
from tests.web.test_offers import FULL, make_world, switch_on
from tests.web.test_tickets import make_staff

PATH = "/portal/offers/request"


@pytest.fixture
async def office(tenant: Any, passwords: Any, client_for: Any) -> dict[str, Any]:
    return await make_world(tenant, passwords, client_for)


async def _ask(customer: Any, description: str = "Neue Wohnung, 80 qm", **files: Any) -> Any:
    token = await customer.csrf(PATH)
    data = {"csrf_token": token, "product_line": "hausrat", "description": description}
    headers = {"Origin": f"http://{customer.host}"}
    return await customer.post(PATH, data=data, files=files or None, headers=headers)


async def test_request_with_attachment_and_answer(tenant: Any, office: dict[str, Any]) -> None:
    customer, staff = office["customer"], office["staff"]
    form = await customer.get(PATH)
    assert form.status_code == 200 and 'value="hausrat"' in form.text
    sent = await _ask(customer, file=("grundriss.pdf", PDF_BYTES, "application/pdf"))
    assert sent.status_code == 303, sent.text[:2000]
    with tenant_scope(tenant.tenant.id):
        found = await OfferRequest.get()
        assert found.product_line == "hausrat" and found.status == "open"
        ticket = await Conversation.get(id=found.conversation_id)
        entry = await ConversationEntry.get(conversation_id=ticket.id)
        assert entry.document_id is not None and "80 qm" in entry.body
    listing = await staff.get("/staff/offer-requests")
    assert f'id="offer-request-{found.id}"' in listing.text
    answer_path = f"/staff/offer-requests/{found.id}/answer"
    answer = await staff.get(answer_path)
    assert answer.status_code == 200
    assert 'value="offer" selected' in answer.text and 'id="f-product_line"' in answer.text
    with tenant_scope(tenant.tenant.id):
        insurer = await Insurer.filter(name__startswith="Condor").first()
    values = {
        "status": "offer",
        "product_line": "Hausrat",
        "insurer": insurer.name if insurer else "Condor",
        "insurance_number": "ANG-1",
        "gross_premium": "9,90",
        "payment_frequency": "monthly",
    }
    saved = await staff.submit(answer_path, values)
    assert saved.status_code == 303, saved.text[:3000]
    with tenant_scope(tenant.tenant.id):
        found = await OfferRequest.get(id=found.id)
        assert found.status == "answered"
        offer = await Contract.get(id=found.offer_id)
        assert offer.status == "offer" and offer.insurance_number == "ANG-1"
    # answered: no second answer, and the list's filter shows it under "answered"
    assert (await staff.get(answer_path)).status_code == 404
    answered = await staff.get("/staff/offer-requests?status=answered")
    assert f'id="offer-request-{found.id}"' in answered.text
    section = await staff.get(f"/staff/contacts/{office['contact'].id}/offer-requests")
    assert f'id="offer-request-{found.id}"' in section.text
    portal = await customer.get("/portal/offers")
    assert f'id="offer-{offer.id}"' in portal.text


async def test_request_is_validated(tenant: Any, office: dict[str, Any]) -> None:
    customer = office["customer"]
    token = await customer.csrf(PATH)
    bad = await customer.post(
        PATH,
        data={"csrf_token": token, "product_line": "yacht", "description": " "},
        headers={"Origin": f"http://{customer.host}"},
    )
    assert bad.status_code == 422
    assert 'id="f-product_line-error"' in bad.text and 'id="f-description-error"' in bad.text
    wrong_file = await _ask(customer, file=("x.exe", b"MZ\x90\x00" * 10, "application/x-msdos"))
    assert wrong_file.status_code == 422
    with tenant_scope(tenant.tenant.id):
        assert not await OfferRequest.exists()
        assert not await Conversation.exists()


async def test_requests_of_others_are_not_found(
    tenant: Any, other_tenant: Any, passwords: Any, office: dict[str, Any], client_for: Any
) -> None:
    await _ask(office["customer"])
    with tenant_scope(tenant.tenant.id):
        found = await OfferRequest.get()
    # a colleague not responsible for the contact, and another tenant's admin
    await make_staff(tenant, passwords, "otto", "Otto", access_insurance="write")
    otto = client_for(tenant.hostname)
    await otto.log_in("otto")
    assert f'id="offer-request-{found.id}"' not in (await otto.get("/staff/offer-requests")).text
    assert (await otto.get(f"/staff/offer-requests/{found.id}/answer")).status_code == 404
    await switch_on(other_tenant, "offers")
    beta = client_for(other_tenant.hostname)
    await beta.log_in("beta-admin")
    assert (await beta.get(f"/staff/offer-requests/{found.id}/answer")).status_code == 404
    # a customer never reaches the staff list
    assert (await office["customer"].get("/staff/offer-requests")).status_code in (403, 404)


async def test_list_query_count_is_constant(
    tenant: Any, passwords: Any, office: dict[str, Any], client_for: Any
) -> None:
    staff = office["staff"]
    await _ask(office["customer"])
    one = await page_queries(staff, "/staff/offer-requests")
    for number in range(3):
        email = f"k{number}@kunde.example"
        contact = await make_customer(tenant, passwords, email=email, **FULL)
        with tenant_scope(tenant.tenant.id):
            await ContactResponsible.create(contact_id=contact.id, user_id=office["anna"].id)
        client = client_for(tenant.hostname)
        await client.log_in(f"k{number}", CUSTOMER_PASSWORD)
        await _ask(client)
    assert await page_queries(staff, "/staff/offer-requests") == one
    offers_one = await page_queries(office["customer"], "/portal/offers")
    from tests.web.test_offers import make_offer

    for _ in range(3):
        await make_offer(tenant, office["contact"])
    assert await page_queries(office["customer"], "/portal/offers") == offers_one
